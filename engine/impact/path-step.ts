/**
 * How a relationship is reported in `via` paths: as stored, in the direction it reads, whichever end
 * provides. One place turns an index entry (provider, dependent, type index) back into that form.
 */

/** A stored relationship as reported in paths: in the direction it reads. */
export interface PathStep {
  from: string;
  type: string;
  to: string;
}

/** What `stepOf` reads of an index. */
export interface StepNames {
  readonly nodeIds: readonly string[];
  readonly typeNames: readonly string[];
  readonly typeProviderIsFrom: Uint8Array;
}

/** The stored relationship between `provider` and `dependent` through type index `t`. */
export function stepOf(index: StepNames, provider: number, dependent: number, t: number): PathStep {
  const p = index.nodeIds[provider]!;
  const d = index.nodeIds[dependent]!;
  const type = index.typeNames[t]!;
  return index.typeProviderIsFrom[t] === 1 ? { from: p, type, to: d } : { from: d, type, to: p };
}

/** `stepOf`, returning the step last built into `dependent` (kept in `cache`) when it is the same relationship. */
export function cachedStepOf(index: StepNames, cache: (PathStep | undefined)[], provider: number, dependent: number, t: number): PathStep {
  const c = dependent < cache.length ? cache[dependent] : undefined;
  if (c !== undefined && c.type === index.typeNames[t]) {
    const p = index.nodeIds[provider]!;
    const d = index.nodeIds[dependent]!;
    if (index.typeProviderIsFrom[t] === 1 ? c.from === p && c.to === d : c.from === d && c.to === p) return c;
  }
  const st = stepOf(index, provider, dependent, t);
  if (dependent < cache.length) cache[dependent] = st;
  return st;
}
