/**
 * Change-management entities (DESIGN.md "Change management"): one zod schema per entity, types by
 * `z.infer`, shared by the service, the HTTP routes and the CLI. Stored as records beside the
 * graph: kind `change` (id `CHG-000123`), `freeze_window` (`FRZ-…`), `maintenance_window` (`MW-…`).
 */
import { z } from 'zod';
import { CiId } from '../model/ci.ts';
import { RiskLevel } from '../policy/policy.ts';

export const CHANGE_KIND = 'change';
export const FREEZE_KIND = 'freeze_window';
export const MAINTENANCE_KIND = 'maintenance_window';

export const CHANGE_TYPES = ['standard', 'normal', 'emergency'] as const;
export const ChangeType = z.enum(CHANGE_TYPES);
export type ChangeType = z.infer<typeof ChangeType>;

export const CHANGE_STATES = [
  'draft',
  'submitted',
  'assessed',
  'cab_review',
  'approved',
  'rejected',
  'scheduled',
  'in_progress',
  'implemented',
  'failed',
  'rolled_back',
  'reviewed',
  'closed',
  'cancelled',
] as const;
export const ChangeState = z.enum(CHANGE_STATES);
export type ChangeState = z.infer<typeof ChangeState>;

export const ChangeId = z.string().regex(/^CHG-[0-9]{6,}$/, 'must look like CHG-000123');

/** What the change is expected to do to a target: take it down, degrade it, or nothing visible. */
export const TargetEffect = z.enum(['down', 'degraded', 'none']);
export type TargetEffect = z.infer<typeof TargetEffect>;

export const ChangeTarget = z.object({ ci: CiId, effect: TargetEffect.default('down') }).strict();
export type ChangeTarget = z.infer<typeof ChangeTarget>;

/** ISO 8601 with a zone, normalised to UTC `…Z` so windows compare as strings and as dates. */
export const Instant = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

export const TimeWindow = z
  .object({ start: Instant, end: Instant })
  .strict()
  .refine((w) => w.start < w.end, { message: 'end must be after start', path: ['end'] });
export type TimeWindow = z.infer<typeof TimeWindow>;

export const OUTCOMES = ['successful', 'failed', 'rolled_back'] as const;
export const Outcome = z.enum(OUTCOMES);
export type Outcome = z.infer<typeof Outcome>;

const Text = (max: number) => z.string().max(max);

/**
 * Body of `POST /changes`: a draft. Completeness is checked at submission, not here. There is no
 * `requester` field: the requester is always the authenticated principal (separation of duties
 * rests on it), so a body naming one is refused as an unknown key.
 */
export const ChangeCreate = z
  .object({
    type: ChangeType.default('normal'),
    title: z.string().min(1).max(300),
    description: Text(20_000).default(''),
    targets: z.array(ChangeTarget).max(10_000).default([]),
    window: TimeWindow.optional(),
    implementationPlan: Text(50_000).default(''),
    backoutPlan: Text(50_000).default(''),
    assignee: z.string().min(1).max(200).optional(),
  })
  .strict()
  .refine((c) => new Set(c.targets.map((t) => t.ci)).size === c.targets.length, {
    message: 'a CI may be targeted once',
    path: ['targets'],
  });
export type ChangeCreate = z.infer<typeof ChangeCreate>;

/** Body of `PATCH /changes/:id`: any subset; `null` clears an optional field. */
export const ChangePatch = z
  .object({
    type: ChangeType.optional(),
    title: z.string().min(1).max(300).optional(),
    description: Text(20_000).optional(),
    targets: z.array(ChangeTarget).max(10_000).optional(),
    window: TimeWindow.nullable().optional(),
    implementationPlan: Text(50_000).optional(),
    backoutPlan: Text(50_000).optional(),
    assignee: z.string().min(1).max(200).nullable().optional(),
  })
  .strict()
  .refine((c) => c.targets === undefined || new Set(c.targets.map((t) => t.ci)).size === c.targets.length, {
    message: 'a CI may be targeted once',
    path: ['targets'],
  });
export type ChangePatch = z.infer<typeof ChangePatch>;

/** Fields that do not change what the change does, so they stay editable after submission. */
export const PATCHABLE_AFTER_DRAFT = ['description', 'assignee'] as const;

export const PostImplementationReview = z
  .object({
    outcome: Outcome,
    notes: Text(20_000).default(''),
    by: z.string().optional(),
    at: z.string().optional(),
  })
  .strict();
export type PostImplementationReview = z.infer<typeof PostImplementationReview>;

/** Body of `POST /changes/:id/transitions`. `review` goes with `to: reviewed`. */
export const TransitionInput = z
  .object({
    to: ChangeState,
    reason: Text(5_000).optional(),
    review: z
      .object({ outcome: Outcome.optional(), notes: Text(20_000).default('') })
      .strict()
      .optional(),
  })
  .strict();
export type TransitionInput = z.infer<typeof TransitionInput>;

export const Decision = z.enum(['approve', 'reject']);

/** Body of `POST /changes/:id/approvals`. A rejection needs a reason. */
export const ApprovalInput = z
  .object({ decision: Decision, reason: Text(5_000).default('') })
  .strict()
  .refine((a) => a.decision === 'approve' || a.reason.trim() !== '', { message: 'a rejection needs a reason', path: ['reason'] });
export type ApprovalInput = z.infer<typeof ApprovalInput>;

export const Approval = z.object({ by: z.string(), role: z.string(), decision: Decision, reason: z.string(), at: z.string() }).strict();
export type Approval = z.infer<typeof Approval>;

export const Principal = z.object({ name: z.string().min(1), role: z.string().min(1) }).strict();
export type Principal = z.infer<typeof Principal>;

export const TransitionRecord = z
  .object({ from: ChangeState, to: ChangeState, by: z.string(), at: z.string(), reason: z.string().optional() })
  .strict();
export type TransitionRecord = z.infer<typeof TransitionRecord>;

// ---- assessment ---------------------------------------------------------------------------

export const PathStep = z.object({ from: z.string(), type: z.string(), to: z.string() }).strict();
const ImpactStateZ = z.enum(['down', 'degraded']);

export const RedundancyGroupSnapshot = z
  .object({
    relationship: z.string(),
    minAvailable: z.union([z.number(), z.string()]),
    members: z.number(),
    required: z.number(),
    available: z.number(),
    breached: z.boolean(),
    failed: z.array(PathStep),
  })
  .strict();

/** The blast radius as engine/impact reports it, kept in the record when assessed and frozen at approval. */
export const BlastRadiusSnapshot = z
  .object({
    origins: z.array(z.object({ id: z.string(), effect: ImpactStateZ, state: ImpactStateZ }).strict()),
    impacted: z.array(
      z
        .object({
          id: z.string(),
          class: z.string(),
          name: z.string(),
          environment: z.string(),
          state: ImpactStateZ,
          depth: z.number(),
          via: z.array(PathStep),
          redundancy: z.array(RedundancyGroupSnapshot).optional(),
        })
        .strict(),
    ),
    services: z.array(
      z
        .object({
          id: z.string(),
          name: z.string(),
          criticality: z.number(),
          owner: z.string().nullable(),
          state: ImpactStateZ,
          depth: z.number(),
        })
        .strict(),
    ),
    counts: z
      .object({
        down: z.number(),
        degraded: z.number(),
        byClass: z.record(z.string(), z.object({ down: z.number(), degraded: z.number() })),
      })
      .strict(),
    cycles: z.array(z.array(z.string())),
  })
  .strict();
export type BlastRadiusSnapshot = z.infer<typeof BlastRadiusSnapshot>;

export const ConflictReason = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('shared_target'), cis: z.array(z.string()), message: z.string() }).strict(),
  /** `ours_in_theirs`: our targets lie in their blast radius; `theirs_in_ours`: the reverse. */
  z
    .object({
      kind: z.literal('target_in_blast_radius'),
      direction: z.enum(['ours_in_theirs', 'theirs_in_ours']),
      cis: z.array(z.string()),
      message: z.string(),
    })
    .strict(),
  z.object({ kind: z.literal('shared_service'), services: z.array(z.string()), message: z.string() }).strict(),
]);
export type ConflictReason = z.infer<typeof ConflictReason>;

export const Conflict = z
  .object({
    change: z.string(),
    title: z.string(),
    state: z.string(),
    overlap: z.object({ start: z.string(), end: z.string() }).strict(),
    reasons: z.array(ConflictReason),
  })
  .strict();
export type Conflict = z.infer<typeof Conflict>;

export const WindowScope = z
  .object({
    /** Applies to every change. */
    global: z.boolean().default(false),
    /** A service covers itself and everything it depends on (transitive providers). */
    services: z.array(CiId).default([]),
    cis: z.array(CiId).default([]),
  })
  .strict()
  .refine((s) => s.global || s.services.length + s.cis.length > 0, {
    message: 'a scope is global or names services or CIs',
    path: ['global'],
  });
export type WindowScope = z.infer<typeof WindowScope>;

export const FreezeHit = z
  .object({
    window: z.string(),
    name: z.string(),
    start: z.string(),
    end: z.string(),
    global: z.boolean(),
    /** Targets inside the scope, each with what put it there (`global`, `ci`, or the service it supports). */
    cis: z.array(z.object({ ci: z.string(), via: z.string() }).strict()),
  })
  .strict();
export type FreezeHit = z.infer<typeof FreezeHit>;

export const RiskFactor = z
  .object({
    id: z.string(),
    label: z.string(),
    points: z.number(),
    evidence: z.array(z.record(z.string(), z.unknown())),
  })
  .strict();
export type RiskFactor = z.infer<typeof RiskFactor>;

export const Risk = z
  .object({
    score: z.number(),
    level: RiskLevel,
    /** Every factor considered, with 0 points when it did not apply, in a fixed order. */
    factors: z.array(RiskFactor),
    policyVersion: z.string(),
  })
  .strict();
export type Risk = z.infer<typeof Risk>;

export const Assessment = z
  .object({
    computedAt: z.string(),
    /** The mirror sequence number the blast radius was computed on. */
    seq: z.number().int(),
    risk: Risk,
    approvalsRequired: z.array(z.object({ role: z.string(), count: z.number() }).strict()),
    blastRadius: BlastRadiusSnapshot,
    conflicts: z.array(Conflict),
    freezes: z.array(FreezeHit),
  })
  .strict();
export type Assessment = z.infer<typeof Assessment>;

export const FrozenAssessment = z.object({ frozenAt: z.string(), frozenBy: z.string(), assessment: Assessment }).strict();
export type FrozenAssessment = z.infer<typeof FrozenAssessment>;

export const FreezeOverride = z.object({ windows: z.array(z.string()), by: z.string(), at: z.string(), reason: z.string() }).strict();
export type FreezeOverride = z.infer<typeof FreezeOverride>;

/** The stored change document (record `change`); version and timestamps live on the record. */
export const ChangeDoc = z
  .object({
    id: ChangeId,
    type: ChangeType,
    title: z.string(),
    description: z.string(),
    targets: z.array(ChangeTarget),
    window: TimeWindow.nullable(),
    implementationPlan: z.string(),
    backoutPlan: z.string(),
    requester: z.string(),
    assignee: z.string().nullable(),
    state: ChangeState,
    approvals: z.array(Approval),
    transitions: z.array(TransitionRecord),
    assessment: Assessment.nullable(),
    frozenAssessment: FrozenAssessment.nullable(),
    freezeOverride: FreezeOverride.nullable(),
    outcome: Outcome.nullable(),
    review: PostImplementationReview.nullable(),
  })
  .strict();
export type ChangeDoc = z.infer<typeof ChangeDoc>;

/** A change as answered: the document plus the record's system fields. */
export type ChangeView = ChangeDoc & { version: number; createdAt: string; updatedAt: string };

export const ChangeListQuery = z
  .object({
    state: ChangeState.optional(),
    type: ChangeType.optional(),
    /** Only changes targeting this CI. */
    ci: CiId.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: z.string().optional(),
  })
  .strict();
export type ChangeListQuery = z.infer<typeof ChangeListQuery>;

// ---- windows ------------------------------------------------------------------------------

export const WindowKind = z.enum(['freeze', 'maintenance']);
export type WindowKind = z.infer<typeof WindowKind>;

/** Body of `POST /freeze-windows` (and maintenance windows). */
export const WindowInput = z
  .object({ name: z.string().min(1).max(300), start: Instant, end: Instant, scope: WindowScope, reason: Text(5_000).default('') })
  .strict()
  .refine((w) => w.start < w.end, { message: 'end must be after start', path: ['end'] });
export type WindowInput = z.infer<typeof WindowInput>;

export const WindowDoc = z
  .object({
    id: z.string(),
    kind: WindowKind,
    name: z.string(),
    start: z.string(),
    end: z.string(),
    scope: WindowScope,
    reason: z.string(),
    createdBy: z.string(),
  })
  .strict();
export type WindowDoc = z.infer<typeof WindowDoc>;

export const WindowListQuery = z
  .object({
    /** Only windows that end after this instant. */
    from: Instant.optional(),
  })
  .strict();
export type WindowListQuery = z.infer<typeof WindowListQuery>;

export const IdParam = z.object({ id: z.string().min(1).max(200) }).strict();

// ---- records of other teams, read when present ---------------------------------------------

/** Incidents and problems may not exist yet: read loosely, only the fields risk needs. */
export const IncidentLike = z
  .object({ id: z.string().optional(), cis: z.array(z.string()).default([]), state: z.string().default('new') })
  .loose();
export type IncidentLike = z.infer<typeof IncidentLike>;
export const ProblemLike = z
  .object({
    id: z.string().optional(),
    rootCause: z.string().nullable().optional(),
    cis: z.array(z.string()).default([]),
    state: z.string().default('new'),
  })
  .loose();
export type ProblemLike = z.infer<typeof ProblemLike>;

export const CLOSED_INCIDENT_STATES: readonly string[] = ['resolved', 'closed', 'cancelled'];
export const CLOSED_PROBLEM_STATES: readonly string[] = ['resolved', 'closed', 'cancelled'];
