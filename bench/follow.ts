/**
 * `npm run bench -- follow [--store SPEC] [--writes 30] [--batch 10000] [--interval 250]`: what the
 * log follower (engine/mirror/follower.ts) costs and how fast another writer's events arrive.
 * Two Cmdb instances on one store, as two servers: A writes, B follows.
 *
 * - poll cost: one `lastSeq()` (what every idle poll does), median of many;
 * - propagation: A commits one CI; time until B's mirror has it, median of `--writes` (the
 *   baseline it is compared with is the poll interval: the expected median is about half of it);
 * - catch-up: A commits `--batch` CIs in one import; time until B has applied them all.
 * Each figure is printed with the 1-minute load average beside it (the machine is shared).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { openStore } from '../engine/store/open.ts';
import type { Mutation } from '../engine/store/port.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const load = () => loadavg()[0]!.toFixed(2);
const ci = (id: string): Mutation => ({
  op: 'upsertCI',
  ci: {
    id,
    class: 'Application',
    name: id,
    status: 'in_service',
    environment: 'production',
    criticality: 3,
    attributes: {},
    tags: [],
    redundancy: [],
  } as never,
});

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setImmediate(r));
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      store: { type: 'string' },
      writes: { type: 'string', default: '30' },
      batch: { type: 'string', default: '10000' },
      interval: { type: 'string', default: '250' },
    },
  });
  const tmp = mkdtempSync(join(tmpdir(), 'cmdb-bench-follow-'));
  const spec = values.store ?? `sqlite:${join(tmp, 'follow.sqlite')}`;
  const registry = Registry.load();
  const a = await Cmdb.open({ store: await openStore(spec), registry });
  const b = await Cmdb.open({ store: await openStore(spec), registry });
  const interval = Number(values.interval);
  try {
    const prefix = `bench-${Date.now()}`;
    await a.apply([ci(`${prefix}-warm`)], { actor: 'bench' });

    const polls: number[] = [];
    for (let i = 0; i < 500; i++) {
      const t = performance.now();
      await b.store.lastSeq();
      polls.push(performance.now() - t);
    }
    console.log(
      `${spec.split(':')[0]}: poll cost (lastSeq) median ${median(polls).toFixed(3)} ms over ${polls.length} polls   load ${load()}`,
    );

    b.follow({ intervalMs: interval });
    await until(() => b.seq === a.seq);
    const lat: number[] = [];
    for (let i = 0; i < Number(values.writes); i++) {
      // Writes land at random points of the poll cycle, as real ones do.
      await new Promise((r) => setTimeout(r, Math.random() * interval));
      const res = await a.apply([ci(`${prefix}-w${i}`)], { actor: 'bench' });
      const t = performance.now();
      await until(() => b.seq >= res.seq);
      lat.push(performance.now() - t);
    }
    console.log(
      `propagation, one CI: median ${median(lat).toFixed(1)} ms, max ${Math.max(...lat).toFixed(1)} ms over ${lat.length} writes (poll interval ${interval} ms; expected median ≈ ${interval / 2} ms)   load ${load()}`,
    );

    const n = Number(values.batch);
    const batch = Array.from({ length: n }, (_, i) => ci(`${prefix}-b${i}`));
    const res = await a.apply(batch, { actor: 'bench' });
    const t = performance.now();
    await until(() => b.seq >= res.seq);
    const ms = performance.now() - t;
    console.log(
      `catch-up of ${n} events: ${ms.toFixed(0)} ms after the commit (${Math.round(n / (ms / 1000))} events/s incl. the wait for the next poll)   load ${load()}`,
    );
  } finally {
    await Promise.all([a.close(), b.close()]);
    rmSync(tmp, { recursive: true, force: true });
  }
}
