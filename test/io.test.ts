/** Import and export through the CMDB facade on a real SQLite file. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { importParsed, readImportFiles } from '../engine/io/import.ts';
import { exportCsv, exportJson, exportNdjson, type Sink } from '../engine/io/export.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import { InputError, SemanticError } from '../engine/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;

function file(name: string, content: string): string {
  const path = join(dir, `${++n}-${name}`);
  writeFileSync(path, content);
  return path;
}

async function openFresh(): Promise<Cmdb> {
  return Cmdb.open({ store: new SqliteStore(join(dir, `db-${++n}.sqlite`)), registry });
}

async function importFiles(cmdb: Cmdb, ...paths: string[]) {
  return importParsed(cmdb, await readImportFiles(paths), { actor: 'test' });
}

function collect(): { sink: Sink; text: () => string } {
  const parts: string[] = [];
  return { sink: async (c) => void parts.push(c), text: () => parts.join('') };
}

async function exported(cmdb: Cmdb, fn: typeof exportJson = exportJson): Promise<string> {
  const out = collect();
  await fn(cmdb.store, out.sink);
  return out.text();
}

const SAMPLE = {
  cis: [
    {
      id: 'svc-shop',
      class: 'BusinessService',
      name: 'Online shop',
      criticality: 1,
      owner: 'web-team',
      attributes: { serviceLevel: 'gold', availabilityTarget: 99.95 },
      tags: ['tier1', 'customer-facing'],
    },
    {
      id: 'app-shop',
      class: 'Application',
      name: 'shop frontend',
      attributes: { version: '4.2.1' },
      redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: '50%' }],
    },
    {
      id: 'db-1',
      class: 'Database',
      name: 'orders db, "primary"',
      attributes: { engine: 'postgres', port: 5432, tuning: { work_mem: '64MB' } },
    },
    { id: 'db-2', class: 'Database', name: 'orders db replica', status: 'maintenance', environment: 'production' },
  ],
  relationships: [
    { type: 'DEPENDS_ON', from: 'svc-shop', to: 'app-shop' },
    { type: 'DEPENDS_ON', from: 'app-shop', to: 'db-1', attributes: { port: 5432 } },
    { id: 'custom-id-1', type: 'DEPENDS_ON', from: 'app-shop', to: 'db-2' },
    { type: 'REPLICATES_TO', from: 'db-1', to: 'db-2' },
  ],
};

describe('import and export', () => {
  let cmdb: Cmdb;
  beforeEach(async () => {
    cmdb = await openFresh();
  });
  afterEach(async () => {
    await cmdb.close();
  });

  it('imports a JSON file into store and mirror in one batch', async () => {
    const summary = await importFiles(cmdb, file('sample.json', JSON.stringify(SAMPLE)));
    expect(summary).toEqual({ seq: 8, cis: 4, relationships: 4, created: 8, updated: 0, unchanged: 0 });
    expect(cmdb.mirror.graph.order).toBe(4);
    expect(cmdb.mirror.graph.size).toBe(4);
    expect(cmdb.mirror.graph.getNodeAttributes('app-shop')).toEqual({
      class: 'Application',
      name: 'shop frontend',
      status: 'in_service',
      environment: 'production',
      criticality: 3,
      redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: '50%' }],
    });
    expect(cmdb.mirror.graph.hasEdge('custom-id-1')).toBe(true);
    expect((await checkMirror(cmdb.mirror, cmdb.store)).consistent).toBe(true);
  });

  it('re-importing the same file is idempotent: nothing written, seq unchanged', async () => {
    const path = file('sample.json', JSON.stringify(SAMPLE));
    await importFiles(cmdb, path);
    const again = await importFiles(cmdb, path);
    expect(again).toEqual({ seq: 8, cis: 4, relationships: 4, created: 0, updated: 0, unchanged: 8 });
    expect((await cmdb.store.counts()).events).toBe(8);
  });

  it('reports an update when one field changed, and only for that CI', async () => {
    await importFiles(cmdb, file('sample.json', JSON.stringify(SAMPLE)));
    const changed = structuredClone(SAMPLE);
    changed.cis[2]!.attributes = { engine: 'postgres', port: 5433, tuning: { work_mem: '64MB' } };
    const res = await importFiles(cmdb, file('changed.json', JSON.stringify(changed)));
    expect(res).toMatchObject({ created: 0, updated: 1, unchanged: 7, seq: 9 });
    expect((await cmdb.store.getCI('db-1'))!.version).toBe(2);
  });

  it.each([
    [
      'a bad enum value',
      { cis: [SAMPLE.cis[0], { id: 'x', class: 'Server', name: 'x', status: 'broken' }] },
      /sample\.json cis\[1\], field "status"/,
    ],
    ['a missing name', { cis: [{ id: 'x', class: 'Server' }] }, /cis\[0\], field "name"/],
    ['an unknown field', { cis: [{ id: 'x', class: 'Server', name: 'x', colour: 'red' }] }, /cis\[0\].*colour/],
    ['an id with spaces', { cis: [{ id: 'a b', class: 'Server', name: 'x' }] }, /cis\[0\], field "id"/],
    [
      'a malformed redundancy rule',
      { cis: [{ id: 'x', class: 'Cluster', name: 'x', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: '150%' }] }] },
      /cis\[0\], field "redundancy\.0\.minAvailable"/,
    ],
    [
      'a self loop',
      { cis: [SAMPLE.cis[0]], relationships: [{ type: 'DEPENDS_ON', from: 'svc-shop', to: 'svc-shop' }] },
      /relationships\[0\], field "to"/,
    ],
    [
      'a duplicate CI id',
      { cis: [SAMPLE.cis[0], SAMPLE.cis[0]] },
      /cis\[1\], field "id": duplicate CI id "svc-shop" \(first at .* cis\[0\]\)/,
    ],
    ['an unknown top-level key', { cis: [], rels: [] }, /unknown top-level key "rels"/],
    [
      'an attribute of the wrong type',
      { cis: [{ id: 'x', class: 'Server', name: 'x', attributes: { cpuCores: 'eight' } }] },
      /attribute "cpuCores" of CI "x" must be a number/,
    ],
  ])('refuses %s with InputError naming file, row and field, and writes nothing', async (_what, doc, message) => {
    await importFiles(cmdb, file('base.json', JSON.stringify({ cis: [{ id: 'keep', class: 'Server', name: 'keep me' }] })));
    const path = file('sample.json', JSON.stringify(doc));
    const attempt = importFiles(cmdb, path);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(attempt).rejects.toThrow(message);
    expect(await cmdb.store.counts()).toMatchObject({ cis: 1, relationships: 0, events: 1 });
    expect(cmdb.mirror.graph.order).toBe(1);
    expect(cmdb.seq).toBe(1);
  });

  it.each([
    ['an unknown class', { cis: [{ id: 'x', class: 'Toaster', name: 'x' }] }, /unknown class "Toaster"/],
    [
      'an unknown relationship type',
      { cis: SAMPLE.cis, relationships: [{ type: 'LIKES', from: 'db-1', to: 'db-2' }] },
      /unknown relationship type "LIKES"/,
    ],
    [
      'a relationship to a missing CI',
      { cis: SAMPLE.cis, relationships: [{ type: 'RUNS_ON', from: 'db-1', to: 'vm-404' }] },
      /relationships\[0\], field "to": relationship "db-1\|RUNS_ON\|vm-404" references missing CI "vm-404"/,
    ],
    [
      'a redundancy rule on an audit-only type',
      { cis: [{ id: 'x', class: 'Database', name: 'x', redundancy: [{ relationship: 'BACKED_UP_BY', minAvailable: 1 }] }] },
      /does not propagate impact/,
    ],
  ])('refuses %s with SemanticError and writes nothing', async (_what, doc, message) => {
    const attempt = importFiles(cmdb, file('bad.json', JSON.stringify(doc)));
    await expect(attempt).rejects.toBeInstanceOf(SemanticError);
    await expect(attempt).rejects.toThrow(message);
    expect(await cmdb.store.counts()).toMatchObject({ cis: 0, relationships: 0, events: 0 });
  });

  it('accepts relationships to CIs already in the CMDB', async () => {
    await importFiles(cmdb, file('cis.json', JSON.stringify({ cis: SAMPLE.cis })));
    await importFiles(cmdb, file('rels.json', JSON.stringify({ relationships: SAMPLE.relationships })));
    expect(cmdb.mirror.graph.size).toBe(4);
  });

  it('imports NDJSON, with or without kind, and names the line of a bad row', async () => {
    const lines = [
      JSON.stringify({ kind: 'ci', ...SAMPLE.cis[0] }),
      '',
      JSON.stringify(SAMPLE.cis[1]),
      JSON.stringify({ kind: 'relationship', ...SAMPLE.relationships[0] }),
    ];
    await importFiles(cmdb, file('data.ndjson', lines.join('\n')));
    expect(cmdb.mirror.graph.order).toBe(2);
    const bad = importFiles(cmdb, file('bad.ndjson', `${lines[0]}\n{"kind":"ci","id":"y","class":"Server","name":"y","criticality":0}\n`));
    await expect(bad).rejects.toThrow(/bad\.ndjson line 2, field "criticality"/);
    await expect(importFiles(cmdb, file('broken.ndjson', `${lines[0]}\n{not json\n`))).rejects.toThrow(
      /broken\.ndjson line 2 is not valid JSON/,
    );
    await expect(importFiles(cmdb, file('kind.ndjson', '{"kind":"widget","id":"z"}\n'))).rejects.toThrow(/line 1, field "kind"/);
  });

  it('imports CSV files of CIs and relationships told apart by their header', async () => {
    const cis = file(
      'cis.csv',
      'id,class,name,criticality,owner,tags,attributes,redundancy\n' +
        'svc-a,BusinessService,"Service A, the big one",1,team-a,tier1;gold,"{""serviceLevel"":""gold""}",\n' +
        'app-a,Application,App A,,,,,"[{""relationship"":""DEPENDS_ON"",""minAvailable"":1}]"\n',
    );
    const rels = file('rels.csv', 'type,from,to\nDEPENDS_ON,svc-a,app-a\n');
    await importFiles(cmdb, cis, rels);
    expect(await cmdb.store.getCI('svc-a')).toMatchObject({
      name: 'Service A, the big one',
      criticality: 1,
      owner: 'team-a',
      tags: ['tier1', 'gold'],
      attributes: { serviceLevel: 'gold' },
    });
    expect(await cmdb.store.getCI('app-a')).toMatchObject({
      criticality: 3,
      redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }],
    });
    expect(cmdb.mirror.graph.hasEdge('svc-a|DEPENDS_ON|app-a')).toBe(true);
    await expect(importFiles(cmdb, file('bad.csv', 'id,class,name,criticality\nq,Server,Q,high\n'))).rejects.toThrow(
      /bad\.csv line 2, field "criticality"/,
    );
    await expect(importFiles(cmdb, file('cols.csv', 'id,class,name,colour\nq,Server,Q,red\n'))).rejects.toThrow(/unknown column "colour"/);
    await expect(importFiles(cmdb, file('json.csv', 'id,class,name,attributes\nq,Server,Q,{oops\n'))).rejects.toThrow(
      /line 2, field "attributes": not valid JSON/,
    );
  });

  it('refuses a whole multi-file import when a later file is bad', async () => {
    const good = file('good.json', JSON.stringify({ cis: SAMPLE.cis }));
    const bad = file('bad.csv', 'type,from,to\nDEPENDS_ON,db-1,nowhere\n');
    await expect(importFiles(cmdb, good, bad)).rejects.toThrow(/bad\.csv line 2, field "to"/);
    expect(await cmdb.store.counts()).toMatchObject({ cis: 0, events: 0 });
  });

  it('names a missing file and an unknown extension', async () => {
    await expect(importFiles(cmdb, join(dir, 'nope.json'))).rejects.toThrow(/cannot read .*nope\.json.*ENOENT/);
    await expect(importFiles(cmdb, join(dir, 'nope.ndjson'))).rejects.toThrow(/cannot read nope\.ndjson: no such file/);
    await expect(importFiles(cmdb, file('data.xml', '<cis/>'))).rejects.toThrow(/cannot tell the format/);
  });

  it('round-trips exactly: export → import into an empty CMDB → export is byte-identical, in all three formats', async () => {
    await importFiles(cmdb, file('sample.json', JSON.stringify(SAMPLE)));
    const json = await exported(cmdb);
    expect(JSON.parse(json).cis).toHaveLength(4);

    const fromJson = await openFresh();
    await importFiles(fromJson, file('export.json', json));
    expect(await exported(fromJson)).toBe(json);

    const ndjson = await exported(cmdb, exportNdjson);
    const fromNdjson = await openFresh();
    await importFiles(fromNdjson, file('export.ndjson', ndjson));
    expect(await exported(fromNdjson, exportNdjson)).toBe(ndjson);
    expect(await exported(fromNdjson)).toBe(json);

    const cisCsv = collect();
    const relsCsv = collect();
    await exportCsv(cmdb.store, cisCsv.sink, relsCsv.sink);
    const fromCsv = await openFresh();
    await importFiles(fromCsv, file('cis.csv', cisCsv.text()), file('relationships.csv', relsCsv.text()));
    expect(await exported(fromCsv)).toBe(json);

    for (const c of [fromJson, fromNdjson, fromCsv]) await c.close();
  });

  it('exports an empty CMDB as a valid, importable document', async () => {
    const json = await exported(cmdb);
    expect(JSON.parse(json)).toEqual({ cis: [], relationships: [] });
    expect(readFileSync(file('empty.json', json), 'utf8')).toBe(json);
  });
});
