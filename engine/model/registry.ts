/**
 * The class registry and the relationship-type registry, as data. The default catalog lives in
 * `default-registry.json`; an organisation extends it with its own file (`--registry FILE` or
 * `CMDB_REGISTRY`): new classes and types are added, same ids replace the defaults.
 *
 * Every label, inverse label, provider end and propagation rule comes from here — never from
 * string literals in algorithms (STYLE.md #4).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ClassId, RelTypeName, type CIData } from './ci.ts';
import type { RelationshipData } from './relationship.ts';
import { InputError, SemanticError, zodIssues } from '../errors.ts';

const AttributeType = z.enum(['string', 'number', 'boolean', 'string[]']);

export const ClassDef = z
  .object({
    id: ClassId,
    parent: ClassId.optional(),
    description: z.string().default(''),
    /** Checked by the audit's completeness rule, never by the importer. */
    requiredAttributes: z.array(z.string()).default([]),
    /** Alternative keys for reconciliation, tried in order; `name` means the CI's name. */
    identificationKeys: z.array(z.array(z.string()).min(1)).default([['name']]),
    attributes: z.record(z.string(), AttributeType).default({}),
  })
  .strict();
export type ClassDef = z.output<typeof ClassDef>;

export const RelTypeDef = z
  .object({
    type: RelTypeName,
    label: z.string().min(1),
    inverseLabel: z.string().min(1),
    /** Which end provides: `to` for `A DEPENDS_ON B` (B provides), `from` for MEMBER_OF (members provide to the group). */
    provider: z.enum(['from', 'to']),
    /** Whether a provider's failure propagates to the dependent; false means audit-only. */
    propagates: z.boolean(),
    description: z.string().default(''),
  })
  .strict();
export type RelTypeDef = z.output<typeof RelTypeDef>;

export const RegistryFile = z
  .object({
    classes: z.array(ClassDef).default([]),
    relationshipTypes: z.array(RelTypeDef).default([]),
  })
  .strict();
export type RegistryFile = z.output<typeof RegistryFile>;

export class Registry {
  readonly classes: ReadonlyMap<string, ClassDef>;
  readonly relationshipTypes: ReadonlyMap<string, RelTypeDef>;

  constructor(file: RegistryFile) {
    this.classes = new Map(file.classes.map((c) => [c.id, c]));
    this.relationshipTypes = new Map(file.relationshipTypes.map((t) => [t.type, t]));
    for (const c of file.classes) {
      if (c.parent !== undefined && !this.classes.has(c.parent)) {
        throw new SemanticError(`registry: class "${c.id}" has unknown parent "${c.parent}"`, { class: c.id, parent: c.parent });
      }
    }
  }

  /** The default catalog extended (and overridden by id) with an organisation's file. */
  static load(extensionPath?: string): Registry {
    const base = parseRegistry(JSON.parse(readFileSync(new URL('./default-registry.json', import.meta.url), 'utf8')), 'default registry');
    if (!extensionPath) return new Registry(base);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(extensionPath, 'utf8'));
    } catch (err) {
      throw new InputError(`registry: cannot read "${extensionPath}": ${(err as Error).message}`);
    }
    const ext = parseRegistry(raw, extensionPath);
    return new Registry(mergeRegistries(base, ext));
  }

  classDef(id: string): ClassDef | undefined {
    return this.classes.get(id);
  }

  relType(type: string): RelTypeDef | undefined {
    return this.relationshipTypes.get(type);
  }

  /** True when `cls` is `ancestor` or inherits from it. */
  isA(cls: string, ancestor: string): boolean {
    for (let c: string | undefined = cls; c !== undefined; c = this.classes.get(c)?.parent) {
      if (c === ancestor) return true;
    }
    return false;
  }

  /** Declared attribute types of a class, inherited ones included. */
  attributeTypes(cls: string): Record<string, string> {
    const chain: ClassDef[] = [];
    for (let c = this.classes.get(cls); c; c = c.parent ? this.classes.get(c.parent) : undefined) chain.unshift(c);
    return Object.assign({}, ...chain.map((c) => c.attributes)) as Record<string, string>;
  }

  /** Refuses what the model cannot hold: unknown class, attribute of the wrong type, bad redundancy rule. */
  checkCI(ci: CIData, where = 'ci'): void {
    if (!this.classes.has(ci.class)) {
      throw new SemanticError(`${where}: unknown class "${ci.class}" for CI "${ci.id}"`, { path: ['class'], value: ci.class });
    }
    const types = this.attributeTypes(ci.class);
    for (const [key, value] of Object.entries(ci.attributes)) {
      const expected = types[key];
      if (expected === undefined || value === null) continue;
      if (!matchesType(value, expected)) {
        throw new InputError(`${where}: attribute "${key}" of CI "${ci.id}" must be a ${expected}`, [
          { path: ['attributes', key], code: 'invalid_type', message: `expected ${expected}` },
        ]);
      }
    }
    const seen = new Set<string>();
    ci.redundancy.forEach((rule, i) => {
      const def = this.relationshipTypes.get(rule.relationship);
      if (!def) {
        throw new SemanticError(`${where}: redundancy rule of CI "${ci.id}" names unknown relationship type "${rule.relationship}"`, {
          path: ['redundancy', i, 'relationship'],
          value: rule.relationship,
        });
      }
      if (!def.propagates) {
        throw new SemanticError(
          `${where}: redundancy rule of CI "${ci.id}" names "${rule.relationship}", which does not propagate impact`,
          { path: ['redundancy', i, 'relationship'], value: rule.relationship },
        );
      }
      if (seen.has(rule.relationship)) {
        throw new SemanticError(`${where}: CI "${ci.id}" has two redundancy rules for "${rule.relationship}"`, {
          path: ['redundancy', i, 'relationship'],
          value: rule.relationship,
        });
      }
      seen.add(rule.relationship);
    });
  }

  checkRelationshipType(rel: RelationshipData, where = 'relationship'): void {
    if (!this.relationshipTypes.has(rel.type)) {
      throw new SemanticError(`${where}: unknown relationship type "${rel.type}" in "${rel.id}"`, { path: ['type'], value: rel.type });
    }
  }

  toJSON(): RegistryFile {
    return { classes: [...this.classes.values()], relationshipTypes: [...this.relationshipTypes.values()] };
  }
}

function parseRegistry(raw: unknown, source: string): RegistryFile {
  const parsed = RegistryFile.safeParse(raw);
  if (!parsed.success) throw new InputError(`registry: "${source}" is not a valid registry file`, zodIssues(parsed.error.issues));
  return parsed.data;
}

function mergeRegistries(base: RegistryFile, ext: RegistryFile): RegistryFile {
  const classes = new Map(base.classes.map((c) => [c.id, c]));
  for (const c of ext.classes) classes.set(c.id, c);
  const types = new Map(base.relationshipTypes.map((t) => [t.type, t]));
  for (const t of ext.relationshipTypes) types.set(t.type, t);
  return { classes: [...classes.values()], relationshipTypes: [...types.values()] };
}

function matchesType(value: unknown, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string[]':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    default:
      return true;
  }
}
