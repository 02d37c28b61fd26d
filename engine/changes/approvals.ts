/**
 * Approval quorum (DESIGN.md "Risk assessment": the level sets the approvals required). Pure:
 * each requirement `{role, count}` is met by that many distinct users who voted `approve` with that
 * role; a user's later vote never counts twice.
 */
import type { ApprovalRequirement, Policy, RiskLevel } from '../policy/policy.ts';
import type { Approval } from './model.ts';

export interface QuorumTally {
  role: string;
  count: number;
  have: number;
  voters: string[];
}

export interface Quorum {
  met: boolean;
  tally: QuorumTally[];
}

export function approvalsRequired(level: RiskLevel, policy: Policy): ApprovalRequirement[] {
  return policy.approvals[level].map((r) => ({ ...r }));
}

export function quorum(approvals: readonly Approval[], required: readonly { role: string; count: number }[]): Quorum {
  const tally = required.map((r) => {
    const voters = [...new Set(approvals.filter((a) => a.decision === 'approve' && a.role === r.role).map((a) => a.by))].sort();
    return { role: r.role, count: r.count, have: voters.length, voters };
  });
  return { met: tally.every((t) => t.have >= t.count), tally };
}

/** Roles that may vote on a change at this level: those named by its requirements. */
export function votingRoles(required: readonly { role: string }[]): string[] {
  return [...new Set(required.map((r) => r.role))];
}
