/**
 * Straightforward references for the audit's hot paths, kept as the optimised modules were before
 * they were tuned for 1M CIs (bench/README.md, "audit"): the whole identification index for
 * `duplicate` and `reconcile`, one blast radius per expiring certificate, an attribute walk for
 * every pair of snapshot documents, health scores from sets. test/audit/cross-check.test.ts runs
 * both on a generated graph with seeded defects and asserts identical results, so a speed-up can
 * never change what the audit reports. Test-only: nothing in engine/ imports this.
 */
import { blastRadius } from '../../engine/impact/index.ts';
import { IdentificationIndex } from '../../engine/model/identification.ts';
import type { CI } from '../../engine/model/ci.ts';
import type { Registry } from '../../engine/model/registry.ts';
import { canonicalJson } from '../../engine/audit/hash-chain.ts';
import { CATEGORIES, type AuditContext, type AuditGraph, type AuditInput, type Category, type Finding } from '../../engine/audit/types.ts';
import type { RuleSet } from '../../engine/audit/rule-file.ts';
import { auditContext, type AuditResult } from '../../engine/audit/run.ts';
import type { EntityDiff, FieldChange, Snapshot, SnapshotDiff } from '../../engine/audit/snapshot.ts';
import type { Discovery, FieldDrift, ReconciliationResult } from '../../engine/audit/reconcile.ts';

const cmp = (p: string, q: string) => (p < q ? -1 : p > q ? 1 : 0);
const isLive = (c: Pick<CI, 'status'>) => c.status !== 'retired';
const hasValue = (v: unknown) => v !== undefined && v !== null && v !== '';

export function refDuplicate(ctx: AuditContext, severity = 'error'): Finding[] {
  const index = new IdentificationIndex(ctx.registry, ctx.cis.filter(isLive));
  const out: Finding[] = [];
  for (const group of index.duplicates()) {
    const members = [...group.cis].sort((a, b) => cmp(a.createdAt, b.createdAt) || cmp(a.id, b.id));
    const original = members[0]!;
    const key = Object.fromEntries(
      group.key.map((k) => [k, k === 'id' || k === 'name' || k === 'environment' ? original[k] : original.attributes[k]]),
    );
    const ids = members.map((m) => m.id);
    for (const m of members.slice(1))
      out.push({
        rule: 'duplicate',
        ci: m.id,
        severity: severity as Finding['severity'],
        message: `${m.class} "${m.id}" duplicates "${original.id}" (same ${group.key.join(' + ')})`,
        evidence: { original: original.id, key, members: ids },
      });
  }
  return out;
}

export function refCertificateExpiry(ctx: AuditContext, days = 30, severity = 'warning'): Finding[] {
  const { cis, registry, index, now } = ctx;
  const out: Finding[] = [];
  for (const ci of cis) {
    if (!registry.isA(ci.class, 'Certificate') || !isLive(ci) || !hasValue(ci.attributes.expiresAt)) continue;
    const raw = ci.attributes.expiresAt;
    const at = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
    if (Number.isNaN(at)) {
      out.push({
        rule: 'certificate-expiry',
        ci: ci.id,
        severity: 'error',
        message: `certificate "${ci.id}" has an unreadable expiresAt ${JSON.stringify(raw)}`,
        evidence: { expiresAt: raw },
      });
      continue;
    }
    const daysLeft = Math.floor((at - now.getTime()) / 86_400_000);
    if (at > now.getTime() + days * 86_400_000) continue;
    const expired = at <= now.getTime();
    const impact = index.idToIndex.has(ci.id) ? blastRadius(index, registry, [{ ci: ci.id, effect: 'down' }]) : undefined;
    const services = (impact?.services ?? [])
      .filter((s) => s.id !== ci.id)
      .map((s) => ({ id: s.id, name: s.name, criticality: s.criticality, state: s.state }));
    const down = services.filter((s) => s.state === 'down');
    const first = down[0] ?? services[0];
    const path = first ? (impact!.impacted.find((c) => c.id === first.id)?.via ?? []) : [];
    const takes =
      down.length > 0
        ? `; its expiry takes down ${down.map((s) => s.id).join(', ')}`
        : services.length > 0
          ? `; its expiry degrades ${services.map((s) => s.id).join(', ')}`
          : '';
    out.push({
      rule: 'certificate-expiry',
      ci: ci.id,
      severity: expired ? 'error' : (severity as Finding['severity']),
      message: `certificate "${ci.id}" ${expired ? `expired on ${raw as string}` : `expires on ${raw as string} (in ${daysLeft} days)`}${takes}`,
      evidence: { expiresAt: raw, daysLeft, expired, services, path },
    });
  }
  return out;
}

/** `orphan` as it was: a graph lookup per live CI. */
export function refOrphan({ cis, graph }: AuditContext, severity = 'warning'): Finding[] {
  return cis
    .filter((ci) => isLive(ci) && graph.hasNode(ci.id) && graph.degree(ci.id) === 0)
    .map((ci) => ({
      rule: 'orphan',
      ci: ci.id,
      severity: severity as Finding['severity'],
      message: `${ci.class} "${ci.id}" has no relationship`,
      evidence: { class: ci.class },
    }));
}

/** `stale` as it was: both dates parsed for every live CI. */
export function refStale({ cis, now }: AuditContext, days = 180, severity = 'warning'): Finding[] {
  const limit = now.getTime() - days * 86_400_000;
  const out: Finding[] = [];
  for (const ci of cis) {
    if (!isLive(ci)) continue;
    const updated = Date.parse(ci.updatedAt);
    const v = ci.attributes.verifiedAt;
    const verified = typeof v === 'string' ? Date.parse(v) : Number.NaN;
    const last = Number.isNaN(verified) ? updated : Math.max(updated, verified);
    if (Number.isNaN(last) || last >= limit) continue;
    const age = Math.floor((now.getTime() - last) / 86_400_000);
    out.push({
      rule: 'stale',
      ci: ci.id,
      severity: severity as Finding['severity'],
      message: `${ci.class} "${ci.id}" was last verified or updated ${age} days ago (limit ${days})`,
      evidence: { lastConfirmed: new Date(last).toISOString(), ageDays: age, limitDays: days },
    });
  }
  return out;
}

/** `required-attributes` as it was: the registry asked and a list filtered per CI. */
export function refRequiredAttributes({ cis, registry }: AuditContext, severity = 'warning'): Finding[] {
  const out: Finding[] = [];
  for (const ci of cis) {
    if (!isLive(ci)) continue;
    const missing = (registry.classDef(ci.class)?.requiredAttributes ?? []).filter((a) => !hasValue(ci.attributes[a]));
    if (missing.length > 0)
      out.push({
        rule: 'required-attributes',
        ci: ci.id,
        severity: severity as Finding['severity'],
        message: `${ci.class} "${ci.id}" has no ${missing.join(', ')} (required for its class)`,
        evidence: { class: ci.class, missing },
      });
  }
  return out;
}

/** Every stored propagating relationship, walked on graphology with the registry's provider end. */
function refReliances(
  graph: AuditGraph,
  registry: Registry,
  cb: (rel: string, type: string, from: string, to: string, dependent: string, provider: string) => void,
): void {
  graph.forEachEdge((rel, a, from, to) => {
    const t = registry.relType(a.type);
    if (!t?.propagates) return;
    const [dependent, provider] = t.provider === 'from' ? [to, from] : [from, to];
    cb(rel, a.type, from, to, dependent, provider);
  });
}

/** `environment-crossing` as it reads: every relationship's two ends compared on the mirror's attributes. */
export function refEnvironmentCrossing({ graph, registry }: AuditContext, severity = 'warning'): Finding[] {
  const out: Finding[] = [];
  refReliances(graph, registry, (rel, type, from, to, dependent, provider) => {
    const d = graph.getNodeAttributes(dependent);
    const p = graph.getNodeAttributes(provider);
    if (d.environment !== 'production' || p.environment === 'production' || !isLive(d) || !isLive(p)) return;
    out.push({
      rule: 'environment-crossing',
      relationship: rel,
      severity: severity as Finding['severity'],
      message: `production "${dependent}" relies on ${p.environment} "${provider}" (${type})`,
      evidence: { dependent, provider, providerEnvironment: p.environment, path: [{ from, type, to }] },
    });
  });
  return out;
}

/** `retired-dependency` as it reads. */
export function refRetiredDependency({ graph, registry }: AuditContext, severity = 'error'): Finding[] {
  const out: Finding[] = [];
  refReliances(graph, registry, (rel, type, from, to, dependent, provider) => {
    const d = graph.getNodeAttributes(dependent);
    const p = graph.getNodeAttributes(provider);
    if (!['in_service', 'maintenance'].includes(d.status) || !['retired', 'planned'].includes(p.status)) return;
    out.push({
      rule: 'retired-dependency',
      relationship: rel,
      severity: severity as Finding['severity'],
      message: `${d.status.replace('_', '-')} "${dependent}" relies on ${p.status} "${provider}" (${type})`,
      evidence: { dependent, provider, providerStatus: p.status, path: [{ from, type, to }] },
    });
  });
  return out;
}

/** runAudit as a plain fold; `replace` swaps a rule's implementation for its reference. */
export function refRunAudit(input: AuditInput, ruleSet: RuleSet, replace: Record<string, (ctx: AuditContext) => Finding[]>): AuditResult {
  const ctx = auditContext(input);
  const findings: Finding[] = [];
  const rules: AuditResult['rules'] = [];
  const category = new Map<string, Category>();
  for (const rule of ruleSet.rules) {
    const found = (replace[rule.id] ?? ((c: AuditContext) => rule.run(c)))(ctx).sort(
      (a, b) => cmp(a.ci ?? a.relationship ?? '', b.ci ?? b.relationship ?? '') || cmp(a.message, b.message),
    );
    findings.push(...found);
    category.set(rule.id, rule.category);
    rules.push({ id: rule.id, category: rule.category, description: rule.description, findings: found.length });
  }
  const failing: Record<Category, Set<string>> = { completeness: new Set(), correctness: new Set(), compliance: new Set() };
  for (const f of findings) {
    const d = f.evidence.dependent;
    const subject = f.ci ?? (typeof d === 'string' ? d : undefined);
    if (subject !== undefined) failing[category.get(f.rule) ?? 'compliance'].add(subject);
  }
  type Tally = { cis: number } & Record<Category, number>;
  const total: Tally = { cis: 0, completeness: 0, correctness: 0, compliance: 0 };
  const per = new Map<string, Tally>();
  for (const ci of input.cis) {
    if (ci.status === 'retired') continue;
    const c = per.get(ci.class) ?? { cis: 0, completeness: 0, correctness: 0, compliance: 0 };
    per.set(ci.class, c);
    total.cis++;
    c.cis++;
    for (const cat of CATEGORIES)
      if (!failing[cat].has(ci.id)) {
        total[cat]++;
        c[cat]++;
      }
  }
  const pct = (ok: number, n: number) => (n === 0 ? 100 : Math.round((1000 * ok) / n) / 10);
  const scores = (c: Tally) => {
    const [completeness, correctness, compliance] = [pct(c.completeness, c.cis), pct(c.correctness, c.cis), pct(c.compliance, c.cis)];
    return {
      score: Math.round(((completeness + correctness + compliance) / 3) * 10) / 10,
      completeness,
      correctness,
      compliance,
      cis: c.cis,
    };
  };
  const byClass = Object.fromEntries([...per.keys()].sort().map((k) => [k, scores(per.get(k)!)]));
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of findings) bySeverity[f.severity]++;
  return { summary: { ...scores(total), findings: findings.length, bySeverity }, byClass, rules, findings, ruleSetHash: ruleSet.hash };
}

const SYSTEM = new Set(['version', 'createdAt', 'updatedAt']);

function refFieldChanges(before: Record<string, unknown>, after: Record<string, unknown>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const k of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
    if (SYSTEM.has(k)) continue;
    if (k === 'attributes') {
      const a = (before.attributes ?? {}) as Record<string, unknown>;
      const b = (after.attributes ?? {}) as Record<string, unknown>;
      for (const ak of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
        if (canonicalJson(a[ak]) !== canonicalJson(b[ak]))
          out.push({ field: `attributes.${ak}`, before: a[ak] ?? null, after: b[ak] ?? null });
      continue;
    }
    if (canonicalJson(before[k]) !== canonicalJson(after[k])) out.push({ field: k, before: before[k] ?? null, after: after[k] ?? null });
  }
  return out;
}

/** Every pair walked attribute by attribute, shared documents included. */
function refDiffMaps(a: ReadonlyMap<string, object>, b: ReadonlyMap<string, object>): EntityDiff {
  const added = [...b.keys()].filter((id) => !a.has(id)).sort(cmp);
  const removed = [...a.keys()].filter((id) => !b.has(id)).sort(cmp);
  const changed = [...a.keys()]
    .filter((id) => b.has(id))
    .sort(cmp)
    .map((id) => ({ id, fields: refFieldChanges(a.get(id) as Record<string, unknown>, b.get(id) as Record<string, unknown>) }))
    .filter((c) => c.fields.length > 0);
  return { added, removed, changed };
}

export function refDiffSnapshots(a: Snapshot, b: Snapshot): SnapshotDiff {
  return {
    from: { seq: a.seq },
    to: { seq: b.seq },
    cis: refDiffMaps(a.cis, b.cis),
    relationships: refDiffMaps(a.relationships, b.relationships),
  };
}

function fieldOf(ci: object, field: string): unknown {
  if (field.startsWith('attributes.')) return (ci as CI).attributes[field.slice('attributes.'.length)];
  return (ci as Record<string, unknown>)[field];
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return a.trim().toLowerCase() === b.trim().toLowerCase();
  return canonicalJson(a ?? null) === canonicalJson(b ?? null);
}

/** Reconciliation over the whole identification index of the live CMDB. */
export function refReconcile(d: Discovery, cmdb: readonly CI[], graph: AuditGraph, registry: Registry): ReconciliationResult {
  const live = cmdb.filter(isLive);
  const index = new IdentificationIndex(registry, live);
  const out: ReconciliationResult = {
    source: d.source,
    matched: [],
    drift: [],
    unregistered: [],
    missing: [],
    duplicates: [],
    relationships: { unregistered: [], missing: [] },
  };
  const resolved = new Map<string, string | null>();
  const matchedIds = new Set<string>();
  const inDuplicates = new Set<string>();
  for (const { data, reported } of d.cis) {
    const m = index.match(data);
    if (m.kind === 'match') {
      out.matched.push({ id: m.ci.id, discovered: data.id, key: m.key });
      matchedIds.add(m.ci.id);
      resolved.set(data.id, m.ci.id);
      const fields: FieldDrift[] = [];
      for (const f of reported) {
        const [x, y] = [fieldOf(m.ci, f), fieldOf(data, f)];
        if (!sameValue(x, y)) fields.push({ field: f, cmdb: x ?? null, discovered: y ?? null });
      }
      if (fields.length > 0) out.drift.push({ id: m.ci.id, discovered: data.id, fields });
    } else if (m.kind === 'ambiguous') {
      const candidates = m.candidates.map((c) => c.id).sort();
      for (const c of candidates) inDuplicates.add(c);
      out.duplicates.push({ discovered: data.id, candidates, key: m.key });
      resolved.set(data.id, null);
    } else {
      out.unregistered.push({ discovered: data.id, class: data.class, name: data.name });
      resolved.set(data.id, data.id);
    }
  }
  const classes = d.scope?.classes ?? [...new Set(d.cis.map((c) => c.data.class))];
  const sites = d.scope?.locatedIn ? new Set(d.scope.locatedIn) : undefined;
  const locatedIn = (id: string): boolean => {
    const seen = new Set([id]);
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
  for (const c of live) {
    if (c.status !== 'in_service' || matchedIds.has(c.id) || inDuplicates.has(c.id)) continue;
    if (!classes.some((k) => registry.isA(c.class, k))) continue;
    if (sites && (!graph.hasNode(c.id) || !locatedIn(c.id))) continue;
    out.missing.push({ id: c.id, class: c.class, name: c.name });
  }
  const seen = new Set<string>();
  const types = new Set(d.relationships.map((r) => r.type));
  for (const r of d.relationships) {
    const from = resolved.get(r.from);
    const to = resolved.get(r.to);
    if (from === undefined || to === undefined) throw new Error('discovered relationship names an unknown CI');
    if (from === null || to === null) continue;
    seen.add(`${from}\u0000${r.type}\u0000${to}`);
    let exists = false;
    if (graph.hasNode(from) && graph.hasNode(to)) graph.forEachOutEdge(from, (_e, a, _s, t) => (exists ||= a.type === r.type && t === to));
    if (!exists) out.relationships.unregistered.push({ type: r.type, from, to });
  }
  for (const id of [...matchedIds].sort())
    graph.forEachOutEdge(id, (e, a, from, to) => {
      if (!types.has(a.type) || !matchedIds.has(to)) return;
      if (!seen.has(`${from}\u0000${a.type}\u0000${to}`)) out.relationships.missing.push({ id: e, type: a.type, from, to });
    });
  out.matched.sort((p, q) => cmp(p.id, q.id));
  out.drift.sort((p, q) => cmp(p.id, q.id));
  out.unregistered.sort((p, q) => cmp(p.discovered, q.discovered));
  out.missing.sort((p, q) => cmp(p.id, q.id));
  out.relationships.unregistered.sort((p, q) => cmp(`${p.from}|${p.type}|${p.to}`, `${q.from}|${q.type}|${q.to}`));
  return out;
}
