/**
 * What every signal processor sees about one candidate root cause, gathered in one pass over the
 * incident CIs it covers, and the shape of what it emits (STYLE.md #11: small processors emitting
 * tagged results that are folded into the score).
 */
import type { CorrelationWeights, Factor } from '../types.ts';

export interface CandidateStats {
  /** CIs in the graph (the noise model: an unrelated incident lands on any one of them). */
  n: number;
  /** Fraction of the CIs with an incident in this time cluster: the observed chance rate (see coverage.ts). */
  background: number;
  /** Distinct incident CIs (with an incident still to explain) the candidate reaches upward. */
  k: number;
  /** CIs that depend on the candidate, itself included, within the walk depth. */
  reach: number;
  /**
   * On an estate with redundancy, the report's (engine/correlation/alert-reach.ts): of the `k`
   * incident CIs, those the candidate's failure could make alert (taken down or deprived of a direct
   * provider), and how many CIs that is; `exact` false when `reach` is a lower bound.
   */
  alert?: { k: number; reach: number; exact: boolean };
  /** Sum of the shortest hop counts from the covered incident CIs up to the candidate. */
  sumDistance: number;
  /** Earliest open time (ms) of an incident on the candidate itself, NaN when it has none. */
  ownOpenedAt: number;
  /** Earliest open time (ms) over the covered incident CIs. */
  firstOpenedAt: number;
  /** Sums for the distance/time correlation over covered CIs (time in minutes from firstOpenedAt). */
  sumT: number;
  sumTT: number;
  sumDD: number;
  sumDT: number;
  /** Σ of the covered incident CIs' chronic-noise weights (each in (0, 1]; = k without history). */
  weightSum: number;
  /** Chronic-noise weight of the candidate's own incident CI (1 when it has none or never alerts by chance). */
  ownWeight: number;
  /** Strength of the candidate's own incident in [0, 1] (severity, signal, anomaly score), NaN when not given. */
  ownStrength: number;
  /** 1 when none of the candidate's direct providers has an incident in the cluster. */
  ownQuiet: number;
  /**
   * Share of its own incident's credit the candidate keeps, in (0, 1]: below 1 only when its
   * incidents are all observed alerts whose observer saw other callees slow too (observed.ts).
   */
  ownCredit: number;
  /** Implemented times (ms) of changes on the candidate, ascending, with their ids. */
  changes: readonly { id: string; at: number }[];
}

export interface SignalContext {
  weights: CorrelationWeights;
  /** How long before the first incident a change still counts (ms). */
  changeLookback: number;
  /** Monitoring lag (ms): a change implemented this long after the first incident still counts. */
  changeGrace: number;
  /** Prior probability of an unrelated incident on one given CI within the window. */
  noiseRate: number;
  /** Share of the observed fraction of CIs with an incident taken as the floor of the chance rate. */
  backgroundShare: number;
}

export type Signal = (s: CandidateStats, ctx: SignalContext) => Factor;
