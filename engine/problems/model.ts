/**
 * Problem entities: created from a correlation group or by hand; root-cause CI, RCA notes (five
 * whys, contributing factors), workaround; states `new → investigating → known_error → resolved →
 * closed`; linked incidents, changes and articles. Stored as records of kind `problem`
 * (`PRB-000123`); `rootCause` and `state` are also what change risk reads.
 */
import { z } from 'zod';
import { CiId } from '../model/ci.ts';

export const PROBLEM_KIND = 'problem';
export const PROBLEM_STATES = ['new', 'investigating', 'known_error', 'resolved', 'closed'] as const;
export const ProblemState = z.enum(PROBLEM_STATES);
export type ProblemState = z.infer<typeof ProblemState>;

const Ref = z.string().min(1).max(100);

export const Rca = z
  .object({
    fiveWhys: z.array(z.string().max(2_000)).max(10).default([]),
    contributingFactors: z.array(z.string().max(2_000)).max(50).default([]),
    notes: z.string().max(50_000).default(''),
  })
  .strict();
export type Rca = z.infer<typeof Rca>;

export const ProblemCreate = z
  .object({
    title: z.string().min(1).max(300),
    description: z.string().max(20_000).default(''),
    rootCause: CiId.optional(),
    incidents: z.array(Ref).max(10_000).default([]),
    changes: z.array(Ref).max(1000).default([]),
    articles: z.array(Ref).max(1000).default([]),
    workaround: z.string().max(20_000).optional(),
    assignee: z.string().min(1).max(200).optional(),
  })
  .strict();
export type ProblemCreate = z.infer<typeof ProblemCreate>;

/** Body of `POST /problems/from-correlation`: one group as `correlate` answered it. */
export const ProblemFromCorrelation = z
  .object({
    title: z.string().min(1).max(300).optional(),
    incidents: z.array(Ref).min(1).max(10_000),
    candidates: z
      .array(
        z.object({ id: CiId, score: z.number(), factors: z.array(z.unknown()).optional(), paths: z.array(z.unknown()).optional() }).loose(),
      )
      .min(1)
      .max(50),
    /** Which candidate becomes the root cause (default: the first). */
    rootCause: CiId.optional(),
  })
  .strict();
export type ProblemFromCorrelation = z.infer<typeof ProblemFromCorrelation>;

export const ProblemPatch = z
  .object({
    title: z.string().min(1).max(300).optional(),
    description: z.string().max(20_000).optional(),
    rootCause: CiId.nullable().optional(),
    rca: Rca.optional(),
    workaround: z.string().max(20_000).nullable().optional(),
    assignee: z.string().min(1).max(200).nullable().optional(),
    incidents: z.array(Ref).max(10_000).optional(),
    changes: z.array(Ref).max(1000).optional(),
    articles: z.array(Ref).max(1000).optional(),
  })
  .strict();
export type ProblemPatch = z.infer<typeof ProblemPatch>;

export const ProblemTransitionInput = z
  .object({
    to: ProblemState,
    reason: z.string().max(5_000).optional(),
    /** May accompany `known_error` (a workaround is required there) or `resolved`. */
    workaround: z.string().min(1).max(20_000).optional(),
    rootCause: CiId.optional(),
    /** The change that fixed it, with `resolved`. */
    fixChange: Ref.optional(),
  })
  .strict();
export type ProblemTransitionInput = z.infer<typeof ProblemTransitionInput>;

export const ProblemDoc = z
  .object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    state: ProblemState,
    rootCause: z.string().nullable(),
    rca: Rca,
    workaround: z.string().nullable(),
    workaroundPublishedAt: z.string().nullable(),
    assignee: z.string().nullable(),
    incidents: z.array(z.string()),
    changes: z.array(z.string()),
    articles: z.array(z.string()),
    /** The correlation evidence the problem was created from, kept as answered. */
    correlation: z
      .object({ candidates: z.array(z.unknown()), at: z.string() })
      .loose()
      .nullable(),
    createdBy: z.string(),
    transitions: z.array(
      z.object({ from: ProblemState, to: ProblemState, at: z.string(), by: z.string(), reason: z.string().optional() }).strict(),
    ),
  })
  .strict();
export type ProblemDoc = z.infer<typeof ProblemDoc>;
export type ProblemView = ProblemDoc & { version: number; createdAt: string; updatedAt: string };

export const ProblemListQuery = z
  .object({
    state: ProblemState.optional(),
    ci: CiId.optional(),
    after: z.string().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type ProblemListQuery = z.infer<typeof ProblemListQuery>;

export const TRANSITIONS: Readonly<Record<ProblemState, readonly ProblemState[]>> = {
  new: ['investigating', 'known_error', 'resolved'],
  investigating: ['known_error', 'resolved'],
  known_error: ['investigating', 'resolved'],
  resolved: ['closed', 'investigating'],
  closed: [],
};
