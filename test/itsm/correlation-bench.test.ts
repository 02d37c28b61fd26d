/**
 * The correlation bench's answer hashes (bench/correlation.ts): what lets a speed change show that
 * it left every answer unchanged. They are only worth something if the same input on the same
 * index always gives the same answer — calls on a warm index reuse pooled buffers, memoised reach
 * counts and cached walks (`ImpactIndex.derived`), and stale state leaking into an answer is exactly
 * what these tests would catch.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCases, generatedView, makeCases, makeRealisticCases, speedRun } from '../../bench/correlation.ts';
import { buildImpactIndex, type ImpactIndex } from '../../engine/impact/index.ts';
import { Registry } from '../../engine/model/registry.ts';

const registry = Registry.load();

describe('correlation bench answer hashes', () => {
  it('answers the accuracy cases on a warm index exactly as on freshly built ones', () => {
    const view = generatedView(3_000, 11);
    const fresh = () => new Map<string, ImpactIndex>([['gen', buildImpactIndex(view, registry, 1)]]);
    const warm = fresh();
    const cases = [...makeCases(warm.get('gen')!, 'gen', 12, 11), ...makeRealisticCases(warm.get('gen')!, 'gen', 12, 12)];
    const first = evaluateCases(registry, warm, cases);
    const again = evaluateCases(registry, warm, cases);
    const other = evaluateCases(registry, fresh(), cases);
    expect(first.resultHash).toMatch(/^[0-9a-f]{16}$/);
    expect(again.resultHash).toBe(first.resultHash);
    expect(other.resultHash).toBe(first.resultHash);
    // A different set of cases gives a different hash: the hash does read the answers.
    expect(evaluateCases(registry, warm, cases.slice(1)).resultHash).not.toBe(first.resultHash);
  });

  it('gives one answer on every warm call of the speed run and reports each call with its load', () => {
    const r = speedRun(registry, 4_000, 400, 5, 3);
    expect(r.warm).toHaveLength(3);
    for (const w of r.warm) {
      expect(w.ms).toBeGreaterThan(0);
      expect(w.cpuMs).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(w.load)).toBe(true);
    }
    expect(r.warmMs).toBe([...r.warm.map((w) => w.ms)].sort((a, b) => a - b)[1]);
    expect(r.hashes.warm).toMatch(/^[0-9a-f]{16}$/);
    // The warm answer is the cold one (the run throws otherwise); other incidents are another answer.
    expect(r.hashes.cold).toBe(r.hashes.warm);
    expect(r.hashes.other).not.toBe(r.hashes.warm);
    expect(r.incidents).toBe(400);
  });
});
