/**
 * The import reader at its edges: documents of the wrong shape, CSV headers it cannot place, a
 * byte-order mark, NDJSON rows without `kind`, and the structured error details clients read.
 * Reading is pure (no store): every refusal here happens before anything could be written; one
 * test commits through a real SQLite store for the progress callback.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  addImportDocument,
  addJsonDocument,
  emptyImport,
  formatOf,
  importBatch,
  importParsed,
  readImportFiles,
} from '../engine/io/import.ts';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
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
    const err = refusal(() =>
      addImportDocument(emptyImport(), 'x.json', {
        cis: [
          { id: 'ok', class: 'Server', name: 'ok' },
          { id: 'bad', class: 'Server', name: 'bad', criticality: 9 },
        ],
      }),
    );
    expect(err.message).toMatch(/^import: x\.json cis\[1\], field "criticality": /);
    expect(err.details).toEqual([expect.objectContaining({ file: 'x.json', row: 'cis[1]', path: ['criticality'], code: 'too_big' })]);
  });

  it('keeps array positions as numbers in the details path', () => {
    const err = refusal(() =>
      addImportDocument(emptyImport(), 'x.json', {
        cis: [{ id: 'c', class: 'Cluster', name: 'c', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 0 }] }],
      }),
    );
    expect(err.message).toMatch(/cis\[0\], field "redundancy\.0\.minAvailable": /);
    expect((err.details as { path: unknown[] }[])[0]!.path).toEqual(['redundancy', 0, 'minAvailable']);
  });

  it('says which row is wrong without a field when the row itself is not an object', () => {
    const err = refusal(() => addImportDocument(emptyImport(), 'x.json', { cis: ['srv-1'] }));
    expect(err.message).toMatch(/^import: x\.json cis\[0\]: /);
    expect(err.message).not.toMatch(/field/);
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
    expect(err.message).toMatch(
      /cis\.csv has unknown column "colour" \(allowed: id, class, name, status, environment, criticality, owner, tags, attributes, redundancy\)$/,
    );
    expect(err.details).toEqual([
      { file: expect.stringMatching(/cis\.csv$/), path: ['colour'], code: 'unrecognized_keys', message: 'unknown column' },
    ]);
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

  it('reads criticality with spaces around it as a number, and explains a non-number', async () => {
    const ok = await readImportFiles([file('cis.csv', 'id,class,name,criticality\nsrv-1,Server,one, 2 \n')]);
    expect(ok.cis[0]!.criticality).toBe(2);
    for (const cell of ['1x', 'x1', 'high']) {
      const word = await asyncRefusal(readImportFiles([file('cis.csv', `id,class,name,criticality\nsrv-1,Server,one,${cell}\n`)]));
      expect(word.message).toMatch(/line 2, field "criticality": .*received string/);
    }
    const big = await asyncRefusal(readImportFiles([file('cis.csv', 'id,class,name,criticality\nsrv-1,Server,one,10\n')]));
    expect(big.details).toEqual([expect.objectContaining({ path: ['criticality'], code: 'too_big' })]);
  });

  it('keeps spaces inside cells (exact round trips) and skips blank lines', async () => {
    const parsed = await readImportFiles([file('cis.csv', 'id,class,name\nsrv-1,Server, padded \n\nsrv-2,Server,two\n')]);
    expect(parsed.cis.map((c) => c.name)).toEqual([' padded ', 'two']);
  });

  it('names the line and column of a cell that is not valid JSON', async () => {
    const err = await asyncRefusal(readImportFiles([file('cis.csv', 'id,class,name,attributes\nsrv-1,Server,one,{oops\n')]));
    expect(err.message).toMatch(/cis\.csv line 2, field "attributes": not valid JSON/);
    expect(err.details).toEqual([expect.objectContaining({ row: 'line 2', path: ['attributes'], code: 'invalid_json' })]);
  });

  it('reads relationship attributes as JSON and leaves other relationship cells as text', async () => {
    const parsed = await readImportFiles([file('rels.csv', 'from,type,to,attributes\na,DEPENDS_ON,b,"{""port"":5432}"\n')]);
    expect(parsed.relationships).toEqual([
      expect.objectContaining({ id: 'a|DEPENDS_ON|b', from: 'a', to: 'b', type: 'DEPENDS_ON', attributes: { port: 5432 } }),
    ]);
  });
});

describe('reading files', () => {
  it('names a JSON file it cannot read by the error code', async () => {
    const err = await asyncRefusal(readImportFiles([join(dir, 'absent.json')]));
    expect(err.message).toBe(`import: cannot read "${join(dir, 'absent.json')}": ENOENT`);
  });

  it('says "no such file" for a missing stream file and the reason for other read errors', async () => {
    expect((await asyncRefusal(readImportFiles([join(dir, 'absent.ndjson')]))).message).toBe(
      'import: cannot read absent.ndjson: no such file',
    );
    expect((await asyncRefusal(readImportFiles([join(dir, 'absent.csv')]))).message).toBe('import: cannot read absent.csv: no such file');
    const folder = join(dir, 'folder.csv');
    (await import('node:fs')).mkdirSync(folder);
    const err = await asyncRefusal(readImportFiles([folder]));
    expect(err.message).toMatch(/^import: cannot read folder\.csv: EISDIR/);
  });

  it('reports progress every 10,000 rows of NDJSON and CSV', async () => {
    const nd = Array.from({ length: 20_001 }, (_, i) => `{"id":"c${i}","class":"Server","name":"n"}`).join('\n');
    const ndSeen: number[] = [];
    await readImportFiles([file('big.ndjson', nd)], (r) => ndSeen.push(r));
    expect(ndSeen).toEqual([10_000, 20_000]);
    const csv = 'id,class,name\n' + Array.from({ length: 20_001 }, (_, i) => `c${i},Server,n`).join('\n');
    const csvSeen: number[] = [];
    await readImportFiles([file('big.csv', csv)], (r) => csvSeen.push(r));
    expect(csvSeen).toEqual([10_000, 20_000]);
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
    expect(err.details).toEqual([
      {
        file: expect.stringMatching(/x\.ndjson$/),
        row: 'line 2',
        path: ['kind'],
        code: 'invalid_value',
        message: 'expected "ci" or "relationship"',
      },
    ]);
  });

  for (const [what, line] of [
    ['an array', '[1,2]'],
    ['null', 'null'],
    ['a number', '42'],
    ['a string', '"ci"'],
  ] as const) {
    it(`refuses a row that is ${what}, with the line in the details`, async () => {
      const err = await asyncRefusal(readImportFiles([file('x.ndjson', `{"id":"a","class":"Server","name":"A"}\n${line}\n`)]));
      expect(err.message).toMatch(/x\.ndjson line 2 must be a JSON object$/);
      expect(err.details).toEqual([
        { file: expect.stringMatching(/x\.ndjson$/), row: 'line 2', path: [], code: 'invalid_type', message: 'expected object' },
      ]);
    });
  }

  it('refuses a row that is not JSON, with the parser reason in the details', async () => {
    const err = await asyncRefusal(readImportFiles([file('x.ndjson', '{"id":\n')]));
    expect(err.message).toMatch(/x\.ndjson line 1 is not valid JSON: /);
    expect(err.details).toEqual([
      { file: expect.stringMatching(/x\.ndjson$/), row: 'line 1', path: [], code: 'invalid_json', message: expect.any(String) },
    ]);
    expect((err.details as { message: string }[])[0]!.message.length).toBeGreaterThan(0);
  });

  it('skips blank and whitespace-only lines', async () => {
    const parsed = await readImportFiles([file('x.ndjson', '\n   \n{"id":"a","class":"Server","name":"A"}\n\t\n')]);
    expect(parsed.cis.map((c) => c.id)).toEqual(['a']);
    expect(parsed.ciOrigins[0]!.row).toBe('line 3');
  });

  it('takes a row with only one end as a relationship and names the missing end', async () => {
    const onlyTo = await asyncRefusal(readImportFiles([file('x.ndjson', '{"type":"DEPENDS_ON","to":"a"}\n')]));
    expect(onlyTo.message).toMatch(/line 1, field "from": /);
    const onlyFrom = await asyncRefusal(readImportFiles([file('x.ndjson', '{"type":"DEPENDS_ON","from":"a"}\n')]));
    expect(onlyFrom.message).toMatch(/line 1, field "to": /);
  });

  it('accepts the .jsonl extension as NDJSON', () => {
    expect(formatOf('a.JSONL')).toBe('ndjson');
    expect(formatOf('a.ndjson')).toBe('ndjson');
    expect(formatOf('a.Json')).toBe('json');
    expect(formatOf('a.csv')).toBe('csv');
    expect(() => formatOf('a.yaml')).toThrow('import: cannot tell the format of "a.yaml" (use .json, .ndjson, .jsonl or .csv)');
  });
});

describe('committing an import', () => {
  it('passes store progress through to the caller, ending at the batch size', async () => {
    const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `db-${++n}.sqlite`)), registry: Registry.load() });
    try {
      const out = emptyImport();
      addImportDocument(out, 'x.json', { cis: Array.from({ length: 12 }, (_, i) => ({ id: `s${i}`, class: 'Server', name: `s${i}` })) });
      const seen: [number, number][] = [];
      const summary = await importParsed(cmdb, out, { actor: 'test' }, (done, total) => seen.push([done, total]));
      expect(summary).toMatchObject({ cis: 12, relationships: 0, created: 12, updated: 0, unchanged: 0 });
      expect(seen.at(-1)).toEqual([12, 12]);
    } finally {
      await cmdb.close();
    }
  });
});

describe('the import batch', () => {
  it('orders CIs before relationships, each by id, and names every mutation by its source row', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', {
      cis: [
        { id: 'b', class: 'Server', name: 'B' },
        { id: 'a', class: 'Server', name: 'A' },
      ],
      relationships: [
        { from: 'b', type: 'DEPENDS_ON', to: 'a' },
        { from: 'a', type: 'DEPENDS_ON', to: 'b' },
      ],
    });
    const batch = importBatch(out);
    expect(batch.mutations.map((m) => (m.op === 'upsertCI' ? m.ci.id : m.op === 'upsertRelationship' ? m.relationship.id : m.op))).toEqual([
      'a',
      'b',
      'a|DEPENDS_ON|b',
      'b|DEPENDS_ON|a',
    ]);
    expect([0, 1, 2, 3].map(batch.describe)).toEqual([
      'import: x.json cis[1]',
      'import: x.json cis[0]',
      'import: x.json relationships[1]',
      'import: x.json relationships[0]',
    ]);
    expect(batch.describe(4)).toBe('import: mutation 4');
  });

  it('orders many rows by id whatever the file order', () => {
    const out = emptyImport();
    const ids = ['m', 'c', 'x', 'a', 'q', 'b', 'z', 'k'];
    addImportDocument(out, 'x.json', { cis: ids.map((id) => ({ id, class: 'Server', name: id })) });
    expect(importBatch(out).mutations.map((m) => (m.op === 'upsertCI' ? m.ci.id : ''))).toEqual([...ids].sort());
  });

  it('refuses a duplicate relationship id, naming both rows', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', {
      cis: [],
      relationships: [
        { from: 'a', type: 'DEPENDS_ON', to: 'b' },
        { from: 'a', type: 'DEPENDS_ON', to: 'b' },
      ],
    });
    expect(refusal(() => importBatch(out)).message).toBe(
      'import: x.json relationships[1], field "id": duplicate relationship id "a|DEPENDS_ON|b" (first at x.json relationships[0])',
    );
  });

  it('refuses a duplicate id, naming both rows', () => {
    const out = emptyImport();
    addImportDocument(out, 'x.json', {
      cis: [
        { id: 'a', class: 'Server', name: 'A' },
        { id: 'z', class: 'Server', name: 'Z' },
        { id: 'a', class: 'Server', name: 'A2' },
      ],
    });
    const err = refusal(() => importBatch(out));
    expect(err.message).toBe('import: x.json cis[2], field "id": duplicate CI id "a" (first at x.json cis[0])');
    expect(err.details).toEqual([{ file: 'x.json', row: 'cis[2]', path: ['id'], code: 'duplicate', message: 'duplicate id' }]);
  });
});
