/**
 * `npm run bench -- outage [--reps N] [--json]`: what a client waits for while Neo4j is down, with
 * and without the store circuit breaker (engine/store/breaker.ts). A Neo4j of its own is started
 * with the demo CMDB; two apps serve it — one over the bare Neo4jStore (driver defaults), one over
 * the same store behind the breaker (as `openStore` opens it). Neo4j is stopped, and each app is
 * timed on: an authenticated mirror read (neighbours), a CI get (store read, mirror fallback) and a
 * write (503). Then Neo4j is started again and the time until a write succeeds is measured.
 * Medians of N sequential requests; the 1-minute load average is printed beside each figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import type { Express } from 'express';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { TokenService } from '../engine/auth/tokens.ts';
import { importParsed, readImportFiles } from '../engine/io/import.ts';
import { Neo4jStore } from '../engine/store/neo4j-store.ts';
import { withBreaker } from '../engine/store/breaker.ts';
import type { GraphStore } from '../engine/store/port.ts';
import { createApp } from '../api/app.ts';
import { freePort, startNeo4j, type RunningNeo4j } from '../scripts/neo4j.ts';

const DEMO = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));

interface Row {
  app: string;
  what: string;
  statuses: number[];
  medianMs: number;
  maxMs: number;
  load1: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function served(store: GraphStore, name: string): Promise<{ app: Express; cmdb: Cmdb; auth: string }> {
  await store.init();
  const cmdb = await Cmdb.open({ store, registry: Registry.load() });
  const tokens = new TokenService(cmdb);
  const { token } = await tokens.create({ name: `bench-${name}-${Date.now()}`, role: 'engineer' }, { actor: 'bench' });
  const app = createApp({ cmdb, tokens, rateLimit: false, authFailureLimit: false });
  return { app, cmdb, auth: `Bearer ${token}` };
}

export async function run(args: readonly string[] = []): Promise<Row[]> {
  const i = args.indexOf('--reps');
  const reps = i >= 0 ? Number(args[i + 1]) : 5;
  const json = args.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-outage-'));
  const port = await freePort();
  const dataDir = join(dir, 'data');
  let neo: RunningNeo4j | undefined = await startNeo4j({ port, dataDir, runDir: dir, detached: false, heap: '512m' });
  const rows: Row[] = [];
  const apps: { name: string; app: Express; cmdb: Cmdb; auth: string }[] = [];
  try {
    const loader = new Neo4jStore({ url: neo.uri });
    await loader.init();
    const cmdb = await Cmdb.open({ store: loader, registry: Registry.load() });
    await importParsed(cmdb, await readImportFiles([DEMO]), { actor: 'bench' });
    await cmdb.close();
    apps.push({ name: 'bare store', ...(await served(new Neo4jStore({ url: neo.uri }), 'bare')) });
    apps.push({ name: 'breaker', ...(await served(withBreaker(new Neo4jStore({ url: neo.uri }), { watchMs: 1000 }), 'breaker')) });
    const ci = apps[0]!.cmdb.mirror.graph.nodes().find((n) => apps[0]!.cmdb.mirror.graph.degree(n) > 2)!;
    for (const a of apps)
      await request(a.app)
        .get(`/api/v1/cis/${encodeURIComponent(ci)}`)
        .set('Authorization', a.auth)
        .expect(200);

    await neo.stop();
    neo = undefined;
    // Give the watcher its second: the figure is "once the store is known down".
    await new Promise((r) => setTimeout(r, 2000));

    const scenarios: [string, (a: (typeof apps)[number], n: number) => request.Test][] = [
      [
        'mirror read (neighbours)',
        (a) =>
          request(a.app)
            .get(`/api/v1/cis/${encodeURIComponent(ci)}/neighbours`)
            .set('Authorization', a.auth),
      ],
      [
        'CI get (mirror fallback)',
        (a) =>
          request(a.app)
            .get(`/api/v1/cis/${encodeURIComponent(ci)}`)
            .set('Authorization', a.auth),
      ],
      [
        'write (503)',
        (a, n) =>
          request(a.app)
            .post('/api/v1/cis')
            .set('Authorization', a.auth)
            .send({ id: `bench-outage-${n}`, class: 'Cache', name: 'x' }),
      ],
    ];
    for (const a of apps) {
      for (const [what, make] of scenarios) {
        const ms: number[] = [];
        const statuses: number[] = [];
        for (let n = 0; n < reps; n++) {
          const t0 = performance.now();
          const res = await make(a, n);
          ms.push(performance.now() - t0);
          statuses.push(res.status);
        }
        const row = {
          app: a.name,
          what,
          statuses: [...new Set(statuses)],
          medianMs: Math.round(median(ms)),
          maxMs: Math.round(Math.max(...ms)),
          load1: Number(loadavg()[0]!.toFixed(2)),
        };
        rows.push(row);
        if (!json)
          console.log(
            `${row.app.padEnd(11)} ${row.what.padEnd(26)} status ${row.statuses.join('/')}  median ${row.medianMs} ms  max ${row.maxMs} ms  (load ${row.load1})`,
          );
      }
    }

    neo = await startNeo4j({ port, dataDir, runDir: dir, detached: false, heap: '512m' });
    // Both apps probe at once, so neither figure waits on the other.
    const back = performance.now();
    const recovered = await Promise.all(
      apps.map(async (a) => {
        for (let n = 0; ; n++) {
          const res = await request(a.app)
            .post('/api/v1/cis')
            .set('Authorization', a.auth)
            .send({ id: `bench-back-${a.name.replace(/ /g, '-')}-${n}`, class: 'Cache', name: 'x' });
          if (res.status === 201) return performance.now() - back;
          if (performance.now() - back > 120_000) throw new Error(`bench outage: ${a.name} did not recover in 120 s`);
          await new Promise((r) => setTimeout(r, 100));
        }
      }),
    );
    apps.forEach((a, k) => {
      const ms = Math.round(recovered[k]!);
      const row = {
        app: a.name,
        what: 'first write after restart',
        statuses: [201],
        medianMs: ms,
        maxMs: ms,
        load1: Number(loadavg()[0]!.toFixed(2)),
      };
      rows.push(row);
      if (!json) console.log(`${row.app.padEnd(11)} ${row.what.padEnd(26)} ${row.medianMs} ms after Neo4j answered (load ${row.load1})`);
    });
    if (json) console.log(JSON.stringify(rows, null, 2));
    return rows;
  } finally {
    for (const a of apps) await a.cmdb.close().catch(() => undefined);
    await neo?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
