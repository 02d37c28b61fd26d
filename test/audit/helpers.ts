/**
 * Small graphs for the audit rules: CIs and relationships given tersely, turned into the mirror
 * graph (through the mirror's own event path), the impact index and full CI documents.
 */
import { buildImpactIndex } from '../../engine/impact/index.ts';
import { CIInput, toCIData, type CI, type CIData } from '../../engine/model/ci.ts';
import { Registry } from '../../engine/model/registry.ts';
import { Mirror } from '../../engine/mirror/mirror.ts';
import type { ChangeEvent } from '../../engine/store/port.ts';
import { compileRuleSet, parseRuleFile, runAudit, type AuditInput, type AuditResult, type Finding } from '../../engine/audit/index.ts';
import type { DiscoveredCI, Discovery } from '../../engine/audit/reconcile.ts';

export const registry = Registry.load();
export const NOW = new Date('2026-11-01T00:00:00Z');
const STAMP = '2026-10-30T00:00:00.000Z';

export type CiSpec = Partial<Omit<CI, 'id' | 'class'>> & { id: string; class: string };

export function graphOf(cis: CiSpec[], rels: string[], now = NOW): AuditInput {
  const docs: CI[] = cis.map((c) => {
    const { version, createdAt, updatedAt, ...rest } = c;
    const data = toCIData(CIInput.parse({ name: c.id, owner: 'team-a', ...rest }));
    return { ...data, version: version ?? 1, createdAt: createdAt ?? STAMP, updatedAt: updatedAt ?? STAMP };
  });
  const mirror = new Mirror();
  let seq = 0;
  const events: ChangeEvent[] = docs.map((ci) => ({
    seq: ++seq,
    at: STAMP,
    actor: 't',
    op: 'create',
    entity: 'ci',
    id: ci.id,
    before: null,
    after: ci,
  }));
  for (const r of rels) {
    // `from TYPE to` (id `from|TYPE|to`) or `from TYPE to id`: two relationships of one type between one pair need ids of their own.
    const [from, type, to, given] = r.split(' ') as [string, string, string, string?];
    const id = given ?? `${from}|${type}|${to}`;
    events.push({
      seq: ++seq,
      at: STAMP,
      actor: 't',
      op: 'create',
      entity: 'relationship',
      id,
      before: null,
      after: { id, type, from, to, attributes: {}, version: 1, createdAt: STAMP, updatedAt: STAMP },
    });
  }
  mirror.applyEvents(events);
  return { graph: mirror.graph, index: buildImpactIndex(mirror.graph, registry), registry, cis: docs, now };
}

/** Runs only `rule` (the others disabled), with optional parameters. */
export function runOnly(input: AuditInput, rule: string, params: Record<string, unknown> = {}): Finding[] {
  return audit(input, { builtins: { ...disableAllBut(rule), [rule]: params } }).findings;
}

export function audit(input: AuditInput, file: unknown = {}): AuditResult {
  return runAudit(input, compileRuleSet(parseRuleFile(JSON.stringify(file), 'test'), registry));
}

const ALL = [
  'required-attributes',
  'missing-owner',
  'orphan',
  'duplicate',
  'stale',
  'retired-dependency',
  'dependency-cycle',
  'environment-crossing',
  'certificate-expiry',
  'single-point-of-failure',
  'redundancy-underprovisioned',
  'unsupported',
];
export function disableAllBut(rule: string | null): Record<string, false> {
  return Object.fromEntries(ALL.filter((r) => r !== rule).map((r) => [r, false]));
}

export const subjects = (fs: Finding[]) => fs.map((f) => f.ci ?? f.relationship).sort();

/** A discovered CI with the defaults of an in-service production CI; `reported` defaults to every attribute given. */
export function discovered(data: Partial<CIData> & { id: string; class: string }, reported?: string[]): DiscoveredCI {
  const full: CIData = {
    name: data.id,
    status: 'in_service',
    environment: 'production',
    criticality: 3,
    attributes: {},
    tags: [],
    redundancy: [],
    ...data,
  };
  return { data: full, reported: reported ?? Object.keys(full.attributes).map((k) => `attributes.${k}`) };
}

/** A discovery snapshot from source `scan`, no timestamp, no scope, no relationships unless given. */
export const scan = (cis: DiscoveredCI[], extra: Partial<Discovery> = {}): Discovery => ({
  source: 'scan',
  at: null,
  scope: undefined,
  cis,
  relationships: [],
  ...extra,
});
