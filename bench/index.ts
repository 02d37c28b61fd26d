/**
 * `npm run bench -- NAME [options]`: dispatches to bench/NAME.ts, whose `run(argv)` prints its
 * figures and the ratios against a baseline measured in the same process.
 */
const BENCHES: Record<string, () => Promise<{ run: (argv: string[]) => Promise<unknown> }>> = {
  load: () => import('./load.ts'),
  correlation: () => import('./correlation.ts'),
  'correlation-nezha': () => import('./correlation-nezha.ts'),
  api: () => import('./api.ts'),
  impact: () => import('./impact.ts'),
  'import-formats': () => import('./import-formats.ts'),
  follow: () => import('./follow.ts'),
  ui: () => import('./ui.ts'),
  outage: () => import('./outage.ts'),
  audit: () => import('./audit.ts'),
  'as-of': () => import('./as-of.ts'),
};

const [name, ...argv] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]`);
  process.exit(2);
}
await (await load()).run(argv);
