/**
 * Runs in a fresh process (spawned by load.ts): hydrates a mirror from a store and prints the
 * time and memory it took as JSON on stdout. Usage: hydrate-child.ts STORE_SPEC check|nocheck [nodict]
 * (`nodict`: without dictionary-mode adjacency, to measure what it gains).
 */
import { Mirror } from '../engine/mirror/mirror.ts';
import { checkMirror } from '../engine/mirror/check.ts';
import { openStore } from '../engine/store/open.ts';

const [spec, check, dict] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
const store = await openStore(spec);
await store.init();
gc?.();
const rss0 = process.memoryUsage().rss;
const t = performance.now();
const mirror = await Mirror.hydrate(store, undefined, { dictionaryAdjacency: dict !== 'nodict' });
const seconds = (performance.now() - t) / 1000;
gc?.();
const mem = process.memoryUsage();
const consistent = check === 'check' ? (await checkMirror(mirror, store)).consistent : null;
const storeSeq = await store.lastSeq();
await store.close();
process.stdout.write(
  JSON.stringify({
    seconds,
    rssDeltaMb: (mem.rss - rss0) / 1e6,
    heapUsedMb: mem.heapUsed / 1e6,
    cis: mirror.graph.order,
    relationships: mirror.graph.size,
    mirrorSeq: mirror.seq,
    storeSeq,
    consistent,
  }),
);
