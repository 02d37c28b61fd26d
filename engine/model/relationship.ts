/**
 * Relationship schema (DESIGN.md "Relationships"). Stored in the direction it reads:
 * `checkout-app DEPENDS_ON orders-db`. `id` defaults to `from|TYPE|to`.
 */
import { z } from 'zod';
import { CiId, RelTypeName, sortKeys } from './ci.ts';

export const RelationshipId = z
  .string()
  .min(1)
  .max(500)
  .regex(/^[^\s]+$/, 'must not contain whitespace');

export const RelationshipInput = z
  .object({
    id: RelationshipId.optional(),
    type: RelTypeName,
    from: CiId,
    to: CiId,
    attributes: z.record(z.string(), z.unknown()).default({}),
    version: z.number().int().min(1).optional(),
    createdAt: z.string().optional(),
    updatedAt: z.string().optional(),
  })
  .strict()
  .refine((r) => r.from !== r.to, { message: 'a relationship cannot connect a CI to itself', path: ['to'] });

export interface RelationshipData {
  id: string;
  type: string;
  from: string;
  to: string;
  attributes: Record<string, unknown>;
}

export interface Relationship extends RelationshipData {
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function defaultRelationshipId(from: string, type: string, to: string): string {
  return `${from}|${type}|${to}`;
}

export function toRelationshipData(parsed: z.output<typeof RelationshipInput>): RelationshipData {
  return {
    id: parsed.id ?? defaultRelationshipId(parsed.from, parsed.type, parsed.to),
    type: parsed.type,
    from: parsed.from,
    to: parsed.to,
    attributes: parsed.attributes,
  };
}

export function canonicalRelationship(r: RelationshipData): RelationshipData {
  return { id: r.id, type: r.type, from: r.from, to: r.to, attributes: sortKeys(r.attributes) };
}
