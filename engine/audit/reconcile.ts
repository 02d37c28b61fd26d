/**
 * Reconciliation with discovered data (DESIGN.md "Reconciliation"): a discovery snapshot (the
 * import format plus a source name and an optional scope) compared with the CMDB. CIs are matched
 * by engine/model/identification.ts (the importers' matching: the CMDB id first, then the class's
 * identification keys, strongest first), never by a tool's own ids. Outcomes:
 * - matched, and attribute drift on what the source reports (a field the scan does not report is
 *   not drift: a network scan knows serial numbers, not owners);
 * - unregistered: discovered, matching nothing; duplicates: matching several CMDB CIs (never
 *   merged silently);
 * - missing: in-service CMDB CIs in the source's scope (its classes, optionally only those located
 *   transitively in given sites or racks) that nothing discovered matches;
 * - relationship drift, in CMDB ids: discovered relationships the CMDB lacks, and CMDB
 *   relationships of the reported types between matched CIs that the source did not see.
 * `applyPlan` turns a result into one atomic batch: the source wins for what it reports; missing
 * CIs and relationships are only reported (absence from one scan is not proof of removal).
 * Pure: the caller hands the CMDB's documents and graph.
 */
import { z } from 'zod';
import { CIInput, RelTypeName, toCIData, type CI, type CIData } from '../model/ci.ts';
import { defaultRelationshipId, type RelationshipData } from '../model/relationship.ts';
import { IdentificationIndex, identificationKeys, keyString, signature } from '../model/identification.ts';
import type { Registry } from '../model/registry.ts';
import { InputError, SemanticError, zodIssues } from '../errors.ts';
import { canonicalJson } from './hash-chain.ts';
import type { AuditGraph } from './types.ts';

export const DiscoveryFile = z
  .object({
    source: z.string().min(1).max(200).optional(),
    at: z.string().optional(),
    scope: z
      .object({ classes: z.array(z.string()).min(1).optional(), locatedIn: z.array(z.string()).min(1).optional() })
      .strict()
      .optional(),
    cis: z.array(z.record(z.string(), z.unknown())).default([]),
    relationships: z.array(z.object({ type: RelTypeName, from: z.string().min(1), to: z.string().min(1) }).strict()).default([]),
  })
  .strict();

export interface DiscoveredCI {
  data: CIData;
  /** Top-level fields and `attributes.*` the source reported. */
  reported: string[];
}

export interface Discovery {
  source: string;
  at: string | null;
  scope: { classes?: string[]; locatedIn?: string[] } | undefined;
  cis: DiscoveredCI[];
  relationships: { type: string; from: string; to: string }[];
}

/** `name` is never drift: every tool names things its own way, and the CMDB's name is the CMDB's. */
const REPORTABLE = ['status', 'environment', 'criticality', 'owner', 'tags'];

/** Validates a discovery snapshot; errors name the row and field, like an import. */
export function parseDiscovery(raw: unknown, source: string, file: string, registry: Registry): Discovery {
  const parsed = DiscoveryFile.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new InputError(`verify: "${file}", field "${i.path.join('.')}": ${i.message}`, zodIssues(parsed.error.issues));
  }
  const cis = parsed.data.cis.map((row, n) => {
    const ci = CIInput.safeParse(row);
    if (!ci.success)
      throw new InputError(
        `verify: "${file}" cis[${n}], field "${ci.error.issues[0]!.path.join('.')}": ${ci.error.issues[0]!.message}`,
        zodIssues(ci.error.issues),
      );
    const data = toCIData(ci.data);
    registry.checkCI(data, `verify: "${file}" cis[${n}]`);
    const reported = [...REPORTABLE.filter((k) => k in row), ...Object.keys(data.attributes).map((k) => `attributes.${k}`)];
    return { data, reported };
  });
  for (const c of parsed.data.scope?.classes ?? [])
    if (!registry.classDef(c)) throw new SemanticError(`verify: "${file}" scope.classes: unknown class "${c}"`, { value: c });
  return {
    source: parsed.data.source ?? source,
    at: parsed.data.at ?? null,
    scope: parsed.data.scope,
    cis,
    relationships: parsed.data.relationships,
  };
}

export interface FieldDrift {
  field: string;
  cmdb: unknown;
  discovered: unknown;
}

export interface ReconciliationResult {
  source: string;
  matched: { id: string; discovered: string; key: readonly string[] }[];
  drift: { id: string; discovered: string; fields: FieldDrift[] }[];
  unregistered: { discovered: string; class: string; name: string }[];
  missing: { id: string; class: string; name: string }[];
  duplicates: { discovered: string; candidates: string[]; key: readonly string[] }[];
  relationships: {
    unregistered: { type: string; from: string; to: string }[];
    missing: { id: string; type: string; from: string; to: string }[];
  };
}

function fieldOf(ci: CIData, field: string): unknown {
  if (field.startsWith('attributes.')) return ci.attributes[field.slice('attributes.'.length)];
  return (ci as unknown as Record<string, unknown>)[field];
}

/** Strings compare trimmed and case-insensitively: tools disagree on the case of host names and serials, which is not drift. */
function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** Code-unit order of two strings: the same on every machine, unlike `localeCompare`. */
function order(p: string, q: string): number {
  if (p < q) return -1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — V8's sort only asks whether the answer is below 0, so 1 and 0 sort alike
  return p > q ? 1 : 0;
}

/** The steps of `reconcile`, announced to `options.phase` as each begins (the bench times them apart). */
export type ReconcilePhase = 'candidates' | 'index' | 'match' | 'missing' | 'relationships' | 'sort';

export interface ReconcileOptions {
  /** Called as each step begins: a probe for the bench, never needed for the answer. */
  phase?: (name: ReconcilePhase) => void;
}

export function reconcile(
  d: Discovery,
  cmdb: readonly CI[],
  graph: AuditGraph,
  registry: Registry,
  options: ReconcileOptions = {},
): ReconciliationResult {
  const phase = options.phase ?? (() => {});
  phase('candidates');
  const { candidates, position, unmatched } = walkCmdb(d, cmdb, registry);
  phase('index');
  const index = new IdentificationIndex<CI>(registry, candidates);
  phase('match');
  const out: ReconciliationResult = {
    source: d.source,
    matched: [],
    drift: [],
    unregistered: [],
    missing: [],
    duplicates: [],
    relationships: { unregistered: [], missing: [] },
  };
  /** discovered id → CMDB id (matched) or the discovered id itself (unregistered). */
  const resolved = new Map<string, string | null>();
  const matchedIds = new Set<string>();
  for (const { data, reported } of d.cis) {
    const m = index.match(data);
    if (m.kind === 'match') {
      out.matched.push({ id: m.ci.id, discovered: data.id, key: m.key });
      matchedIds.add(m.ci.id);
      unmatched[position.get(m.ci)!] = 0;
      resolved.set(data.id, m.ci.id);
      const fields: FieldDrift[] = [];
      for (const f of reported) {
        const a = fieldOf(m.ci, f);
        const b = fieldOf(data, f);
        if (!sameValue(a, b)) fields.push({ field: f, cmdb: a ?? null, discovered: b ?? null });
      }
      if (fields.length > 0) out.drift.push({ id: m.ci.id, discovered: data.id, fields });
    } else if (m.kind === 'ambiguous') {
      for (const c of m.candidates) unmatched[position.get(c)!] = 0;
      out.duplicates.push({ discovered: data.id, candidates: m.candidates.map((c) => c.id).sort(), key: m.key });
      resolved.set(data.id, null);
    } else {
      out.unregistered.push({ discovered: data.id, class: data.class, name: data.name });
      resolved.set(data.id, data.id);
    }
  }

  // Missing: in-service CIs in the source's scope that nothing discovered matched — the marks the
  // walk left and matching did not clear, so only those CIs are read again (in CMDB order, which
  // is id order when the store streamed them: checked here, so the sort below is then skipped).
  phase('missing');
  const sites = d.scope?.locatedIn ? new Set(d.scope.locatedIn) : undefined;
  const locatedIn = (id: string): boolean => {
    const seen = new Set<string>([id]);
    const queue = [id];
    for (let i = 0; i < queue.length; i++) {
      let hit = false;
      graph.forEachOutEdge(queue[i]!, (_e, a, _s, to) => {
        if (a.type !== 'LOCATED_IN' || seen.has(to)) return;
        if (sites!.has(to)) hit = true;
        seen.add(to);
        queue.push(to);
      });
      if (hit) return true;
    }
    return false;
  };
  // Whether `missing` came out in id order; every mutant that only makes this say "no" more often
  // sorts a sorted list (same answer), hence the marks.
  // Stryker disable next-line BooleanLiteral: equivalent — starting at "not sorted" only sorts
  let sorted = true;
  // Stryker disable next-line StringLiteral: equivalent — any other start only says "not sorted" sooner
  let last = '';
  for (let i = 0; i < unmatched.length; i++) {
    if (unmatched[i] === 0) continue;
    const c = cmdb[i]!;
    if (sites && (!graph.hasNode(c.id) || !locatedIn(c.id))) continue;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — except `false` (never unsorted; the cross-check's reversed CMDB catches it), each variant only sorts more
    if (c.id < last) sorted = false;
    last = c.id;
    out.missing.push({ id: c.id, class: c.class, name: c.name });
  }

  // Relationship drift in CMDB ids.
  phase('relationships');
  const seen = new Set<string>();
  const types = new Set(d.relationships.map((r) => r.type));
  for (const r of d.relationships) {
    const from = resolved.get(r.from);
    const to = resolved.get(r.to);
    if (from === undefined || to === undefined)
      throw new SemanticError(`verify: discovered relationship ${r.from} ${r.type} ${r.to} names a CI the snapshot does not contain`, {
        relationship: r,
      });
    if (from === null || to === null) continue;
    const key = `${from}\u0000${r.type}\u0000${to}`;
    seen.add(key);
    let exists = false;
    if (graph.hasNode(from) && graph.hasNode(to)) graph.forEachOutEdge(from, (_e, a, _s, t) => (exists ||= a.type === r.type && t === to));
    if (!exists) out.relationships.unregistered.push({ type: r.type, from, to });
  }
  // A CMDB relationship is missing only if its type is one the source reports: none, nothing to walk.
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — except `false` (pinned by the relationship tests), each variant walks and finds nothing
  if (types.size > 0)
    for (const id of [...matchedIds].sort()) {
      graph.forEachOutEdge(id, (e, a, from, to) => {
        if (!types.has(a.type) || !matchedIds.has(to)) return;
        if (!seen.has(`${from}\u0000${a.type}\u0000${to}`)) out.relationships.missing.push({ id: e, type: a.type, from, to });
      });
    }

  // Stable sorts in code-unit order (ids are unique in each list but `matched` and `drift`, where
  // two discovered CIs matching one CMDB CI stay in scan order); no key closures.
  phase('sort');
  out.matched.sort((a, b) => order(a.id, b.id));
  out.drift.sort((a, b) => order(a.id, b.id));
  out.unregistered.sort((a, b) => order(a.discovered, b.discovered));
  // CMDB ids are unique, so sorting a list already in id order changes nothing: skipped.
  // Stryker disable next-line ConditionalExpression: equivalent — the `true` variant sorts a sorted list (same answer); `false` is caught by the cross-check's reversed CMDB
  if (!sorted) out.missing.sort((a, b) => order(a.id, b.id));
  out.relationships.unregistered.sort((a, b) => order(`${a.from}|${a.type}|${a.to}`, `${b.from}|${b.type}|${b.to}`));
  return out;
}

/**
 * One walk over the CMDB for what reconciliation needs of every CI: the candidates a discovered CI
 * could match — those with a discovered CI's id, or with a value under one of their class's keys
 * that some discovered CI has under the same key — and a mark on every in-service CI of the
 * scope's classes (missing unless matching clears it). Matching needs no other CI: every
 * candidate `IdentificationIndex.match` could return shares the id or a bucket with the
 * discovered CI, so indexing these alone gives the same answers as indexing the whole CMDB,
 * without building buckets for a million CIs to answer fifty thousand questions. Retired CIs are
 * never candidates; the CMDB's order is kept (an ambiguous match lists candidates in it), and each
 * candidate's position in `cmdb` is returned with it. A mark per position, not a set of ids: the
 * CMDB's objects are read once here, and only the marked ones again.
 */
function walkCmdb(
  d: Discovery,
  cmdb: readonly CI[],
  registry: Registry,
): { candidates: CI[]; position: Map<CI, number>; unmatched: Uint8Array } {
  const keysOf = new Map<string, { fields: readonly string[]; sig: string; declaredBy: string }[]>();
  const keys = (cls: string) => {
    let k = keysOf.get(cls);
    // Stryker disable next-line ConditionalExpression: equivalent — a per-class cache; recomputing it gives the same keys
    if (k === undefined)
      keysOf.set(
        cls,
        (k = identificationKeys(registry, cls).map((x) => ({ fields: x.fields, sig: signature(x.fields), declaredBy: x.declaredBy }))),
      );
    return k;
  };
  const ids = new Set<string>();
  const wanted = new Map<string, Set<string>>();
  const discoveredClasses = new Set<string>();
  for (const { data } of d.cis) {
    ids.add(data.id);
    discoveredClasses.add(data.class);
    for (const k of keys(data.class)) {
      const v = keyString(data, k.fields);
      // Stryker disable next-line ConditionalExpression: equivalent — an `undefined` wanted value is never looked up (the walk tests `v !== undefined` first)
      if (v === undefined) continue;
      let set = wanted.get(k.sig);
      if (set === undefined) wanted.set(k.sig, (set = new Set()));
      set.add(v);
    }
  }
  const scope = d.scope?.classes ?? [...discoveredClasses];
  // Per class, once: whether it is in the scope, and the keys some discovered CI has a value for
  // and may be joined on — a key joins two CIs only when a class both are declares it
  // (identification.ts; `declaredBy` is its root-most declarer), so one declared by, say,
  // Application is skipped unless something discovered is an Application: no million names
  // lower-cased for a scan of servers.
  const planOf = new Map<string, { inScope: boolean; asked: { fields: readonly string[]; values: Set<string> }[] }>();
  // Stryker disable next-line ArrayDeclaration: equivalent — a stray non-CI entry has no id a discovered CI can have (ids are non-empty) and no keys
  const candidates: CI[] = [];
  const position = new Map<CI, number>();
  const unmatched = new Uint8Array(cmdb.length);
  for (let i = 0; i < cmdb.length; i++) {
    const c = cmdb[i]!;
    const status = c.status;
    if (status === 'retired') continue;
    let plan = planOf.get(c.class);
    // Stryker disable next-line ConditionalExpression: equivalent — a per-class cache; recomputing the plan gives the same plan
    if (plan === undefined) {
      const cls = c.class;
      const asked: { fields: readonly string[]; values: Set<string> }[] = [];
      for (const k of keys(cls)) {
        const values = wanted.get(k.sig);
        if (values === undefined) continue;
        const declaredBy = k.declaredBy;
        // Stryker disable next-line ConditionalExpression: equivalent — asking a key no discovered class may join on only adds candidates the index never returns
        if ([...discoveredClasses].some((dc) => registry.isA(dc, declaredBy))) asked.push({ fields: k.fields, values });
      }
      planOf.set(cls, (plan = { inScope: scope.some((k) => registry.isA(cls, k)), asked }));
    }
    if (plan.inScope && status === 'in_service') unmatched[i] = 1;
    // Stryker disable next-line ConditionalExpression: equivalent — every CI a candidate is the whole-CMDB index, which answers the same (the cross-check's reference)
    if (ids.has(c.id)) {
      candidates.push(c);
      position.set(c, i);
      continue;
    }
    for (const k of plan.asked) {
      const v = keyString(c, k.fields);
      // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent — extra candidates only: the index returns a CI only if it shares the id or a key value
      if (v !== undefined && k.values.has(v)) {
        candidates.push(c);
        position.set(c, i);
        break;
      }
    }
  }
  return { candidates, position, unmatched };
}

/** The batch `--apply` writes: drift corrected to the discovered values, unregistered CIs and relationships created. */
export type ReconcileMutation =
  | { op: 'upsertCI'; ci: CIData; expectedVersion: number }
  | { op: 'upsertRelationship'; relationship: RelationshipData; expectedVersion: 0 };

export function applyPlan(d: Discovery, r: ReconciliationResult, cmdb: ReadonlyMap<string, CI>): ReconcileMutation[] {
  const discovered = new Map(d.cis.map((c) => [c.data.id, c.data]));
  const batch: ReconcileMutation[] = [];
  for (const dr of r.drift) {
    const current = cmdb.get(dr.id)!;
    const { version, createdAt: _c, updatedAt: _u, ...data } = current;
    const next: CIData = { ...data, attributes: { ...data.attributes } };
    for (const f of dr.fields) {
      if (f.field.startsWith('attributes.')) next.attributes[f.field.slice(11)] = f.discovered;
      else (next as unknown as Record<string, unknown>)[f.field] = f.discovered;
    }
    batch.push({ op: 'upsertCI', ci: next, expectedVersion: version });
  }
  for (const u of r.unregistered) {
    const data = discovered.get(u.discovered)!;
    batch.push({ op: 'upsertCI', ci: { ...data, attributes: { ...data.attributes, discoverySource: d.source } }, expectedVersion: 0 });
  }
  for (const rel of r.relationships.unregistered) {
    batch.push({
      op: 'upsertRelationship',
      relationship: { id: defaultRelationshipId(rel.from, rel.type, rel.to), type: rel.type, from: rel.from, to: rel.to, attributes: {} },
      expectedVersion: 0,
    });
  }
  return batch;
}
