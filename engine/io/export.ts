/**
 * Export in the import formats, streamed page by page from the store. Rows hold the client
 * fields only, in canonical key order and sorted by id, so export → import → export is
 * byte-identical (system fields — version, timestamps — belong to the store, not the file).
 */
import { stringify } from 'csv-stringify/sync';
import { canonicalCI, type CI } from '../model/ci.ts';
import { canonicalRelationship, type Relationship } from '../model/relationship.ts';
import type { GraphStore } from '../store/port.ts';

/** Writes a chunk, resolving when the destination can take more (backpressure). */
export type Sink = (chunk: string) => Promise<void>;

export async function exportJson(store: GraphStore, sink: Sink): Promise<void> {
  await sink('{\n  "cis": ');
  await jsonArray(store.streamCIs(), (ci) => JSON.stringify(canonicalCI(ci)), sink);
  await sink(',\n  "relationships": ');
  await jsonArray(store.streamRelationships(), (r) => JSON.stringify(canonicalRelationship(r)), sink);
  await sink('\n}\n');
}

/** One element per line, so exports diff well and stream without building one big string. */
async function jsonArray<T>(pages: AsyncIterable<T[]>, line: (item: T) => string, sink: Sink): Promise<void> {
  let count = 0;
  await sink('[');
  for await (const page of pages) {
    await sink(page.map((item) => `${count++ === 0 ? '' : ','}\n    ${line(item)}`).join(''));
  }
  await sink(count === 0 ? ']' : '\n  ]');
}

export async function exportNdjson(store: GraphStore, sink: Sink): Promise<void> {
  for await (const page of store.streamCIs()) {
    await sink(page.map((ci) => `${JSON.stringify({ kind: 'ci', ...canonicalCI(ci) })}\n`).join(''));
  }
  for await (const page of store.streamRelationships()) {
    await sink(page.map((r) => `${JSON.stringify({ kind: 'relationship', ...canonicalRelationship(r) })}\n`).join(''));
  }
}

export const CI_CSV_COLUMNS = [
  'id',
  'class',
  'name',
  'status',
  'environment',
  'criticality',
  'owner',
  'tags',
  'attributes',
  'redundancy',
] as const;
export const RELATIONSHIP_CSV_COLUMNS = ['id', 'type', 'from', 'to', 'attributes'] as const;

/** Two files, as spreadsheets expect: one of CIs, one of relationships. */
export async function exportCsv(store: GraphStore, cisSink: Sink, relationshipsSink: Sink): Promise<void> {
  await cisSink(stringify([[...CI_CSV_COLUMNS]]));
  for await (const page of store.streamCIs()) await cisSink(stringify(page.map(ciRow)));
  await relationshipsSink(stringify([[...RELATIONSHIP_CSV_COLUMNS]]));
  for await (const page of store.streamRelationships()) await relationshipsSink(stringify(page.map(relationshipRow)));
}

function ciRow(ci: CI): string[] {
  const c = canonicalCI(ci);
  return [
    c.id,
    c.class,
    c.name,
    c.status,
    c.environment,
    String(c.criticality),
    c.owner ?? '',
    c.tags.join(';'),
    Object.keys(c.attributes).length > 0 ? JSON.stringify(c.attributes) : '',
    c.redundancy.length > 0 ? JSON.stringify(c.redundancy) : '',
  ];
}

function relationshipRow(r: Relationship): string[] {
  const c = canonicalRelationship(r);
  return [c.id, c.type, c.from, c.to, Object.keys(c.attributes).length > 0 ? JSON.stringify(c.attributes) : ''];
}

/** A Sink over a Node writable stream (file or stdout). */
export function streamSink(stream: NodeJS.WritableStream): Sink {
  return (chunk) =>
    new Promise<void>((resolve, reject) => {
      if (chunk === '') return resolve();
      const ok = stream.write(chunk, (err) => (err ? reject(err) : undefined));
      if (ok) resolve();
      else stream.once('drain', resolve);
    });
}
