/**
 * Releases (DESIGN.md "Release management"): a release bundles changes. Stored as records of kind
 * `release`, ids like `REL-000001`. One zod schema per entity, types by `z.infer`.
 */
import { z } from 'zod';
import { ChangeId } from '../changes/model.ts';

export const RELEASE_KIND = 'release';

export const ReleaseCreate = z
  .object({
    name: z.string().min(1).max(300),
    description: z.string().max(20_000).default(''),
    changes: z.array(ChangeId).min(1).max(1000),
  })
  .strict()
  .refine((r) => new Set(r.changes).size === r.changes.length, { message: 'a change may be listed once', path: ['changes'] });
export type ReleaseCreate = z.infer<typeof ReleaseCreate>;

export const ReleaseDoc = z
  .object({
    id: z.string().regex(/^REL-[0-9]{6,}$/),
    name: z.string(),
    description: z.string(),
    changes: z.array(ChangeId),
    createdBy: z.string(),
  })
  .strict();
export type ReleaseDoc = z.infer<typeof ReleaseDoc>;

export type ReleaseView = ReleaseDoc & { version: number; createdAt: string; updatedAt: string };

export const ReleaseListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    after: z.string().optional(),
  })
  .strict();
export type ReleaseListQuery = z.infer<typeof ReleaseListQuery>;
