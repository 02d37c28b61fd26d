/**
 * Natural root: the candidate alerted and none of its own providers did — in the anomalous
 * subgraph it is where the chain of alerts stops, the first place an SRE looks. A caller whose
 * provider also alerted gets nothing; two alerting siblings of one caller with no edge between them
 * (a load balancer whose edge to the service the CMDB misses) both get it, so neither is dropped.
 * Scaled by the candidate's chronic-noise weight.
 */
import type { CandidateStats, Signal, SignalContext } from './types.ts';

const isRoot = (s: CandidateStats) => !Number.isNaN(s.ownOpenedAt) && s.ownQuiet === 1;

export const naturalRootContribution = (s: CandidateStats, { weights }: SignalContext): number =>
  isRoot(s) ? weights.naturalRoot * s.ownWeight : 0;

export const naturalRoot: Signal = (s, ctx) => ({
  signal: 'natural_root',
  value: isRoot(s) ? 1 : 0,
  contribution: naturalRootContribution(s, ctx),
});
