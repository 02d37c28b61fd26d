/**
 * The realistic correlation generator's alerting rule for degraded CIs, shared by the generator
 * (bench/correlation.ts) and its oracle (bench/correlation-diagnose.ts) so the two cannot drift.
 * Its own module because both import it and each imports the other's exports otherwise.
 */
import { DOWN, type ImpactCore, type ImpactIndex } from '../engine/impact/index.ts';

/**
 * Which degraded CIs the realistic generator lets alert (the lead's decision, docs/decisions.md,
 * "Realistic synthetic alerting follows service impact"): `direct` (the default) — a CI the fault
 * only degrades alerts only where one of its own providers is down (the "redundancy lost" / "member
 * down" alert: one of its two PDU feeds died, one of its replicas is down); a CI degraded only
 * through degraded providers is fully served and raises nothing. `all` — every degraded CI can
 * alert (the generator before that decision; keeps the old rows reproducible).
 */
export type DegradedAlerts = 'all' | 'direct';

/** Per position of `core`: 2 the fault takes it down, 1 degraded with a down direct provider, 0 degraded only transitively. */
export function impactKinds(index: ImpactIndex, core: ImpactCore, mask: Uint8Array): Uint8Array {
  const down = new Set<number>();
  for (let p = 0; p < core.size; p++) if (core.state[p] === DOWN) down.add(core.order[p]!);
  const kinds = new Uint8Array(core.size);
  for (let p = 0; p < core.size; p++) {
    const v = core.order[p]!;
    if (core.state[p] === DOWN) kinds[p] = 2;
    else
      for (let e = index.provOffsets[v]!; e < index.provOffsets[v + 1]!; e++)
        if (mask[index.provType[e]!] !== 0 && down.has(index.provSource[e]!)) {
          kinds[p] = 1;
          break;
        }
  }
  return kinds;
}
