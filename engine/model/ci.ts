/**
 * Configuration item schema (DESIGN.md "Configuration items"). Only `id`, `class` and `name` are
 * required on input; the rest defaults. System fields (`version`, `createdAt`, `updatedAt`) are
 * set by the store and ignored on input, so a CI read from the API or an export can be sent back.
 */
import { z } from 'zod';

export const CI_STATUSES = ['planned', 'in_service', 'maintenance', 'retired'] as const;
export const ENVIRONMENTS = ['production', 'staging', 'test', 'development'] as const;

/** Stable keys: letters, digits and `._:/@-`, so they are safe in URLs, CSV cells and relationship ids. */
export const CiId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ : / @ -');

/** Class ids are PascalCase: they become Neo4j labels, so the pattern is also an injection guard. */
export const ClassId = z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'must be a PascalCase class id');

/** Relationship type names are UPPER_SNAKE: they become Neo4j relationship types. */
export const RelTypeName = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'must be an UPPER_SNAKE relationship type');

export const MinAvailable = z.union([
  z.number().int().min(1),
  z.string().regex(/^([1-9][0-9]?|100)%$/, 'must be a count or a percentage from 1% to 100%'),
]);

export const RedundancyRule = z
  .object({
    relationship: RelTypeName,
    minAvailable: MinAvailable,
  })
  .strict();
export type RedundancyRule = z.infer<typeof RedundancyRule>;

/** Tags are single tokens so that CSV can join them with `;` and round-trip exactly. */
export const Tag = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\s;,]+$/, 'must be one token without spaces, commas or semicolons');

const systemFields = {
  version: z.number().int().min(1).optional(),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
};

export const CIInput = z
  .object({
    id: CiId,
    class: ClassId,
    name: z.string().min(1).max(500),
    status: z.enum(CI_STATUSES).default('in_service'),
    environment: z.enum(ENVIRONMENTS).default('production'),
    criticality: z.number().int().min(1).max(4).default(3),
    owner: z.string().min(1).max(200).optional(),
    attributes: z.record(z.string(), z.unknown()).default({}),
    tags: z.array(Tag).default([]),
    redundancy: z.array(RedundancyRule).default([]),
    ...systemFields,
  })
  .strict();

/** A CI as given by a client, after defaults; system fields stripped. */
export type CIData = Omit<z.output<typeof CIInput>, keyof typeof systemFields>;

/** A stored CI. */
export interface CI extends CIData {
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** Parses client input into `CIData`, dropping the system fields. */
export function toCIData(parsed: z.output<typeof CIInput>): CIData {
  const { version: _v, createdAt: _c, updatedAt: _u, ...data } = parsed;
  const out: CIData = { ...data };
  if (out.owner === undefined) delete out.owner;
  return out;
}

/** The fields a client controls, in a canonical key order (exports and equality use it). */
export function canonicalCI(ci: CIData): CIData {
  const out: CIData = {
    id: ci.id,
    class: ci.class,
    name: ci.name,
    status: ci.status,
    environment: ci.environment,
    criticality: ci.criticality,
    attributes: sortKeys(ci.attributes),
    tags: [...ci.tags],
    redundancy: ci.redundancy.map((r) => ({ relationship: r.relationship, minAvailable: r.minAvailable })),
  };
  if (ci.owner !== undefined) out.owner = ci.owner;
  return out;
}

/** Sorts object keys recursively, so equal documents serialise to equal JSON. */
export function sortKeys(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj).sort()) out[k] = sortValue(obj[k]);
  return out;
}

function sortValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortValue);
  if (v !== null && typeof v === 'object') return sortKeys(v as Record<string, unknown>);
  return v;
}
