/**
 * Incident entities (DESIGN.md "Incidents, SLAs, problems, knowledge"): one zod schema per shape,
 * types by `z.infer`, shared by the service, the HTTP routes and the CLI. Stored as records of
 * kind `incident` (id `INC-000123`). Field names `cis` and `state` are also what change risk reads.
 */
import { z } from 'zod';
import { CiId } from '../model/ci.ts';
import { INCIDENT_SIGNALS } from '../correlation/types.ts';

export const INCIDENT_KIND = 'incident';

export const INCIDENT_STATES = ['new', 'assigned', 'in_progress', 'on_hold', 'resolved', 'closed'] as const;
export const IncidentState = z.enum(INCIDENT_STATES);
export type IncidentState = z.infer<typeof IncidentState>;
export const OPEN_STATES: readonly IncidentState[] = ['new', 'assigned', 'in_progress', 'on_hold'];

export const LEVELS = ['high', 'medium', 'low'] as const;
export const Level = z.enum(LEVELS);
export type Level = z.infer<typeof Level>;

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

/** ISO 8601 with a zone, normalised to UTC `…Z`. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

/**
 * Optional alert evidence a monitoring integration may attach (correlation weighs it; absent, an
 * incident weighs as before): severity 1 (most severe) … 4, the signal family that fired, the
 * detector's anomaly score (≥ 0, e.g. a robust z-score), and `observedBy` — the CIs that observed
 * the alert when it is about a pair: "A's calls to B got slow" is an incident on B observed by A
 * (an APM edge series); correlation reads either end as the possible cause.
 */
export const AlertEvidence = {
  severity: z.number().int().min(1).max(4).optional(),
  signal: z.enum(INCIDENT_SIGNALS).optional(),
  anomalyScore: z.number().min(0).max(1e6).optional(),
  observedBy: z.array(CiId).min(1).max(100).optional(),
};

/** An observer is another CI than the one observed: "B's calls to B got slow" says nothing. */
export const observerNotObserved = {
  check: (i: { cis: readonly string[]; observedBy?: readonly string[] | undefined }) =>
    !(i.observedBy ?? []).some((o) => i.cis.includes(o)),
  message: { message: "an observer may not be one of the incident's own CIs", path: ['observedBy'] },
};

export const IncidentId = z.string().regex(/^INC-[0-9]{6,}$/, 'must look like INC-000123');
const Name = z.string().min(1).max(200);

/** Marks the incident as a service outage from `start` (to `end`, or until resolved). */
export const OutageInput = z
  .object({
    start: Instant,
    end: Instant.optional(),
    /** Business services the outage counts against; default: those the blast radius of the incident's CIs takes down. */
    services: z.array(CiId).max(1000).optional(),
  })
  .strict()
  .refine((o) => o.end === undefined || o.start < o.end, { message: 'end must be after start', path: ['end'] });
export type OutageInput = z.infer<typeof OutageInput>;

export const IncidentCreate = z
  .object({
    title: z.string().min(1).max(300),
    description: z.string().max(20_000).default(''),
    cis: z.array(CiId).min(1).max(1000),
    category: z.string().min(1).max(100).default('general'),
    subcategory: z.string().min(1).max(100).optional(),
    impact: Level.default('medium'),
    urgency: Level.default('medium'),
    assignmentGroup: Name.optional(),
    assignee: Name.optional(),
    /** When monitoring saw it (default: now). */
    openedAt: Instant.optional(),
    causedByChange: z.string().min(1).max(100).optional(),
    outage: OutageInput.optional(),
    ...AlertEvidence,
  })
  .strict()
  .refine((i) => new Set(i.cis).size === i.cis.length, { message: 'a CI may be listed once', path: ['cis'] })
  .refine(observerNotObserved.check, observerNotObserved.message);
export type IncidentCreate = z.infer<typeof IncidentCreate>;

export const IncidentPatch = z
  .object({
    title: z.string().min(1).max(300).optional(),
    description: z.string().max(20_000).optional(),
    cis: z.array(CiId).min(1).max(1000).optional(),
    category: z.string().min(1).max(100).optional(),
    subcategory: z.string().min(1).max(100).nullable().optional(),
    impact: Level.optional(),
    urgency: Level.optional(),
    assignmentGroup: Name.nullable().optional(),
    assignee: Name.nullable().optional(),
    problem: z.string().min(1).max(100).nullable().optional(),
    causedByChange: z.string().min(1).max(100).nullable().optional(),
    outage: OutageInput.nullable().optional(),
    /** Replaces the observers; `[]` or `null` clears them (a stored incident never holds an empty list). */
    observedBy: z.array(CiId).max(100).nullable().optional(),
  })
  .strict()
  // Only checkable here when the patch names both; the service checks the incident as patched.
  .refine(
    (p) => p.cis === undefined || !p.observedBy || observerNotObserved.check({ cis: p.cis, observedBy: p.observedBy }),
    observerNotObserved.message,
  );
export type IncidentPatch = z.infer<typeof IncidentPatch>;

export const Resolution = z.object({ code: z.string().min(1).max(100), notes: z.string().max(20_000).default('') }).strict();
export type Resolution = z.infer<typeof Resolution>;

/** Body of `POST /incidents/:id/transitions`. */
export const IncidentTransitionInput = z
  .object({
    to: IncidentState,
    reason: z.string().max(5_000).optional(),
    resolution: Resolution.optional(),
    assignee: Name.optional(),
    assignmentGroup: Name.optional(),
    /** When the transition happened (default: now) — for monitoring integrations replaying events. */
    at: Instant.optional(),
  })
  .strict();
export type IncidentTransitionInput = z.infer<typeof IncidentTransitionInput>;

export const IncidentTransition = z
  .object({ from: IncidentState, to: IncidentState, at: z.string(), by: z.string(), reason: z.string().optional() })
  .strict();
export type IncidentTransition = z.infer<typeof IncidentTransition>;

/** A known error offered on the incident: the problem, its root cause and its workaround. */
export const KnownErrorOffer = z
  .object({ problem: z.string(), title: z.string(), rootCause: z.string(), workaround: z.string(), via: z.enum(['ci', 'provider']) })
  .strict();
export type KnownErrorOffer = z.infer<typeof KnownErrorOffer>;

export const IncidentDoc = z
  .object({
    id: IncidentId,
    title: z.string(),
    description: z.string(),
    cis: z.array(z.string()),
    category: z.string(),
    subcategory: z.string().nullable(),
    impact: Level,
    urgency: Level,
    priority: Priority,
    assignmentGroup: z.string().nullable(),
    assignee: z.string().nullable(),
    state: IncidentState,
    reportedBy: z.string(),
    openedAt: z.string(),
    respondedAt: z.string().nullable(),
    resolvedAt: z.string().nullable(),
    closedAt: z.string().nullable(),
    resolution: Resolution.nullable(),
    reopenCount: z.number().int(),
    problem: z.string().nullable(),
    causedByChange: z.string().nullable(),
    outage: z
      .object({ start: z.string(), end: z.string().nullable(), services: z.array(z.string()).nullable() })
      .strict()
      .nullable(),
    knownErrors: z.array(KnownErrorOffer),
    transitions: z.array(IncidentTransition),
    ...AlertEvidence,
  })
  .strict();
export type IncidentDoc = z.infer<typeof IncidentDoc>;
export type IncidentView = IncidentDoc & { version: number; createdAt: string; updatedAt: string };

export const IncidentListQuery = z
  .object({
    state: IncidentState.optional(),
    /** `true`: only open incidents (new, assigned, in progress, on hold). */
    open: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional(),
    ci: CiId.optional(),
    priority: Priority.optional(),
    problem: z.string().optional(),
    after: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type IncidentListQuery = z.infer<typeof IncidentListQuery>;

export const IdParam = z.object({ id: z.string().min(1).max(200) }).strict();
