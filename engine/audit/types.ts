/**
 * The audit's vocabulary: what a rule is handed (the mirror graph, the impact index, the registry
 * and the CI documents — never a store), what it emits (findings) and how findings are grouped into
 * health-score categories. Every built-in rule and every user rule speaks it, so a report is a fold
 * over their findings (STYLE.md #11).
 */
import type { CI } from '../model/ci.ts';
import type { Registry } from '../model/registry.ts';
import type { ImpactIndex, PathStep } from '../impact/index.ts';
import type { MirrorGraph } from '../mirror/types.ts';

export const SEVERITIES = ['error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Health-score categories (ServiceNow's CMDB Health split): what a rule's findings lower. */
export const CATEGORIES = ['completeness', 'correctness', 'compliance'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What rules read of the graph: topology of every relationship type, audit-only ones included. */
export type AuditGraph = Pick<
  MirrorGraph,
  | 'hasNode'
  | 'getNodeAttributes'
  | 'forEachNode'
  | 'forEachEdge'
  | 'forEachInEdge'
  | 'forEachOutEdge'
  | 'degree'
  | 'order'
  | 'size'
  | 'source'
  | 'target'
  | 'getEdgeAttributes'
>;

export interface AuditInput {
  /** The mirror graph: every CI and relationship (orphans and audit-only types need all of them). */
  graph: AuditGraph;
  /** The shared impact index over the same graph (propagating relationships, redundancy groups). */
  index: ImpactIndex;
  registry: Registry;
  /** Full CI documents (attributes, tags, timestamps), as the store holds them. */
  cis: readonly CI[];
  /** The audit clock: stale and certificate-expiry measure from it. */
  now: Date;
}

/** One result of one rule. `ci` or `relationship` names the subject; `evidence` says why. */
export interface Finding {
  rule: string;
  ci?: string;
  relationship?: string;
  severity: Severity;
  message: string;
  /** Rule-specific; topology rules put the stored relationships of the path under `path`. */
  evidence: Record<string, unknown> & { path?: PathStep[] };
}

/** A rule as the runner sees it: built-in or compiled from a rule file. */
export interface AuditRule {
  id: string;
  category: Category;
  description: string;
  run(input: AuditContext): Finding[];
}

/** AuditInput plus lookups every rule would otherwise rebuild (run.ts's `auditContext` builds one per run). */
export interface AuditContext extends AuditInput {
  /** Every CI document by id, built on first read. */
  readonly byId: ReadonlyMap<string, CI>;
  /**
   * A value several rules derive from this run's input (a column of the CI documents, a per-node
   * table of the graph): `make()` on first use per `key` (the caller's own token), then the same
   * value for the rest of the run. Per run, never kept: the next run may see other documents.
   */
  derived<T>(key: object, make: () => T): T;
}

export type { PathStep };
