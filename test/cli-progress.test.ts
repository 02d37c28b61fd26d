/**
 * Progress bars per stage (issue #9: a bar read `190000/10000`): hydrating a real SQLite store
 * shows one bar for the CIs and one for the relationships, each counting up to its own total.
 * The bars render into a stream that says it is a terminal, so the real cli-progress output is read.
 */
import { PassThrough } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { hydrationStages, stage } from '../api/commands/progress.ts';
import { Mirror } from '../engine/mirror/mirror.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import type { Mutation } from '../engine/store/port.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function terminal(): { stream: PassThrough; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 120 });
  let out = '';
  stream.on('data', (d: Buffer) => (out += d.toString()));
  // Escape sequences (cursor moves, line clears) removed: what a user reads.
  return { stream, text: () => out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '\n') };
}

it('shows each hydration stage counting up to its own total, never past it', async () => {
  const store = new SqliteStore(join(dir, 'p.sqlite'));
  await store.init();
  const cis = 25_000;
  const batch: Mutation[] = [];
  for (let i = 0; i < cis; i++)
    batch.push({
      op: 'upsertCI',
      ci: {
        id: `vm-${i}`,
        class: 'VirtualMachine',
        name: `vm ${i}`,
        status: 'in_service',
        environment: 'production',
        criticality: 3,
        attributes: {},
        tags: [],
        redundancy: [],
      } as never,
    });
  for (let i = 1; i < cis; i++)
    batch.push({
      op: 'upsertRelationship',
      relationship: { id: `vm-${i}|DEPENDS_ON|vm-${i >> 1}`, type: 'DEPENDS_ON', from: `vm-${i}`, to: `vm-${i >> 1}`, attributes: {} },
    });
  await store.apply(batch, { actor: 'fixture' });
  const totals = await store.counts();

  const tty = terminal();
  const progress = hydrationStages(true, totals, tty.stream);
  await Mirror.hydrate(store, progress.onProgress);
  progress.stop();
  await store.close();

  const shown = [...tty.text().matchAll(/loading (CIs|relationships)\s+\[[^\]]*\]\s+\d+% \| (\d+)\/(\d+)/g)].map((m) => ({
    stage: m[1],
    done: Number(m[2]),
    total: Number(m[3]),
  }));
  expect(shown.filter((s) => s.stage === 'CIs').at(-1)).toEqual({ stage: 'CIs', done: cis, total: cis });
  expect(shown.filter((s) => s.stage === 'relationships').at(-1)).toEqual({ stage: 'relationships', done: cis - 1, total: cis - 1 });
  for (const s of shown) {
    expect(s.total).toBe(s.stage === 'CIs' ? cis : cis - 1);
    expect(s.done).toBeLessThanOrEqual(s.total);
  }
}, 60_000);

it('shows a running count, not a made-up total, for a stage whose total is unknown', () => {
  const tty = terminal();
  const reading = stage(true, 'reading', undefined, tty.stream);
  for (const rows of [10_000, 190_000]) reading.update(rows);
  reading.stop();
  expect(tty.text()).toMatch(/reading 190000 rows/);
  expect(tty.text()).not.toMatch(/\d+\/\d+/);
});
