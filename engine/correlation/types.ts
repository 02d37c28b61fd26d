/**
 * Shapes of the correlation engine (DESIGN.md "Correlation → problem identification"): what goes
 * in (incidents with CIs and open times, optional implemented changes) and what comes out (groups
 * of incidents, each with ranked root-cause candidates, their score breakdown and evidence paths).
 */
import type { Registry } from '../model/registry.ts';

/** What an alert measured: the RED/USE families. Saturation and availability point at a cause; latency travels up to callers. */
export const INCIDENT_SIGNALS = ['latency', 'errors', 'saturation', 'availability'] as const;
export type IncidentSignal = (typeof INCIDENT_SIGNALS)[number];

/**
 * One incident as correlation sees it. `openedAt`: ISO-8601 string, epoch ms or Date. The optional
 * fields are further evidence on the incident's own CI (an incident without them weighs as before):
 * `severity` 1 (most severe) … 4, the `signal` that fired, and the detector's `anomalyScore` (≥ 0,
 * e.g. a robust z-score).
 *
 * `observedBy`: the CIs that observed the alert — "A's calls to B got slow" is an incident on B
 * (`cis`) observed by A (an APM edge series, a client-side probe). The cause may be either end:
 * the observer may explain the alert, the observed call counts as a dependency the CMDB may lack,
 * and B's own-incident credit shrinks when A saw its other callees slow too (observed.ts).
 * Absent or empty, the incident reads as before.
 */
export interface CorrelationIncident {
  id: string;
  cis: readonly string[];
  openedAt: string | number | Date;
  severity?: number;
  signal?: IncidentSignal;
  anomalyScore?: number;
  observedBy?: readonly string[];
}

/** A past incident (any state), for chronic-noise awareness: how often each CI alerts. */
export interface HistoricalIncident {
  cis: readonly string[];
  openedAt: string | number | Date;
  /** What fired, when known: chronic noise is learned per CI and signal. */
  signal?: IncidentSignal;
  /**
   * The CIs that observed it ("A's calls to B got slow", see `CorrelationIncident`): learned as the
   * pair's chronic rate, not as B's own (history.ts). Absent: B's own alert, as before.
   */
  observedBy?: readonly string[];
}

/** A change implemented on some CIs (the "recent change" signal). */
export interface CorrelationChange {
  id: string;
  cis: readonly string[];
  implementedAt: string | number | Date;
}

/** Relative weights of the signals; every contribution is in nats (natural-log likelihood units). */
export interface CorrelationWeights {
  /** Multiplies the coverage and specificity terms (the likelihood ratio itself). */
  likelihood: number;
  /** Per hop of mean distance from the covered incident CIs up to the candidate (subtracted). */
  distance: number;
  /** When the candidate has an incident of its own. */
  ownIncident: number;
  /** A change implemented on the candidate shortly before the first incident (scaled by recency). */
  recentChange: number;
  /** Times the correlation of distance and open time (providers fail first), in [-1, 1]. */
  timeOrder: number;
  /** When the candidate alerted and none of its own providers did: the natural root of its anomalous subgraph. */
  naturalRoot: number;
}

export const DEFAULT_WEIGHTS: CorrelationWeights = {
  likelihood: 1,
  distance: 0.5,
  ownIncident: 2.5,
  recentChange: 4,
  timeOrder: 1,
  naturalRoot: 0.75,
};

export interface CorrelateOptions {
  registry: Registry;
  /** Incidents further apart than this (a gap in the sorted open times) are correlated separately. Default 30m. */
  window?: number | string;
  changes?: readonly CorrelationChange[];
  /** How long before the first incident a change still counts as "recent". Default 2h. */
  changeLookback?: number | string;
  /** Prior probability of an unrelated incident on one CI within the window (default 1e-4); see signals/coverage.ts. */
  noiseRate?: number;
  /**
   * Floor of the chance rate as a share of the fraction of CIs with an incident in the time cluster
   * (default 0.25; 0 keeps the prior alone); see signals/coverage.ts.
   */
  backgroundShare?: number;
  /** Hops of the upward walk from each incident CI (default 16: generated estates propagate 13 deep). */
  maxDepth?: number;
  /** Nodes one upward walk may visit (default 4096): bounds the cost of a CI under many hubs. */
  maxWalk?: number;
  /** Candidates reported per group (default 5). */
  topCandidates?: number;
  /** Evidence paths reported per candidate (default 10, nearest incident CIs first). */
  maxPaths?: number;
  weights?: Partial<CorrelationWeights>;
  /**
   * Past incidents (the store's history, not the ones being correlated): a CI that alerted in most
   * windows of the history is chronic noise, worth less as evidence and as a candidate. Its rate is
   * the share of `window`-long buckets of the history's span in which it had an incident.
   */
  history?: readonly HistoricalIncident[];
}

export type SignalName =
  'coverage' | 'specificity' | 'distance' | 'own_incident' | 'recent_change' | 'time_order' | 'natural_root' | 'chronic_noise';

/** One signal's tagged result for one candidate: its raw value and what it adds to the score. */
export interface Factor {
  signal: SignalName;
  value: number;
  contribution: number;
  evidence?: Record<string, unknown>;
}

export interface EvidenceStep {
  from: string;
  type: string;
  to: string;
}

/** From an incident CI up to the candidate: the stored relationships, dependent side first. */
export interface EvidencePath {
  incidents: string[];
  ci: string;
  steps: EvidenceStep[];
}

export interface RankedCandidate {
  id: string;
  class: string;
  name: string;
  score: number;
  factors: Factor[];
  /** Incidents of the group this candidate explains. */
  explains: string[];
  paths: EvidencePath[];
}

/**
 * How a group was formed: `shared_provider` — the greedy cover found a CI explaining its incidents;
 * `linked` — incidents whose CIs depend on one another (a caller and the service it calls), or
 * attached to a shared-provider group they are linked to; `single` — one incident alone.
 */
export type GroupBasis = 'shared_provider' | 'linked' | 'single';

export interface CorrelationGroup {
  incidents: string[];
  /** Earliest and latest open time of the group's incidents (ISO). */
  start: string;
  end: string;
  /**
   * Probability that the group is a real problem rather than chance alerts, in [0, 1]: one minus
   * the chance that every incident CI of it alerted by chance (each CI's rate learned from the
   * history, floored by a prior, lowered by strong evidence). Groups are ordered by it.
   */
  confidence: number;
  basis: GroupBasis;
  candidates: RankedCandidate[];
  /**
   * Set when the leading candidates cannot be told apart by the evidence (their scores within
   * 0.5 nats): e.g. two alerting providers of one caller with no relationship between them — a
   * load balancer in front of a service whose edge the CMDB is missing. Both are kept.
   */
  ambiguity?: { candidates: string[]; note: string };
}

export interface CorrelationResult {
  groups: CorrelationGroup[];
  /**
   * Every incident with a known CI is in exactly one group, so this lists only the incidents of
   * `unknownCis` (kept for callers of the earlier shape, where it listed ungrouped incidents).
   */
  unexplained: string[];
  /** Incidents naming no CI of the graph: never correlated. */
  unknownCis: string[];
  /**
   * Work done: candidates (CIs reached by a walk), walk entries (unit → candidate pairs), the
   * entries the cover folds after equal-coverage compaction, signal evaluations and reach walks.
   */
  stats: {
    incidents: number;
    timeClusters: number;
    candidates: number;
    walkEntries: number;
    coverEntries: number;
    evaluated: number;
    reachWalks: number;
  };
}
