/**
 * Exact tally sums (engine/correlation/evidence.ts, cover.ts): open times in whole ticks and
 * chronic-noise weights in power-of-two quanta, so a candidate's sums have the same bits whatever
 * order units are added or removed in. The speed work relies on it — the split test's sandbox is
 * filled by subtracting from the tally it splits instead of re-adding its units — and these tests
 * would catch a sum that stopped being exact (a time in minutes, an unquantised weight).
 */
import { describe, expect, it } from 'vitest';
import { generatedView, speedWorkload } from '../../bench/correlation.ts';
import { coveredUnits, entryOf, Tally, type CoverWalks } from '../../engine/correlation/cover.ts';
import { gatherEvidence, tickFor, weightQuantum, W, type Evidence, type Inc } from '../../engine/correlation/evidence.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';
import { registry } from './helpers.ts';

const MINUTE = 60_000;

describe('exact tally sums', () => {
  it('keeps open times in 1 ms ticks unless Σt² could pass 2^53, then takes the smallest power of two that fits', () => {
    expect(tickFor(40, 30 * MINUTE)).toBe(1);
    // 10,000 incident CIs over 30 minutes: 1,800,001² × 10,000 > 2^53, 900,001² × 10,000 < 2^53.
    expect(tickFor(10_000, 30 * MINUTE)).toBe(2);
    for (const [units, span] of [
      [10_000, 30 * MINUTE],
      [200_000, 7 * 24 * 60 * MINUTE],
      [3, 0],
    ] as const) {
      const tick = tickFor(units, span);
      const fits = (q: number) => units * (Math.ceil(span / q) + 1) ** 2 < 2 ** 53;
      expect(fits(tick)).toBe(true);
      if (tick > 1) expect(fits(tick / 2)).toBe(false);
    }
  });

  it('quantises chronic-noise weights to 2^-30, coarser only when that many units could sum past 2^53 quanta', () => {
    expect(weightQuantum(10_000)).toBe(2 ** -30);
    expect(weightQuantum(2 ** 23)).toBe(2 ** -29);
    expect((2 ** 23 + 1) / weightQuantum(2 ** 23)).toBeLessThan(2 ** 53);
  });

  const { index, ev, incs, cw } = setup();

  it('gives a tally the same bits whether its units were added in reverse order or removed from the full sums', () => {
    const removed = new Set<number>();
    for (let u = 0; u < ev.units; u += 3) removed.add(u);
    const byRemoval = new Tally(index, 'exact-a', cw, ev.units, incs.length, ev.candNode.length, false);
    byRemoval.acc.set(ev.sums);
    for (const u of removed) byRemoval.addUnit(ev, u, -1);
    const byAddition = new Tally(index, 'exact-b', cw, ev.units, incs.length, ev.candNode.length, false);
    for (let u = ev.units - 1; u >= 0; u--) if (!removed.has(u)) byAddition.addUnit(ev, u, 1);
    expect(sameBits(byRemoval.acc, byAddition.acc)).toBe(true);
    // Not vacuous: the times are not whole minutes and the weights not dyadic before quantising.
    expect([...ev.unitTime].some((t) => (t - ev.t0) % MINUTE !== 0)).toBe(true);
  });

  it('fills the split test sandbox by subtraction with the same bits and candidates as by addition', () => {
    const tally = Tally.full(index, 'exact-base', cw, ev, incs.length);
    // A few incidents explained first, as the cover would have.
    tally.take(ev, incs, [0, 1, 2, 3, 4]);
    // The units of the candidate reaching the most active units: most of the cluster (subtraction pays).
    let best = 0;
    for (let c = 0; c < ev.candNode.length; c++) if (tally.k(c) > tally.k(best)) best = c;
    const units: number[] = [];
    for (let i = cw.unitOff[best]!; i < cw.unitOff[best + 1]!; i++) if (tally.active[cw.units[i]!]! > 0) units.push(cw.units[i]!);
    const a = sandbox(index, 'exact-sub', tally, ev, incs, cw, units);
    const source = { acc: tally.acc, active: tally.active, entries: tally.activeEntries, reps: cw.unitOff };
    expect(a.fill(ev, units, source)).toBe(true);
    const b = sandbox(index, 'exact-add', tally, ev, incs, cw, units);
    for (const u of units) b.addUnit(ev, u, 1);
    expect(sameBits(a.acc, b.acc)).toBe(true);
    expect([...a.touched!].sort((x, y) => x - y)).toEqual([...b.touched!].sort((x, y) => x - y));
    // A handful of units is cheaper to add, and adding is what it does.
    const few = units.slice(0, 2);
    const c = sandbox(index, 'exact-few', tally, ev, incs, cw, few);
    expect(c.fill(ev, few, source)).toBe(false);
    expect(c.touched!.length).toBeGreaterThan(0);
  });

  it('rebuilds a tally from its staying units when a take removes most of them, with the bits and versions of unit-by-unit removal', () => {
    const all = incs.map((_, p) => p);
    const most = all.filter((p) => p % 10 !== 0);
    const rebuilt = Tally.full(index, 'exact-rebuilt', cw, ev, incs.length);
    rebuilt.take(ev, incs, most);
    // The same take as many small ones: each leaves more than it removes, so each subtracts.
    const stepwise = Tally.full(index, 'exact-stepwise', cw, ev, incs.length);
    for (const p of most) stepwise.take(ev, incs, [p]);
    expect(sameBits(rebuilt.acc, stepwise.acc)).toBe(true);
    expect([...rebuilt.active]).toEqual([...stepwise.active]);
    expect(rebuilt.activeEntries).toBe(stepwise.activeEntries);
    expect(rebuilt.activeEntries).toBeLessThan(cw.off[ev.units]! / 2);
    // Exactly the candidates whose sums changed have a new version (the lazy greedy re-scores them).
    for (let c = 0; c < ev.candNode.length; c++) expect(rebuilt.version[c]! > 0).toBe(stepwise.version[c]! > 0);
    // Taking the rest empties it.
    rebuilt.take(ev, incs, all);
    expect(rebuilt.acc.every((x) => Object.is(x, 0))).toBe(true);
  });

  it('fills a report group holding most of the cluster by subtraction from the cluster sums, as adding its walks would', () => {
    const group = new Set(incs.map((_, p) => p).filter((p) => p % 5 !== 0));
    const make = (name: string) => {
      const t = new Tally(index, name, cw, ev.units, incs.length, ev.candNode.length, true);
      t.versioned = false;
      const units: number[] = [];
      for (const p of group)
        for (const v of incs[p]!.nodes) {
          const u = ev.unitIndex.get(v)!;
          if (t.active[u] === 0) units.push(u);
          t.active[u] = t.active[u]! + 1;
        }
      return { t, units };
    };
    const a = make('exact-report-sub');
    expect(a.t.fill(ev, a.units, { acc: ev.sums, active: undefined, entries: ev.walkOff[ev.units]!, reps: undefined })).toBe(true);
    const b = make('exact-report-add');
    for (const u of b.units) b.t.addUnit(ev, u, 1);
    expect(sameBits(a.t.acc, b.t.acc)).toBe(true);
    expect([...a.t.touched!].sort((x, y) => x - y)).toEqual([...b.t.touched!].sort((x, y) => x - y));
    // Clearing the touched candidates empties it: the others came out of the subtraction as exact zeros.
    a.t.reset();
    expect(a.t.acc.every((x) => Object.is(x, 0))).toBe(true);
  });

  it("reads a report candidate's units off the transpose as the scan of the group's walks finds them, and finds their entries", () => {
    const t = new Tally(index, 'exact-covered', cw, ev.units, incs.length, ev.candNode.length, true);
    const units: number[] = [];
    for (let p = 0; p < incs.length; p += 2)
      for (const v of incs[p]!.nodes) {
        const u = ev.unitIndex.get(v)!;
        if (t.active[u] === 0) units.push(u);
        t.active[u] = t.active[u]! + 1;
      }
    // The candidates reaching the most group units, and one reaching a single unit.
    const counts = new Map<number, number>();
    for (const u of units)
      for (let i = ev.walkOff[u]!; i < ev.walkOff[u + 1]!; i++) counts.set(ev.walkCand[i]!, (counts.get(ev.walkCand[i]!) ?? 0) + 1);
    const byCount = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const cands = [...byCount.slice(0, 4).map(([c]) => c), byCount.find(([, k]) => k === 1)![0]];
    const scanned = coveredUnits(ev, t, cands, units);
    t.transpose = cw;
    const read = coveredUnits(ev, t, cands, units);
    cands.forEach((c, k) => {
      const key = (xs: { u: number; d: number }[]) => xs.map((x) => `${x.u}@${x.d}`).sort();
      expect(read[k]!.length).toBe(counts.get(c));
      expect(key(read[k]!)).toEqual(key(scanned[k]!));
      for (const x of read[k]!) {
        const e = entryOf(ev, x, c);
        expect(ev.walkCand[e]).toBe(c);
        expect(ev.walkDist[e]).toBe(x.d);
        expect(e).toBeGreaterThanOrEqual(ev.walkOff[x.u]!);
        expect(e).toBeLessThan(ev.walkOff[x.u + 1]!);
      }
    });
  });
});

function setup(): { index: ImpactIndex; ev: Evidence; incs: Inc[]; cw: CoverWalks } {
  const index = buildImpactIndex(generatedView(3_000, 11), registry, 1);
  const { list } = speedWorkload(index, 300, 11);
  // Times off the minute grid and weights that are not dyadic fractions: the worst case for order.
  const incs: Inc[] = list
    .map((x, i) => ({
      id: x.id,
      nodes: [...new Set(x.cis)].map((ci) => index.idToIndex.get(ci)!),
      t: Date.parse(String(x.openedAt)) + ((i * 7919) % 59_999),
      strength: Number.NaN,
      signal: undefined,
      observers: [],
    }))
    .sort((p, q) => p.t - q.t || (p.id < q.id ? -1 : 1));
  const ev = gatherEvidence(index, incs, 16, 4096, [], (v) => 0.1 + (v % 9) / 10);
  // Every candidate kept (the compaction's job is elsewhere): the transpose of the full walks.
  const C = ev.candNode.length;
  const unitOff = new Int32Array(C + 1);
  for (const c of ev.walkCand) unitOff[c + 1]!++;
  for (let c = 0; c < C; c++) unitOff[c + 1]! += unitOff[c]!;
  const fill = unitOff.slice(0, C);
  const units = new Int32Array(ev.walkCand.length);
  const unitDist = new Uint8Array(ev.walkCand.length);
  for (let u = 0; u < ev.units; u++)
    for (let i = ev.walkOff[u]!; i < ev.walkOff[u + 1]!; i++) {
      unitDist[fill[ev.walkCand[i]!]!] = ev.walkDist[i]!;
      units[fill[ev.walkCand[i]!]!++] = u;
    }
  return { index, ev, incs, cw: { off: ev.walkOff, cand: ev.walkCand, dist: ev.walkDist, unitOff, units, unitDist } };
}

/** A split-test sandbox with `units` active, as `trySplit` prepares it. */
function sandbox(index: ImpactIndex, name: string, tally: Tally, ev: Evidence, incs: Inc[], cw: CoverWalks, units: number[]): Tally {
  const t = new Tally(index, name, cw, ev.units, incs.length, ev.candNode.length, true);
  for (const u of units) {
    t.active[u] = tally.active[u]!;
    for (const p of ev.unitIncidents[u]!) if (tally.incidentActive[p] === 1) t.incidentActive[p] = 1;
  }
  return t;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length || a.length % W !== 0) return false;
  const x = new BigInt64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigInt64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
