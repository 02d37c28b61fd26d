/**
 * The import reader at its edges: documents of the wrong shape, CSV headers it cannot place, a
 * byte-order mark, NDJSON rows without `kind`, and the structured error details clients read.
 * Pure reading (no store): every refusal here happens before anything could be written.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { addImportDocument, addJsonDocument, emptyImport, formatOf, importBatch, readImportFiles } from '../engine/io/import.ts';
import { InputError } from '../engine/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-io-edges-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(name: string, content: string): string {
  const path = join(dir, `${++n}-${name}`);
  writeFileSync(path, content);
  return path;
}

/** The InputError a call throws, so its message and details can both be asserted. */
function refusal(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}
async function asyncRefusal(p: Promise<unknown>): Promise<InputError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InputError);
  return err as InputError;
}

describe('import documents of the wrong shape', () => {
  for (const [what, doc] of [
    ['null', null],
    ['an array', [{ id: 'a', class: 'Server', name: 'a' }]],
    ['a string', 'cis'],
    ['a number', 42],
  ] as const) {
    it(`refuses a document that is ${what}, naming the file`, () => {
      const err = refusal(() => addImportDocument(emptyImport(), 'body.json', doc));
      expect(err.message).toBe('import: body.json must be an object with "cis" and/or "relationships" arrays');
      expect(err.details).toEqual([{ file: 'body.json', path: [], code: 'invalid_type', message: 'expected object' }]);
    });
  }

  it('refuses "cis" given as an object instead of an array', () => {
    const err = refusal(() => addImportDocument(emptyImport(), 'x.json', { cis: {} }));
    expect(err.message).toBe('import: x.json "cis" must be an array');
    expect(err.details).toEqual([{ file: 'x.json', path: ['cis'], code: 'invalid_type', message: 'expected array' }]);
  });

  it('refuses "relationships" given as a string', () => {
    const err = refusal(() => addImportDocument(emptyImport(), 'x.json', { cis: [], relationships: 'a|DEPENDS_ON|b' }));
    expect(err.details).toEqual([{ file: 'x.json', path: ['relationships'], code: 'invalid_type', message: 'expected array' }]);
  });

  it('refuses an unknown top-level key rather than ignoring it', () => {
    const err = refusal(() => addImportDocument(emptyImport(), 'x.json', { cis: [], relations: [] }));
    expect(err.message).toBe('import: x.json has unknown top-level key "relations" (expected "cis" and "relationships")');
    expect(err.details).toEqual([{ file: 'x.json', path: ['relations'], code: 'unrecognized_keys', message: 'unknown key' }]);
  });

  it('accepts a document with neither key as an empty import', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', {});
    expect(out).toEqual(emptyImport());
  });

  it('names the file, the row and the field of a bad row, with zod issues as details', () => {
    const err = refusal(() => addImportDocument(emptyImport(), 'x.json', { cis: [{ id: 'ok', class: 'Server', name: 'ok' }, { id: 'bad', class: 'Server', name: 'bad', criticality: 9 }] }));
    expect(err.message).toMatch(/^import: x\.json cis\[1\], field "criticality": /);
    expect(err.details).toEqual([expect.objectContaining({ file: 'x.json', row: 'cis[1]', path: ['criticality'], code: 'too_big' })]);
  });

  it('reports invalid JSON with the parser reason', () => {
    const err = refusal(() => addJsonDocument(emptyImport(), 'x.json', '{"cis": ['));
    expect(err.message).toMatch(/^import: x\.json is not valid JSON: /);
    expect(err.details).toEqual([expect.objectContaining({ file: 'x.json', path: [], code: 'invalid_json' })]);
  });
});

describe('CSV headers and cells', () => {
  it('refuses a CSV with neither a class column nor from and to columns', async () => {
    const err = await asyncRefusal(readImportFiles([file('things.csv', 'id,name\na,A\n')]));
    expect(err.message).toMatch(/things\.csv header must have a "class" column \(CIs\) or "from" and "to" columns \(relationships\)$/);
  });

  it('refuses a relationship CSV with only a from column', async () => {
    const err = await asyncRefusal(readImportFiles([file('rels.csv', 'id,type,from\nx,DEPENDS_ON,a\n')]));
    expect(err.message).toMatch(/header must have/);
  });

  it('refuses an unknown column, naming it and the allowed ones', async () => {
    const err = await asyncRefusal(readImportFiles([file('cis.csv', 'id,class,name,colour\na,Server,A,red\n')]));
    expect(err.message).toMatch(/cis\.csv has unknown column "colour" \(allowed: id, class, name, status, environment, criticality, owner, tags, attributes, redundancy\)$/);
    expect(err.details).toEqual([expect.objectContaining({ path: ['colour'], code: 'unrecognized_keys' })]);
  });

  it('reads a CSV that starts with a byte-order mark (as spreadsheets save it)', async () => {
    const parsed = await readImportFiles([file('cis.csv', '\uFEFFid,class,name\nsrv-1,Server,one\n')]);
    expect(parsed.cis.map((c) => [c.id, c.class, c.name])).toEqual([['srv-1', 'Server', 'one']]);
  });

  it('turns cells into typed fields: numbers, ;-joined tags, JSON objects, and empty as not given', async () => {
    const csv = 'id,class,name,criticality,tags,attributes,owner\nsrv-1,Server,one,1,a;b,"{""hostname"":""h1""}",\n';
    const parsed = await readImportFiles([file('cis.csv', csv)]);
    const ci = parsed.cis[0]!;
    expect(ci.criticality).toBe(1);
    expect(ci.tags).toEqual(['a', 'b']);
    expect(ci.attributes).toEqual({ hostname: 'h1' });
    expect(ci.owner).toBeUndefined();
  });

  it('names the line and column of a cell that is not valid JSON', async () => {
    const err = await asyncRefusal(readImportFiles([file('cis.csv', 'id,class,name,attributes\nsrv-1,Server,one,{oops\n')]));
    expect(err.message).toMatch(/cis\.csv line 2, field "attributes": not valid JSON/);
    expect(err.details).toEqual([expect.objectContaining({ row: 'line 2', path: ['attributes'], code: 'invalid_json' })]);
  });

  it('reads relationship attributes as JSON and leaves other relationship cells as text', async () => {
    const parsed = await readImportFiles([file('rels.csv', 'from,type,to,attributes\na,DEPENDS_ON,b,"{""port"":5432}"\n')]);
    expect(parsed.relationships).toEqual([expect.objectContaining({ id: 'a|DEPENDS_ON|b', from: 'a', to: 'b', type: 'DEPENDS_ON', attributes: { port: 5432 } })]);
  });
});

describe('NDJSON rows', () => {
  it('infers a relationship from from/to and a CI from class when kind is missing', async () => {
    const text = ['{"id":"a","class":"Server","name":"A"}', '', '{"type":"DEPENDS_ON","from":"b","to":"a"}'].join('\n');
    const parsed = await readImportFiles([file('x.ndjson', text)]);
    expect(parsed.cis.map((c) => c.id)).toEqual(['a']);
    expect(parsed.relationships.map((r) => r.id)).toEqual(['b|DEPENDS_ON|a']);
    expect(parsed.relationshipOrigins).toEqual([{ file: expect.stringMatching(/x\.ndjson$/), row: 'line 3' }]);
  });

  it('refuses a row that is neither, naming the kind field and the line', async () => {
    const err = await asyncRefusal(readImportFiles([file('x.ndjson', '{"id":"a","class":"Server","name":"A"}\n{"id":"q"}\n')]));
    expect(err.message).toMatch(/x\.ndjson line 2, field "kind": must be "ci" or "relationship"$/);
    expect(err.details).toEqual([expect.objectContaining({ row: 'line 2', path: ['kind'], code: 'invalid_value' })]);
  });

  it('refuses a row that is an array or invalid JSON', async () => {
    expect((await asyncRefusal(readImportFiles([file('x.ndjson', '[1,2]\n')]))).message).toMatch(/line 1 must be a JSON object$/);
    expect((await asyncRefusal(readImportFiles([file('x.ndjson', '{"id":\n')]))).message).toMatch(/line 1 is not valid JSON: /);
  });

  it('accepts the .jsonl extension as NDJSON', () => {
    expect(formatOf('a.JSONL')).toBe('ndjson');
    expect(formatOf('a.ndjson')).toBe('ndjson');
    expect(formatOf('a.Json')).toBe('json');
    expect(formatOf('a.csv')).toBe('csv');
    expect(() => formatOf('a.yaml')).toThrow('import: cannot tell the format of "a.yaml" (use .json, .ndjson, .jsonl or .csv)');
  });
});

describe('the import batch', () => {
  it('orders CIs before relationships, each by id, and names every mutation by its source row', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', {
      cis: [{ id: 'b', class: 'Server', name: 'B' }, { id: 'a', class: 'Server', name: 'A' }],
      relationships: [{ from: 'b', type: 'DEPENDS_ON', to: 'a' }, { from: 'a', type: 'DEPENDS_ON', to: 'b' }],
    });
    const batch = importBatch(out);
    expect(batch.mutations.map((m) => (m.op === 'upsertCI' ? m.ci.id : m.op === 'upsertRelationship' ? m.relationship.id : m.op))).toEqual(['a', 'b', 'a|DEPENDS_ON|b', 'b|DEPENDS_ON|a']);
    expect([0, 1, 2, 3].map(batch.describe)).toEqual(['import: x.json cis[1]', 'import: x.json cis[0]', 'import: x.json relationships[1]', 'import: x.json relationships[0]']);
    expect(batch.describe(4)).toBe('import: mutation 4');
  });

  it('refuses a duplicate id, naming both rows', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', { cis: [{ id: 'a', class: 'Server', name: 'A' }, { id: 'z', class: 'Server', name: 'Z' }, { id: 'a', class: 'Server', name: 'A2' }] });
    const err = refusal(() => importBatch(out));
    expect(err.message).toBe('import: x.json cis[2], field "id": duplicate CI id "a" (first at x.json cis[0])');
    expect(err.details).toEqual([{ file: 'x.json', row: 'cis[2]', path: ['id'], code: 'duplicate', message: 'duplicate id' }]);
  });
});
