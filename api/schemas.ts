/**
 * Request and response schemas of the HTTP API, built from the model's zod schemas (STYLE.md #5):
 * path params, query strings, envelopes (pages, errors) and the stored shapes (with system
 * fields). The OpenAPI document is generated from these and from the route table.
 */
import { z } from 'zod';
import { CI_STATUSES, CIInput, CiId, ClassId, ENVIRONMENTS, RelTypeName, Tag } from '../engine/model/ci.ts';
import { RelationshipId, RelationshipInput } from '../engine/model/relationship.ts';
import { ClassDef, RelTypeDef } from '../engine/model/registry.ts';
import { Role, TokenName } from '../engine/auth/tokens.ts';
import { CIMergePatch } from '../engine/cis/service.ts';

const systemFields = {
  version: z.number().int().min(1),
  createdAt: z.string(),
  updatedAt: z.string(),
};

/** A stored record as answered: its document plus the record's system fields. */
export function stored<T extends z.ZodObject>(doc: T) {
  return doc.safeExtend(systemFields);
}

export const StoredCI = CIInput.safeExtend(systemFields).describe('A stored configuration item');
export const StoredRelationship = RelationshipInput.safeExtend({ id: RelationshipId, ...systemFields }).describe('A stored relationship');
export const CIBody = CIInput.describe('A CI as sent by a client; system fields are ignored');
export const RelationshipBody = RelationshipInput.describe('A relationship as sent by a client; id defaults to from|TYPE|to');

/** PATCH: a JSON Merge Patch (RFC 7396) over the stored CI; the result is validated as a whole. */
export const CIPatch = CIMergePatch;

export const ErrorIssueSchema = z
  .object({ path: z.array(z.union([z.string(), z.number()])), code: z.string(), message: z.string() })
  .loose();
export const ErrorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string(), details: z.unknown() }) })
  .describe('Every error answer; `details` holds zod issues ({path, code, message}) for invalid input');
/** A route table's error row: every error answer has the same body, only the description differs. */
export const errorResponse = (description: string) => ({ description, schema: ErrorSchema });

export const ChangeEventSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  op: z.enum(['create', 'update', 'delete']),
  entity: z.string(),
  id: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  changeId: z.string().optional(),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next: z.string().nullable().describe('cursor for the next page; null at the end'),
    source: z.enum(['store', 'mirror']).describe('`mirror`: the store was unreachable, items hold the mirror attributes only').optional(),
  });
}

const Limit = z.coerce.number().int().min(1).max(1000).default(100);
/** Cursors are opaque to clients: base64url of the last id of the previous page. */
export const Cursor = z
  .string()
  .max(2000)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned as `next`')
  .transform((s, ctx) => {
    const id = Buffer.from(s, 'base64url').toString('utf8');
    if (id.length === 0 || Buffer.from(id, 'utf8').toString('base64url') !== s) {
      ctx.addIssue({ code: 'custom', message: 'must be a cursor returned as `next`' });
      return z.NEVER;
    }
    return id;
  });

export function encodeCursor(id: string | null): string | null {
  return id === null ? null : Buffer.from(id, 'utf8').toString('base64url');
}

export const CIParams = z.object({ id: CiId }).strict();
export const RelationshipParams = z.object({ id: RelationshipId }).strict();
export const TokenParams = z.object({ id: z.string().min(1).max(100) }).strict();

/**
 * `asOf` in a query string: the graph as it stood at a seq (digits) or at an ISO timestamp (the
 * last event at or before it). Parsed to the engine's AsOf (engine/verification/past-graphs.ts).
 */
export const AsOfParam = z
  .union([
    z
      .string()
      .regex(/^[0-9]{1,15}$/)
      .transform((s) => ({ seq: Number(s) })),
    z.iso.datetime({ offset: true }).transform((at) => ({ at })),
  ])
  .describe('read the graph as it stood then: a seq, or an ISO timestamp (the last event at or before it); needs history:read');
/** The same in a JSON body: a seq as a number, or an ISO timestamp. */
export const AsOfBodyField = z
  .union([
    z
      .number()
      .int()
      .min(0)
      .transform((seq) => ({ seq })),
    z.iso.datetime({ offset: true }).transform((at) => ({ at })),
  ])
  .describe('compute on the graph as it stood then: a seq, or an ISO timestamp (the last event at or before it); needs history:read');
/** Where an as-of answer was computed: the seq and the time of the event at it. */
export const AsOfPointSchema = z
  .object({ seq: z.number().int(), at: z.string() })
  .describe('present only on as-of answers: the seq the answer was computed at and the time of its event');
export const AsOfQuery = z.object({ asOf: AsOfParam.optional() }).strict();

export const CIListQuery = z
  .object({
    id: CiId.optional().describe('exactly this id (an empty page when there is none, not a 404)'),
    idPrefix: z.string().min(1).max(200).optional().describe('ids starting with this (case-sensitive)'),
    class: ClassId.optional(),
    status: z.enum(CI_STATUSES).optional(),
    environment: z.enum(ENVIRONMENTS).optional(),
    owner: z.string().min(1).max(200).optional(),
    tag: Tag.optional(),
    q: z.string().min(1).max(200).optional().describe('case-insensitive substring of the name'),
    limit: Limit,
    cursor: Cursor.optional(),
    asOf: AsOfParam.optional(),
  })
  .strict();

export const RelationshipListQuery = z
  .object({
    type: RelTypeName.optional(),
    from: CiId.optional(),
    to: CiId.optional(),
    ci: CiId.optional().describe('either end'),
    limit: Limit,
    cursor: Cursor.optional(),
    asOf: AsOfParam.optional(),
  })
  .strict();

export const NeighbourQuery = z
  .object({
    direction: z.enum(['out', 'in', 'both']).default('both'),
    type: RelTypeName.optional(),
    asOf: AsOfParam.optional(),
  })
  .strict();

export const HistoryQuery = z
  .object({
    after: z.coerce.number().int().min(0).default(0).describe('only events with seq > after'),
    limit: Limit,
  })
  .strict();

export const DeleteQuery = z
  .object({ cascade: z.stringbool().default(false).describe('also delete the relationships of the CI, in the same atomic batch') })
  .strict();
export const EmptyQuery = z.object({}).strict();

export const ExportQuery = z
  .object({
    format: z.enum(['json', 'ndjson', 'csv']).default('json'),
    part: z.enum(['cis', 'relationships']).optional().describe('csv only: which of the two files'),
  })
  .strict();

export const ImportBody = z
  .object({
    cis: z.array(CIInput).default([]),
    relationships: z.array(RelationshipInput).default([]),
  })
  .strict()
  .describe('The import format of DESIGN.md; also accepted as multipart files (.json, .ndjson, .csv) in field `file`');

export const ImportSummarySchema = z.object({
  seq: z.number().int(),
  cis: z.number().int(),
  relationships: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
});

export const NeighbourSchema = z.object({
  direction: z.enum(['out', 'in']),
  label: z.string(),
  relationship: z.object({ id: z.string(), type: z.string(), from: z.string(), to: z.string() }),
  ci: z
    .object({
      id: z.string(),
      class: z.string(),
      name: z.string(),
      status: z.string(),
      environment: z.string(),
      criticality: z.number(),
      owner: z.string().optional(),
    })
    .loose(),
});

export const RegistrySchema = z.object({ classes: z.array(ClassDef), relationshipTypes: z.array(RelTypeDef) });

export const TokenCreateBody = z.object({ name: TokenName, role: Role }).strict();
export const TokenInfoSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: Role,
  createdAt: z.string(),
  createdBy: z.string(),
  revokedAt: z.string().nullable(),
  version: z.number().int(),
});
export const TokenCreatedSchema = z.object({ token: z.string().describe('shown once; store it now'), info: TokenInfoSchema });
