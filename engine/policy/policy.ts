/**
 * Change policy as data: risk weights, level thresholds, approvals per risk level, who may write
 * changes and windows, separation of duties. `default-policy.json` holds the documented defaults (docs/changes.md); an
 * organisation overrides any part of it with its own file (`CMDB_POLICY`), deep-merged: objects
 * merge key by key, arrays and scalars replace.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError, zodIssues } from '../errors.ts';

/** The API's roles (DESIGN.md "Interfaces"); kept here so the policy can be checked on its own. */
export const POLICY_ROLES = ['viewer', 'engineer', 'change_manager', 'cab_member', 'auditor', 'admin'] as const;
export const PolicyRole = z.enum(POLICY_ROLES);

export const RISK_LEVELS = ['low', 'medium', 'high', 'critical'] as const;
export const RiskLevel = z.enum(RISK_LEVELS);
export type RiskLevel = z.infer<typeof RiskLevel>;

const Points = z.number().min(0);
const Tier = z.enum(['1', '2', '3', '4']);

export const ApprovalRequirement = z.object({ role: PolicyRole, count: z.number().int().min(1) }).strict();
export type ApprovalRequirement = z.infer<typeof ApprovalRequirement>;

export const Policy = z
  .object({
    version: z.string().min(1),
    /** Minimum score of each level above `low`. */
    thresholds: z
      .object({ medium: Points, high: Points, critical: Points })
      .strict()
      .refine((t) => t.medium <= t.high && t.high <= t.critical, { message: 'thresholds must be ascending: medium ≤ high ≤ critical' }),
    weights: z
      .object({
        /** Per impacted business service, by criticality tier, when the service goes down. */
        serviceDown: z.record(Tier, Points),
        /** … when it is only degraded. */
        serviceDegraded: z.record(Tier, Points),
        /** Per impacted CI (origins excluded) down / degraded, summed and capped at `impactCap`. */
        downCI: Points,
        degradedCI: Points,
        impactCap: Points,
        /** Per redundancy group that absorbed a failure, by the margin left (further failures it tolerates); margins not listed score 0. */
        redundancyMargin: z.record(z.string().regex(/^[0-9]+$/), Points),
        conflict: Points,
        freezeWindow: Points,
        openIncident: Points,
        openProblem: Points,
        /** Multiplied by the failure rate (0..1) of past reviewed changes on the same targets. */
        failureRate: Points,
        failureRateMinSamples: z.number().int().min(1),
        emergency: Points,
        outsideMaintenanceWindow: Points,
      })
      .strict(),
    approvals: z
      .object({
        low: z.array(ApprovalRequirement),
        medium: z.array(ApprovalRequirement),
        high: z.array(ApprovalRequirement),
        critical: z.array(ApprovalRequirement),
      })
      .strict(),
    /** A standard (pre-approved) change skips CAB while its assessed level is at most this. */
    standardChange: z.object({ skipCabUpTo: RiskLevel.nullable() }).strict(),
    roles: z
      .object({
        /** May create, edit and move changes (approving is governed by `approvals`). */
        write: z.array(PolicyRole),
        /** May create freeze and maintenance windows. */
        windows: z.array(PolicyRole),
      })
      .strict(),
    /**
     * Separation of duties. `requesterCannotApprove`: the requester of a change may neither vote on
     * it nor move it to `approved` (a standard change within its pre-approved level excepted: the
     * model was approved once, for all). `implementerNotApprover`: whoever approved a change (a vote
     * or the `→ approved` transition) may not implement it (`→ in_progress`, `implemented`, `failed`,
     * `rolled_back`). One vote per principal always holds.
     */
    separationOfDuties: z.object({ requesterCannotApprove: z.boolean(), implementerNotApprover: z.boolean() }).strict(),
    /** States of the other changes that conflicts are detected against. */
    conflictStates: z.array(z.string()),
  })
  .strict();
export type Policy = z.infer<typeof Policy>;

/** The documented defaults, read and checked on each call (a small file; callers keep the result). */
export function defaultPolicy(): Policy {
  return parsePolicy(JSON.parse(readFileSync(new URL('./default-policy.json', import.meta.url), 'utf8')), 'default policy');
}

/** The default policy, deep-merged with an organisation's file or object when given. */
export function loadPolicy(override?: string | Record<string, unknown>): Policy {
  const base = defaultPolicy();
  if (override === undefined) return base;
  let raw: unknown = override;
  if (typeof override === 'string') {
    try {
      raw = JSON.parse(readFileSync(override, 'utf8'));
    } catch (err) {
      throw new InputError(`policy: cannot read "${override}": ${(err as Error).message}`);
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError('policy: an override must be a JSON object');
  return parsePolicy(
    deepMerge(base as unknown as Record<string, unknown>, raw as Record<string, unknown>),
    typeof override === 'string' ? override : 'policy override',
  );
}

export function parsePolicy(raw: unknown, source: string): Policy {
  const parsed = Policy.safeParse(raw);
  if (!parsed.success) throw new InputError(`policy: "${source}" is not a valid policy`, zodIssues(parsed.error.issues));
  return parsed.data;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The level of a score under the policy's thresholds. */
export function levelOf(score: number, policy: Policy): RiskLevel {
  const t = policy.thresholds;
  if (score >= t.critical) return 'critical';
  if (score >= t.high) return 'high';
  if (score >= t.medium) return 'medium';
  return 'low';
}

export function levelRank(level: RiskLevel): number {
  return RISK_LEVELS.indexOf(level);
}
