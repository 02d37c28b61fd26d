/**
 * Export's byte layout and its stream sink (engine/io/export.ts): what a diff of two exports, a
 * spreadsheet and `cmdb export > file` rely on beyond the round trip test/io.test.ts proves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../engine/cmdb.ts';
import { exportCsv, exportJson, exportNdjson, streamSink, type Sink } from '../engine/io/export.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;

function collect(): { sink: Sink; text: () => string } {
  const parts: string[] = [];
  return { sink: async (c) => void parts.push(c), text: () => parts.join('') };
}

async function withCmdb(fn: (cmdb: Cmdb) => Promise<void>): Promise<void> {
  const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `e-${++n}.sqlite`)), registry });
  try {
    await fn(cmdb);
  } finally {
    await cmdb.close();
  }
}

const two = [
  {
    op: 'upsertCI' as const,
    ci: {
      id: 'a',
      class: 'Application',
      name: 'A',
      status: 'in_service' as const,
      environment: 'production' as const,
      criticality: 3,
      tags: [],
      attributes: {},
      redundancy: [],
    },
  },
  {
    op: 'upsertCI' as const,
    ci: {
      id: 'b',
      class: 'Database',
      name: 'B',
      status: 'in_service' as const,
      environment: 'production' as const,
      criticality: 2,
      owner: 'dba',
      tags: ['x', 'y'],
      attributes: { port: 5432 },
      redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }],
    },
  },
  { op: 'upsertRelationship' as const, relationship: { id: 'a|DEPENDS_ON|b', type: 'DEPENDS_ON', from: 'a', to: 'b', attributes: {} } },
];

describe('export layout', () => {
  it('writes JSON one element per line, indented, with empty arrays closed on the same line', async () => {
    await withCmdb(async (cmdb) => {
      await cmdb.apply(two.slice(0, 1), { actor: 't' });
      const out = collect();
      await exportJson(cmdb.store, out.sink);
      expect(out.text()).toBe(
        '{\n  "cis": [\n    {"id":"a","class":"Application","name":"A","status":"in_service","environment":"production","criticality":3,"attributes":{},"tags":[],"redundancy":[]}\n  ],\n  "relationships": []\n}\n',
      );
    });
  });

  it('writes NDJSON CIs before relationships, each line tagged with its kind', async () => {
    await withCmdb(async (cmdb) => {
      await cmdb.apply(two, { actor: 't' });
      const out = collect();
      await exportNdjson(cmdb.store, out.sink);
      const lines = out.text().split('\n');
      expect(
        lines.map((l) =>
          l === '' ? '' : (JSON.parse(l) as { kind: string; id: string }).kind + ':' + (JSON.parse(l) as { id: string }).id,
        ),
      ).toEqual(['ci:a', 'ci:b', 'relationship:a|DEPENDS_ON|b', '']);
    });
  });

  it('writes CSV with a header, tags joined by semicolons, and JSON only for non-empty attributes and redundancy', async () => {
    await withCmdb(async (cmdb) => {
      await cmdb.apply(two, { actor: 't' });
      const cis = collect();
      const rels = collect();
      await exportCsv(cmdb.store, cis.sink, rels.sink);
      expect(cis.text()).toBe(
        'id,class,name,status,environment,criticality,owner,tags,attributes,redundancy\n' +
          'a,Application,A,in_service,production,3,,,,\n' +
          'b,Database,B,in_service,production,2,dba,x;y,"{""port"":5432}","[{""relationship"":""DEPENDS_ON"",""minAvailable"":1}]"\n',
      );
      expect(rels.text()).toBe('id,type,from,to,attributes\na|DEPENDS_ON|b,DEPENDS_ON,a,b,\n');
    });
  });
});

describe('stream sink', () => {
  it('waits for the stream to drain when it is full, so a large export never buffers without bound', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    const sink = streamSink(stream);
    let done = false;
    const pending = sink('more than four bytes').then(() => (done = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    stream.read();
    await pending;
    expect(done).toBe(true);
  });

  it('resolves at once for a chunk that fits and for an empty chunk, which it does not write', async () => {
    const chunks: string[] = [];
    const stream = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk.toString());
        cb();
      },
    });
    const sink = streamSink(stream);
    await sink('');
    await sink('abc');
    expect(chunks).toEqual(['abc']);
  });

  it('passes a write error on', async () => {
    const stream = new Writable({
      highWaterMark: 1,
      write(_chunk, _enc, cb) {
        setImmediate(() => cb(new Error('disk full')));
      },
    });
    stream.on('error', () => undefined);
    await expect(streamSink(stream)('abc')).rejects.toThrow('disk full');
  });
});
