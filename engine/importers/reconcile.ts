/**
 * Reconciling one source's import document with what the CMDB already holds — pure: the caller
 * hands in the stored CIs and relationships and applies the plan.
 *
 * - **Identification**: each incoming CI is matched against the stored ones
 *   (engine/model/identification.ts). A match under a key other than the id merges the incoming
 *   CI into the stored one: its id is replaced everywhere (relationships included). Several
 *   candidates, or a stored CI already claimed by another incoming CI, are **candidate
 *   duplicates**: reported, and the incoming CI keeps its own id — never merged silently.
 *   Incoming CIs that identify as one another are reported too.
 * - **Sources and per-field precedence**: every CI records `attributes.sources` (sorted names)
 *   and `attributes.sourceFields` (field → the source that set it; `attributes.x` for
 *   attributes). A source may set a field nobody owns, one it owns, or one owned by a source of
 *   lower precedence (`precedence` lists sources strongest first; unlisted sources rank below,
 *   equal among themselves, so the first owner keeps an unlisted tie). A field its owner no
 *   longer sends is dropped (attributes) or released (top-level fields).
 * - **Idempotent**: the merged CI is a function of the stored CI and the input, so importing
 *   the same input again yields the stored documents and the store writes nothing.
 * - **Prune**: stored CIs and relationships of this source that the input no longer has are
 *   *stale*. Reported by default; with `prune`, one whose only source this is is deleted (a CI
 *   with every relationship still touching it), otherwise the source is removed from it.
 */
import type { CI } from '../model/ci.ts';
import type { Relationship } from '../model/relationship.ts';
import { defaultRelationshipId } from '../model/relationship.ts';
import type { Registry } from '../model/registry.ts';
import { IdentificationIndex } from '../model/identification.ts';
import { sortKeys } from '../model/ci.ts';
import { InputError } from '../errors.ts';
import type { DocCI, DocRelationship, ImportDocument } from './types.ts';

export interface ReconcileInput {
  registry: Registry;
  source: string;
  /** Source names, strongest first. */
  precedence?: readonly string[];
  document: ImportDocument;
  stored: { cis: readonly CI[]; relationships: readonly Relationship[] };
  prune?: boolean;
}

export interface MatchedCI {
  incoming: string;
  stored: string;
  key: readonly string[];
}

export interface CandidateDuplicate {
  incoming: string;
  candidates: string[];
  key: readonly string[];
  reason: 'several_candidates' | 'already_matched' | 'within_input';
}

export interface ReconcilePlan {
  /** The merged document to import (full CIs, relationships with ids). */
  document: { cis: DocCI[]; relationships: (DocRelationship & { id: string })[] };
  /** Stored version of each CI the document updates, for optimistic concurrency. */
  expectedVersions: Map<string, number>;
  /** Deletions, relationships first (only with `prune`). */
  deleteRelationships: string[];
  deleteCIs: string[];
  matched: MatchedCI[];
  candidateDuplicates: CandidateDuplicate[];
  stale: { cis: string[]; relationships: string[] };
}

const TOP_FIELDS = ['class', 'name', 'status', 'environment', 'criticality', 'owner', 'tags', 'redundancy'] as const;
type TopField = (typeof TOP_FIELDS)[number];
const META = new Set(['sources', 'sourceFields']);

export const SOURCE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function reconcile(input: ReconcileInput): ReconcilePlan {
  const { registry, source, document: doc, stored } = input;
  if (!SOURCE_NAME.test(source))
    throw new InputError(`import: source name "${source}" must be 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`);
  // Stryker disable next-line ArrayDeclaration: equivalent — an invented entry ("Stryker was here") is no valid source name, and unlisted sources stay equal among themselves
  const rank = rankOf(input.precedence ?? []);
  const storedById = new Map(stored.cis.map((c) => [c.id, c]));
  const index = new IdentificationIndex(registry, stored.cis);
  const incomingIds = new Set(doc.cis.map((c) => c.id));
  const claimed = new Map<string, string>();
  const target = new Map<string, string>();
  const matched: MatchedCI[] = [];
  const duplicates: CandidateDuplicate[] = [];

  for (const c of doc.cis) {
    const asIdentifiable = { id: c.id, class: c.class, name: c.name, environment: c.environment ?? 'production', attributes: c.attributes };
    const r = index.match(asIdentifiable);
    let to = c.id;
    if (r.kind === 'match' && r.key[0] !== 'id') {
      const other = claimed.get(r.ci.id);
      if (other !== undefined || incomingIds.has(r.ci.id)) {
        duplicates.push({ incoming: c.id, candidates: [r.ci.id], key: r.key, reason: 'already_matched' });
      } else {
        to = r.ci.id;
        matched.push({ incoming: c.id, stored: r.ci.id, key: r.key });
      }
    } else if (r.kind === 'ambiguous') {
      duplicates.push({ incoming: c.id, candidates: r.candidates.map((x) => x.id).sort(), key: r.key, reason: 'several_candidates' });
    }
    claimed.set(to, c.id);
    target.set(c.id, to);
  }
  const within = new IdentificationIndex(
    registry,
    doc.cis.map((c) => ({ id: c.id, class: c.class, name: c.name, environment: c.environment ?? 'production', attributes: c.attributes })),
  );
  for (const g of within.duplicates()) {
    duplicates.push({ incoming: g.cis[0]!.id, candidates: g.cis.slice(1).map((c) => c.id), key: g.key, reason: 'within_input' });
  }

  const cis: DocCI[] = [];
  const expectedVersions = new Map<string, number>();
  for (const c of doc.cis) {
    const id = target.get(c.id)!;
    const existing = storedById.get(id);
    if (existing) expectedVersions.set(id, existing.version);
    cis.push(mergeCI(existing, { ...c, id }, source, rank));
  }

  const relById = new Map(stored.relationships.map((r) => [r.id, r]));
  const relationships: (DocRelationship & { id: string })[] = [];
  const presentRels = new Set<string>();
  for (const r of doc.relationships) {
    const from = target.get(r.from) ?? r.from;
    const to = target.get(r.to) ?? r.to;
    if (from === to) continue; // an edge between an incoming CI and the stored CI it merged into vanishes
    const id = defaultRelationshipId(from, r.type, to);
    if (presentRels.has(id)) continue;
    presentRels.add(id);
    const existing = relById.get(id);
    const sources = [...new Set([...sourcesOf(existing?.attributes), source])].sort();
    relationships.push({
      id,
      type: r.type,
      from,
      to,
      attributes: sortKeys({ ...(existing?.attributes ?? {}), ...(r.attributes ?? {}), sources }),
    });
  }

  // Stale: this source's CIs and relationships the input no longer has.
  const presentCIs = new Set(target.values());
  const staleCIs = stored.cis.filter((c) => !presentCIs.has(c.id) && sourcesOf(c.attributes).includes(source));
  const staleRels = stored.relationships.filter((r) => !presentRels.has(r.id) && sourcesOf(r.attributes).includes(source));
  const deleteRelationships: string[] = [];
  const deleteCIs: string[] = [];
  if (input.prune) {
    const deletedCIs = new Set(staleCIs.filter((c) => sourcesOf(c.attributes).length === 1).map((c) => c.id));
    for (const c of staleCIs) {
      if (deletedCIs.has(c.id)) deleteCIs.push(c.id);
      else {
        expectedVersions.set(c.id, c.version);
        cis.push(withoutSource(c, source));
      }
    }
    const deletedRels = new Set<string>();
    for (const r of staleRels) {
      if (deletedCIs.has(r.from) || deletedCIs.has(r.to)) continue;
      if (sourcesOf(r.attributes).length === 1) {
        deleteRelationships.push(r.id);
        deletedRels.add(r.id);
      } else
        relationships.push({
          id: r.id,
          type: r.type,
          from: r.from,
          to: r.to,
          attributes: sortKeys({ ...r.attributes, sources: sourcesOf(r.attributes).filter((s) => s !== source) }),
        });
    }
    // A deleted CI takes every relationship still touching it, whichever source made it.
    for (const r of stored.relationships) {
      if ((deletedCIs.has(r.from) || deletedCIs.has(r.to)) && !deletedRels.has(r.id)) {
        deleteRelationships.push(r.id);
        deletedRels.add(r.id);
      }
    }
  }

  return {
    document: { cis, relationships },
    expectedVersions,
    deleteRelationships: deleteRelationships.sort(),
    deleteCIs: deleteCIs.sort(),
    matched,
    candidateDuplicates: duplicates,
    stale: { cis: staleCIs.map((c) => c.id).sort(), relationships: staleRels.map((r) => r.id).sort() },
  };
}

function rankOf(precedence: readonly string[]): (s: string) => number {
  const ranks = new Map(precedence.map((s, i) => [s, i]));
  return (s) => ranks.get(s) ?? precedence.length;
}

function sourcesOf(attributes: Record<string, unknown> | undefined): string[] {
  const s = attributes?.sources;
  return Array.isArray(s) ? s.filter((x): x is string => typeof x === 'string') : [];
}

function ownersOf(attributes: Record<string, unknown>): Record<string, string> {
  const o = attributes.sourceFields;
  // null is an object too, and spreads to {}
  return typeof o === 'object' && !Array.isArray(o) ? { ...(o as Record<string, string>) } : {};
}

/** The stored CI with `c`'s fields applied where `source` may set them (see the header). */
export function mergeCI(existing: CI | undefined, c: DocCI, source: string, rank: (s: string) => number): DocCI {
  const owners = existing ? ownersOf(existing.attributes) : {};
  const out: DocCI = existing ? clientFields(existing) : { id: c.id, class: c.class, name: c.name, attributes: {} };
  const attributes: Record<string, unknown> = { ...out.attributes };
  const mayWrite = (field: string) => {
    const o = owners[field];
    return o === undefined || o === source || rank(source) < rank(o);
  };
  const provided = new Set<string>();
  for (const f of TOP_FIELDS) {
    if (c[f] === undefined) continue;
    provided.add(f);
    if (!mayWrite(f)) continue;
    (out as unknown as Record<TopField, unknown>)[f] = c[f];
    owners[f] = source;
  }
  for (const [k, v] of Object.entries(c.attributes)) {
    if (META.has(k) || v === undefined) continue;
    const f = `attributes.${k}`;
    provided.add(f);
    if (!mayWrite(f)) continue;
    attributes[k] = v;
    owners[f] = source;
  }
  for (const [f, o] of Object.entries(owners)) {
    if (o !== source || provided.has(f)) continue;
    delete owners[f];
    if (f.startsWith('attributes.')) delete attributes[f.slice('attributes.'.length)];
  }
  attributes.sources = [...new Set([...sourcesOf(existing?.attributes), source])].sort();
  attributes.sourceFields = sortKeys(owners);
  out.attributes = sortKeys(attributes);
  return out;
}

function withoutSource(c: CI, source: string): DocCI {
  const out = clientFields(c);
  const owners = ownersOf(c.attributes);
  for (const [f, o] of Object.entries(owners)) if (o === source) delete owners[f];
  out.attributes = sortKeys({ ...out.attributes, sources: sourcesOf(c.attributes).filter((s) => s !== source), sourceFields: owners });
  return out;
}

function clientFields(c: CI): DocCI {
  const out: DocCI = {
    id: c.id,
    class: c.class,
    name: c.name,
    status: c.status,
    environment: c.environment,
    criticality: c.criticality,
    attributes: { ...c.attributes },
    tags: [...c.tags],
    redundancy: c.redundancy.map((r) => ({ ...r })),
  };
  if (c.owner !== undefined) out.owner = c.owner;
  return out;
}
