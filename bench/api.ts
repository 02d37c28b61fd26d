/**
 * `npm run bench -- api`: HTTP throughput and latency of the API on loopback against the demo
 * CMDB (a fresh SQLite file), with auth on (a viewer token, so token lookup is in the path) and
 * rate limiting off. Scenarios: `GET /api/v1/cis/:id` (one store read) and a filtered list query
 * (mirror filter + a page of store reads). Prints requests/s and p50 / p99 latency per scenario.
 *
 * Options: --duration S (default 10), --connections N (default 10), --json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { TokenService } from '../engine/auth/tokens.ts';
import { importParsed, readImportFiles } from '../engine/io/import.ts';
import { createApp } from '../api/app.ts';

const DEMO = fileURLToPath(new URL('../fixtures/demo/cmdb.json', import.meta.url));

interface ScenarioResult {
  scenario: string;
  path: string;
  requests: number;
  rps: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
}

function option(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`bench api: ${name} needs a positive number`);
  return v;
}

export async function run(args: readonly string[] = []): Promise<ScenarioResult[]> {
  const duration = option(args, '--duration', 10);
  const connections = option(args, '--connections', 10);
  const json = args.includes('--json');
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-api-'));
  const store = new SqliteStore(join(dir, 'bench.sqlite'));
  const cmdb = await Cmdb.open({ store, registry: Registry.load() });
  try {
    await importParsed(cmdb, await readImportFiles([DEMO]), { actor: 'bench' });
    const tokens = new TokenService(cmdb);
    const { token } = await tokens.create({ name: 'bench', role: 'viewer' }, { actor: 'bench' });
    const app = createApp({ cmdb, tokens, rateLimit: false });
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;

    // A CI with relationships, and the most common class, so both scenarios do real work.
    const g = cmdb.mirror.graph;
    let id = g.nodes()[0]!;
    g.forEachNode((n) => {
      if (g.degree(n) > g.degree(id)) id = n;
    });
    const byClass = new Map<string, number>();
    g.forEachNode((_n, a) => byClass.set(a.class, (byClass.get(a.class) ?? 0) + 1));
    const [cls] = [...byClass.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const scenarios = [
      { scenario: 'get CI', path: `/api/v1/cis/${encodeURIComponent(id)}` },
      { scenario: 'list (class filter, 50 per page)', path: `/api/v1/cis?class=${cls}&limit=50` },
      { scenario: 'list (name search, 20 per page)', path: `/api/v1/cis?q=db&limit=20` },
    ];
    if (!json)
      console.log(
        `bench api: demo CMDB ${g.order} CIs / ${g.size} relationships on SQLite; ${connections} connections, ${duration} s per scenario, auth on`,
      );
    const results: ScenarioResult[] = [];
    for (const s of scenarios) {
      const r = await autocannon({
        url: `http://127.0.0.1:${port}${s.path}`,
        connections,
        duration,
        headers: { authorization: `Bearer ${token}` },
      });
      const res: ScenarioResult = {
        scenario: s.scenario,
        path: s.path,
        requests: r.requests.total,
        rps: Math.round(r.requests.average),
        p50ms: r.latency.p50,
        p99ms: r.latency.p99,
        non2xx: r.non2xx,
        errors: r.errors,
      };
      results.push(res);
      if (!json)
        console.log(
          `  ${res.scenario.padEnd(36)} ${String(res.rps).padStart(7)} req/s   p50 ${String(res.p50ms).padStart(4)} ms   p99 ${String(res.p99ms).padStart(4)} ms   (${res.requests} requests, ${res.non2xx} non-2xx, ${res.errors} errors)   ${res.path}`,
        );
    }
    if (json) console.log(JSON.stringify(results, null, 2));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return results;
  } finally {
    await cmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await run(process.argv.slice(2));
}
