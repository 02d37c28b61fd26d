/**
 * Import: JSON (`{"cis": [...], "relationships": [...]}`), NDJSON (one `{"kind": "ci"|"relationship", ...}`
 * per line) and CSV (one file of CIs, one of relationships, told apart by their header).
 *
 * Every row is validated with the model's zod schemas and the registry before anything is written;
 * the first bad row stops the import with a message naming file, row and field. The whole import
 * is then one store batch, so it is atomic, and identical rows are no-ops, so it is idempotent.
 * Required class attributes are NOT checked here: the audit reports them (DESIGN.md).
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream';
import { parse as parseCsv } from 'csv-parse';
import type { z } from 'zod';
import { CIInput, toCIData, type CIData } from '../model/ci.ts';
import { RelationshipInput, toRelationshipData, type RelationshipData } from '../model/relationship.ts';
import { CmdbError, InputError } from '../errors.ts';
import type { Mutation, WriteContext } from '../store/port.ts';
import type { Cmdb } from '../cmdb.ts';

export type ImportFormat = 'json' | 'ndjson' | 'csv';

/** Where a row came from, for error messages: `cis.csv line 7`, `demo.json cis[12]`. */
export interface RowOrigin {
  file: string;
  row: string;
}

export interface ParsedImport {
  cis: CIData[];
  ciOrigins: RowOrigin[];
  relationships: RelationshipData[];
  relationshipOrigins: RowOrigin[];
}

export function emptyImport(): ParsedImport {
  return { cis: [], ciOrigins: [], relationships: [], relationshipOrigins: [] };
}

export function formatOf(path: string): ImportFormat {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.ndjson' || ext === '.jsonl') return 'ndjson';
  if (ext === '.csv') return 'csv';
  throw new InputError(`import: cannot tell the format of "${basename(path)}" (use .json, .ndjson, .jsonl or .csv)`);
}

/** Reads and validates files into one import; throws at the first bad row. */
export async function readImportFiles(paths: readonly string[], onRow?: (rows: number) => void): Promise<ParsedImport> {
  const out = emptyImport();
  for (const path of paths) {
    const format = formatOf(path);
    const file = basename(path);
    if (format === 'json') {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        throw new InputError(`import: cannot read "${path}": ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      addJsonDocument(out, file, text);
    } else if (format === 'ndjson') {
      await addNdjsonStream(out, file, openStream(path), onRow);
    } else {
      await addCsvStream(out, file, openStream(path), onRow);
    }
  }
  return out;
}

function openStream(path: string): NodeJS.ReadableStream {
  return createReadStream(path, { encoding: 'utf8' });
}

/** `{"cis": [...], "relationships": [...]}`, both optional. */
export function addJsonDocument(out: ParsedImport, file: string, text: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`import: ${file} is not valid JSON: ${(err as Error).message}`, [
      { file, path: [], code: 'invalid_json', message: (err as Error).message },
    ]);
  }
  addImportDocument(out, file, doc);
}

/** The same document already parsed (the HTTP body). */
export function addImportDocument(out: ParsedImport, file: string, doc: unknown): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new InputError(`import: ${file} must be an object with "cis" and/or "relationships" arrays`, [
      { file, path: [], code: 'invalid_type', message: 'expected object' },
    ]);
  }
  const { cis = [], relationships = [], ...rest } = doc as Record<string, unknown>;
  const unknownKey = Object.keys(rest)[0];
  if (unknownKey !== undefined) {
    throw new InputError(`import: ${file} has unknown top-level key "${unknownKey}" (expected "cis" and "relationships")`, [
      { file, path: [unknownKey], code: 'unrecognized_keys', message: 'unknown key' },
    ]);
  }
  for (const [key, list] of [
    ['cis', cis],
    ['relationships', relationships],
  ] as const) {
    if (!Array.isArray(list))
      throw new InputError(`import: ${file} "${key}" must be an array`, [
        { file, path: [key], code: 'invalid_type', message: 'expected array' },
      ]);
  }
  (cis as unknown[]).forEach((row, i) => addCI(out, { file, row: `cis[${i}]` }, row));
  (relationships as unknown[]).forEach((row, i) => addRelationship(out, { file, row: `relationships[${i}]` }, row));
}

async function addNdjsonStream(
  out: ParsedImport,
  file: string,
  input: NodeJS.ReadableStream,
  onRow?: (rows: number) => void,
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line += 1;
      if (text.trim() === '') continue;
      const origin = { file, row: `line ${line}` };
      let row: unknown;
      try {
        row = JSON.parse(text);
      } catch (err) {
        throw new InputError(`import: ${file} line ${line} is not valid JSON: ${(err as Error).message}`, [
          { ...origin, path: [], code: 'invalid_json', message: (err as Error).message },
        ]);
      }
      if (row === null || typeof row !== 'object' || Array.isArray(row)) {
        throw new InputError(`import: ${file} line ${line} must be a JSON object`, [
          { ...origin, path: [], code: 'invalid_type', message: 'expected object' },
        ]);
      }
      const { kind, ...fields } = row as Record<string, unknown>;
      const resolved = kind ?? ('class' in fields ? 'ci' : 'from' in fields || 'to' in fields ? 'relationship' : undefined);
      if (resolved === 'ci') addCI(out, origin, fields);
      else if (resolved === 'relationship') addRelationship(out, origin, fields);
      else
        throw new InputError(`import: ${file} line ${line}, field "kind": must be "ci" or "relationship"`, [
          { ...origin, path: ['kind'], code: 'invalid_value', message: 'expected "ci" or "relationship"' },
        ]);
      if (onRow && line % 10_000 === 0) onRow(line);
    }
  } catch (err) {
    throw wrapReadError(err, file);
  }
}

const CI_COLUMNS = ['id', 'class', 'name', 'status', 'environment', 'criticality', 'owner', 'tags', 'attributes', 'redundancy'];
const REL_COLUMNS = ['id', 'type', 'from', 'to', 'attributes'];

async function addCsvStream(out: ParsedImport, file: string, input: NodeJS.ReadableStream, onRow?: (rows: number) => void): Promise<void> {
  const parser = parseCsv({ columns: true, bom: true, skip_empty_lines: true, trim: false, info: true });
  // pipeline, not pipe: a read error (missing file, a directory) must reach the loop below, not hang it.
  pipeline(input, parser, () => {});
  let kind: 'ci' | 'relationship' | undefined;
  let rows = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      const origin = { file, row: `line ${rec.info.lines}` };
      if (kind === undefined) kind = csvKind(file, Object.keys(rec.record));
      if (kind === 'ci') addCI(out, origin, csvCI(origin, rec.record));
      else addRelationship(out, origin, csvRelationship(origin, rec.record));
      rows += 1;
      if (onRow && rows % 10_000 === 0) onRow(rows);
    }
  } catch (err) {
    throw wrapReadError(err, file);
  }
}

function csvKind(file: string, columns: string[]): 'ci' | 'relationship' {
  const kind = columns.includes('class') ? 'ci' : columns.includes('from') && columns.includes('to') ? 'relationship' : undefined;
  if (!kind) throw new InputError(`import: ${file} header must have a "class" column (CIs) or "from" and "to" columns (relationships)`);
  const allowed = kind === 'ci' ? CI_COLUMNS : REL_COLUMNS;
  const unknown = columns.find((c) => !allowed.includes(c));
  if (unknown !== undefined)
    throw new InputError(`import: ${file} has unknown column "${unknown}" (allowed: ${allowed.join(', ')})`, [
      { file, path: [unknown], code: 'unrecognized_keys', message: 'unknown column' },
    ]);
  return kind;
}

/** CSV cells are strings: empty means "not given"; tags are `;`-separated; objects are JSON. */
function csvCI(origin: RowOrigin, rec: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(rec)) {
    if (cell === '') continue;
    if (key === 'criticality') row[key] = /^-?\d+$/.test(cell.trim()) ? Number(cell) : cell;
    else if (key === 'tags') row[key] = cell.split(';');
    else if (key === 'attributes' || key === 'redundancy') row[key] = jsonCell(origin, key, cell);
    else row[key] = cell;
  }
  return row;
}

function csvRelationship(origin: RowOrigin, rec: Record<string, string>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(rec)) {
    if (cell === '') continue;
    row[key] = key === 'attributes' ? jsonCell(origin, key, cell) : cell;
  }
  return row;
}

function jsonCell(origin: RowOrigin, key: string, cell: string): unknown {
  try {
    return JSON.parse(cell);
  } catch (err) {
    throw rowError(origin, [{ path: [key], code: 'invalid_json', message: `not valid JSON: ${(err as Error).message}` }]);
  }
}

function addCI(out: ParsedImport, origin: RowOrigin, row: unknown): void {
  out.cis.push(toCIData(parseRow(CIInput, origin, row)));
  out.ciOrigins.push(origin);
}

function addRelationship(out: ParsedImport, origin: RowOrigin, row: unknown): void {
  out.relationships.push(toRelationshipData(parseRow(RelationshipInput, origin, row)));
  out.relationshipOrigins.push(origin);
}

function parseRow<S extends z.ZodType>(schema: S, origin: RowOrigin, row: unknown): z.output<S> {
  const parsed = schema.safeParse(row);
  if (parsed.success) return parsed.data;
  throw rowError(
    origin,
    parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'number' ? p : String(p))),
      code: i.code,
      message: i.message,
    })),
  );
}

function rowError(origin: RowOrigin, issues: { path: (string | number)[]; code: string; message: string }[]): InputError {
  const first = issues[0]!;
  const field = first.path.length > 0 ? `, field "${first.path.join('.')}"` : '';
  return new InputError(
    `import: ${origin.file} ${origin.row}${field}: ${first.message}`,
    issues.map((i) => ({ file: origin.file, row: origin.row, ...i })),
  );
}

function wrapReadError(err: unknown, file: string): Error {
  if (err instanceof CmdbError) return err;
  const e = err as NodeJS.ErrnoException;
  return new InputError(`import: cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
}

export interface ImportBatch {
  mutations: Mutation[];
  /** Names mutation `i` by its file and row, for error messages. */
  describe: (index: number) => string;
}

/**
 * Turns the import into one batch of upserts, refusing duplicate ids with both rows named.
 * Registry and graph checks (class, types, relationship ends) happen once, in the write path,
 * with errors named by `describe`. Upserts never delete: an import merges.
 *
 * CIs, then relationships, each sorted by id: B-tree inserts in key order are ~1.7× faster than
 * in file order (measured on SQLite), and within one atomic batch the order carries no meaning.
 */
export function importBatch(parsed: ParsedImport): ImportBatch {
  refuseDuplicates('CI', parsed.cis, parsed.ciOrigins);
  refuseDuplicates('relationship', parsed.relationships, parsed.relationshipOrigins);
  const ciOrder = byId(parsed.cis);
  const relOrder = byId(parsed.relationships);
  const mutations: Mutation[] = [];
  const origins: RowOrigin[] = [];
  for (const i of ciOrder) {
    mutations.push({ op: 'upsertCI', ci: parsed.cis[i]! });
    origins.push(parsed.ciOrigins[i]!);
  }
  for (const i of relOrder) {
    mutations.push({ op: 'upsertRelationship', relationship: parsed.relationships[i]! });
    origins.push(parsed.relationshipOrigins[i]!);
  }
  return { mutations, describe: (i) => (origins[i] ? `import: ${origins[i].file} ${origins[i].row}` : `import: mutation ${i}`) };
}

function byId(items: readonly { id: string }[]): number[] {
  return items.map((_, i) => i).sort((a, b) => (items[a]!.id < items[b]!.id ? -1 : items[a]!.id > items[b]!.id ? 1 : 0));
}

function refuseDuplicates(kind: string, items: readonly { id: string }[], origins: readonly RowOrigin[]): void {
  const first = new Map<string, number>();
  items.forEach(({ id }, i) => {
    const seen = first.get(id);
    if (seen === undefined) return void first.set(id, i);
    const a = origins[seen]!;
    const b = origins[i]!;
    throw new InputError(`import: ${b.file} ${b.row}, field "id": duplicate ${kind} id "${id}" (first at ${a.file} ${a.row})`, [
      { ...b, path: ['id'], code: 'duplicate', message: 'duplicate id' },
    ]);
  });
}

export interface ImportSummary {
  seq: number;
  cis: number;
  relationships: number;
  created: number;
  updated: number;
  unchanged: number;
}

/** Validates and commits a parsed import as one atomic batch. */
export async function importParsed(
  cmdb: Cmdb,
  parsed: ParsedImport,
  ctx: WriteContext,
  onProgress?: (done: number, total: number) => void,
): Promise<ImportSummary> {
  const { mutations: batch, describe } = importBatch(parsed);
  const result = await cmdb.apply(batch, ctx, { describe, ...(onProgress ? { onProgress } : {}) });
  const created = result.events.filter((e) => e.op === 'create').length;
  const updated = result.events.filter((e) => e.op === 'update').length;
  return {
    seq: result.seq,
    cis: parsed.cis.length,
    relationships: parsed.relationships.length,
    created,
    updated,
    unchanged: batch.length - created - updated,
  };
}
