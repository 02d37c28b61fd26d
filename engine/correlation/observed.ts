/**
 * The pair reading of an observed alert. An incident with `observedBy` says "the calls of A (an
 * observer) to B (its CI) got slow" — a statement about a pair whose cause is B, the link between
 * them, or A itself; the incident format without it can only say "B alerts". This module turns the
 * observations of one time cluster into what the evidence walk and the own-incident signal read:
 *
 *   - **Either end explains it.** The observer A is added to B's upward walk at one hop (a fault at
 *     A slows every call A makes), and B to A's walk when A is itself an incident CI (A's slowness
 *     is explained by the callee it saw slow) — the second also stands for an A → B dependency the
 *     CMDB may lack (the observed call is evidence of the edge; where the edge is stored, B is in
 *     A's walk already and nothing is added).
 *   - **Own-incident credit goes to B only, discounted by fan-out.** A fault at A inflates every
 *     edge out of A, a fault at B every edge into B. With in(B) the observers of B and out(A) the
 *     callees A saw slow in the cluster, B's share of the alert on A → B is
 *     in(B) / (in(B) + out(A) − 1): 1 when A saw only B slow (the plain callee reading), 1/5 when A
 *     saw five callees slow and B is seen slow by A alone. A unit's own-incident credit is the
 *     largest share over its incidents, 1 for an incident that is not an observation (B's own CPU
 *     alert keeps its full credit). The observer gets no own-incident credit from what it saw: it
 *     is credited by explaining its callees' alerts (above).
 *
 * A pure function of the cluster's incidents (node numbers of the impact index), no graph reads:
 * whether an edge is stored is the walk's business (evidence.ts skips a node already reached).
 */

/** One incident of the cluster as the pair reading needs it: its CIs (callees) and its observers, as index nodes. */
export interface ObservedInc {
  nodes: readonly number[];
  /** Observers A (index nodes, none of `nodes`); empty when the incident is not an observation. */
  observers: readonly number[];
}

export interface PairReading {
  /** Per unit node, nodes added to its upward walk at one hop (its observers, and the callees it saw slow). */
  extras: ReadonlyMap<number, readonly number[]>;
  /** Per observer node, the callees it saw slow: a walk step between such a pair is an observed call, not a stored relationship. */
  calls: ReadonlyMap<number, ReadonlySet<number>>;
  /** Own-incident credit of a unit node in (0, 1] (absent: 1). */
  ownCredit: ReadonlyMap<number, number>;
}

/** The pseudo relationship type of an evidence step that is an observed call (A's calls to B) rather than a stored relationship. */
export const OBSERVED_CALL = 'OBSERVED_CALL';

/** The pair reading of one time cluster, or undefined when no incident of it is an observation (the reading of old callers, unchanged). */
export function readPairs(incs: readonly ObservedInc[]): PairReading | undefined {
  const calls = new Map<number, Set<number>>();
  const seenBy = new Map<number, Set<number>>();
  const units = new Set<number>();
  for (const inc of incs) {
    for (const v of inc.nodes) units.add(v);
    for (const a of inc.observers) {
      let callees = calls.get(a);
      if (callees === undefined) calls.set(a, (callees = new Set()));
      for (const b of inc.nodes) {
        callees.add(b);
        let observers = seenBy.get(b);
        if (observers === undefined) seenBy.set(b, (observers = new Set()));
        observers.add(a);
      }
    }
  }
  if (calls.size === 0) return undefined;
  const extras = new Map<number, number[]>();
  const add = (unit: number, v: number) => {
    let list = extras.get(unit);
    if (list === undefined) extras.set(unit, (list = []));
    // Stryker disable next-line ConditionalExpression: equivalent — appendObserved (evidence.ts) skips a node the walk already holds, so a repeated entry adds nothing
    if (!list.includes(v)) list.push(v);
  };
  for (const [b, observers] of seenBy) for (const a of observers) add(b, a);
  for (const [a, callees] of calls) if (units.has(a)) for (const b of callees) add(a, b);
  for (const list of extras.values()) list.sort((x, y) => x - y);
  const ownCredit = new Map<number, number>();
  for (const inc of incs) {
    for (const b of inc.nodes) {
      let credit = 1;
      if (inc.observers.length > 0) {
        const inB = seenBy.get(b)!.size;
        credit = 0;
        for (const a of inc.observers) credit = Math.max(credit, inB / (inB + calls.get(a)!.size - 1));
      }
      ownCredit.set(b, Math.max(ownCredit.get(b) ?? 0, credit));
    }
  }
  for (const [v, c] of ownCredit) if (c === 1) ownCredit.delete(v);
  return { extras, calls, ownCredit };
}
