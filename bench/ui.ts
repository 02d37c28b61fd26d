/**
 * `npm run bench -- ui [--cis 40000] [--runs 3] [--frames 120] [--json]`: the web UI's impact map in
 * headless Chromium (Debian's, driven by playwright-core) against the real server (auth on) on a
 * generated CMDB. For maps of about 200, 2,000 and 10,000 impacted CIs (origins picked from the
 * generated graph by their blast-radius size; the server groups past 2,000 nodes as it always does):
 *   - first render: ms from navigation start to cytoscape's first drawn frame of the map (API call,
 *     JSON, model + layout, canvas), and the API call's own share (Resource Timing);
 *   - panning: frame-to-frame time while panning the map one step per animation frame.
 * Each figure is the median of `--runs` fresh page loads; the load average is printed beside it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { createApp } from '../api/app.ts';
import { TokenService } from '../engine/auth/tokens.ts';
import { Cmdb } from '../engine/cmdb.ts';
import { blastRadius } from '../engine/impact/index.ts';
import { addImportDocument, emptyImport, importParsed } from '../engine/io/import.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { generateGraph } from '../fixtures/generate.ts';
import { buildUi } from '../viz/build.ts';

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const TARGETS = [200, 2000, 10_000];
const CANDIDATE_CLASSES = new Set([
  'PDU',
  'Rack',
  'Switch',
  'Cluster',
  'Hypervisor',
  'KubernetesCluster',
  'KubernetesNode',
  'Database',
  'DataCenter',
  'StorageArray',
  'Router',
  'DnsZone',
  'IdentityProvider',
  'NetworkSegment',
]);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))]!;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' / ');

export interface UiBenchRow {
  target: number;
  origin: string;
  impacted: number;
  drawnNodes: number;
  firstRenderMs: number;
  apiMs: number;
  frameMedianMs: number;
  frameP95Ms: number;
  load: string;
}

export async function run(argv: readonly string[] = []): Promise<UiBenchRow[]> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      cis: { type: 'string', default: '40000' },
      runs: { type: 'string', default: '3' },
      frames: { type: 'string', default: '120' },
      seed: { type: 'string', default: '7' },
      sizes: { type: 'string', default: TARGETS.join(',') },
      verbose: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const cis = Number(values.cis);
  const runs = Number(values.runs);
  const frames = Number(values.frames);
  await buildUi({ quiet: true });
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-ui-'));
  const store = new SqliteStore(join(dir, 'ui.sqlite'));
  await store.init();
  const cmdb = await Cmdb.open({ store, registry: Registry.load() });
  let server: Server | undefined;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
  try {
    const doc: { cis: unknown[]; relationships: unknown[] } = { cis: [], relationships: [] };
    for (const item of generateGraph({ cis, seed: Number(values.seed) })) {
      const { kind, ...row } = item;
      (kind === 'ci' ? doc.cis : doc.relationships).push(row);
    }
    const parsed = emptyImport();
    addImportDocument(parsed, 'generated', doc);
    await importParsed(cmdb, parsed, { actor: 'bench' });
    console.log(
      `bench ui: generated CMDB of ${cmdb.mirror.graph.order.toLocaleString('en')} CIs, ${cmdb.mirror.graph.size.toLocaleString('en')} relationships (seed ${values.seed})`,
    );

    // Origins: the candidate whose blast radius is closest to each target size.
    const sizes: [string, number][] = [];
    cmdb.mirror.graph.forEachNode((id, a) => {
      if (CANDIDATE_CLASSES.has((a as { class: string }).class)) sizes.push([id, 0]);
    });
    const index = cmdb.impactIndex();
    for (const s of sizes) s[1] = blastRadius(index, cmdb.registry, [{ ci: s[0], effect: 'down' }]).impacted.length;
    const targets = values.sizes.split(',').map(Number);
    const origins = targets.map((t) =>
      sizes.reduce((best, s) => (Math.abs(Math.log(s[1] + 1) - Math.log(t)) < Math.abs(Math.log(best[1] + 1) - Math.log(t)) ? s : best)),
    );

    const tokens = new TokenService(cmdb);
    const token = (await tokens.create({ name: 'bench-viewer', role: 'viewer' }, { actor: 'bench' })).token;
    const app = createApp({ cmdb, tokens, rateLimit: false });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const rows: UiBenchRow[] = [];
    for (let i = 0; i < targets.length; i++) {
      const [origin, impacted] = origins[i]!;
      const first: number[] = [];
      const api: number[] = [];
      const frameMedians: number[] = [];
      const frameP95s: number[] = [];
      let drawn = 0;
      for (let r = 0; r < runs; r++) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
        // tsx compiles with keepNames: functions sent to page.evaluate call esbuild's __name helper.
        await context.addInitScript('globalThis.__name = (f) => f;');
        await context.addInitScript((t: string) => sessionStorage.setItem('cmdb.token', t), token);
        const page = await context.newPage();
        await page.goto(`${base}/impact?ci=${encodeURIComponent(origin)}`);
        await page.waitForSelector('[data-testid=map][data-rendered]', { timeout: 120_000 });
        const m = await page.evaluate(() => {
          const el = document.querySelector('[data-testid=map]') as HTMLElement & { _cyreg: { cy: { nodes(): { length: number } } } };
          const entry = performance.getEntriesByType('resource').find((e) => e.name.endsWith('/api/v1/impact')) as
            PerformanceResourceTiming | undefined;
          const marks = Object.fromEntries(performance.getEntriesByType('mark').map((e) => [e.name, Math.round(e.startTime)]));
          return {
            rendered: Number(el.getAttribute('data-rendered')),
            api: entry ? entry.responseEnd - entry.startTime : NaN,
            apiStart: entry ? Math.round(entry.startTime) : NaN,
            nodes: el._cyreg.cy.nodes().length,
            marks,
          };
        });
        if (values.verbose)
          console.log(
            `  run ${r + 1}: api request at ${m.apiStart} ms, marks ${JSON.stringify(m.marks)}, first frame ${m.rendered.toFixed(0)} ms`,
          );
        first.push(m.rendered);
        api.push(m.api);
        drawn = m.nodes;
        const deltas = await page.evaluate(async (n: number) => {
          const el = document.querySelector('[data-testid=map]') as unknown as {
            _cyreg: { cy: { panBy(p: { x: number; y: number }): void } };
          };
          const cy = el._cyreg.cy;
          const out: number[] = [];
          let last = performance.now();
          await new Promise<void>((resolve) => {
            let k = 0;
            const step = (t: number) => {
              out.push(t - last);
              last = t;
              cy.panBy({ x: k % 60 < 30 ? 6 : -6, y: k % 40 < 20 ? 3 : -3 });
              if (++k < n) requestAnimationFrame(step);
              else resolve();
            };
            requestAnimationFrame(step);
          });
          return out.slice(1);
        }, frames);
        frameMedians.push(median(deltas));
        frameP95s.push(pct(deltas, 0.95));
        await context.close();
      }
      const row: UiBenchRow = {
        target: targets[i]!,
        origin,
        impacted,
        drawnNodes: drawn,
        firstRenderMs: median(first),
        apiMs: median(api),
        frameMedianMs: median(frameMedians),
        frameP95Ms: median(frameP95s),
        load: load(),
      };
      rows.push(row);
      if (!values.json)
        console.log(
          `~${row.target.toLocaleString('en')} impacted: ${origin} → ${impacted.toLocaleString('en')} CIs, ${drawn.toLocaleString('en')} nodes drawn; first render ${row.firstRenderMs.toFixed(0)} ms (API ${row.apiMs.toFixed(0)} ms; runs ${first.map((x) => x.toFixed(0)).join(', ')}); pan frame median ${row.frameMedianMs.toFixed(1)} ms, p95 ${row.frameP95Ms.toFixed(1)} ms; load ${row.load}`,
        );
    }
    if (values.json) console.log(JSON.stringify(rows, null, 2));
    return rows;
  } finally {
    await browser.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((r) => server!.close(r));
    }
    await cmdb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
