/**
 * Fixtures: the Northwind Outfitters demo CMDB (fixtures/demo) and the large-graph generator
 * (fixtures/generate.ts). The persona stories of fixtures/demo/stories.json are checked with a
 * small reference evaluator of DESIGN.md's impact semantics written here on purpose: the fixture
 * must not rely on the engine it is meant to test.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CIInput, toCIData, type CIData } from '../engine/model/ci.ts';
import { RelationshipInput, toRelationshipData, type RelationshipData } from '../engine/model/relationship.ts';
import { Registry } from '../engine/model/registry.ts';
import { renderDemo } from '../fixtures/demo/build.ts';
import { generateGraph, writeGraph, writeGraphFile, type GeneratedItem } from '../fixtures/generate.ts';

const registry = Registry.load();
const root = fileURLToPath(new URL('..', import.meta.url));
const demoText = readFileSync(join(root, 'fixtures/demo/cmdb.json'), 'utf8');
const demoRaw = JSON.parse(demoText) as { cis: unknown[]; relationships: unknown[] };
const demo = {
  cis: demoRaw.cis.map((c) => toCIData(CIInput.parse(c))),
  relationships: demoRaw.relationships.map((r) => toRelationshipData(RelationshipInput.parse(r))),
};
const ciById = new Map(demo.cis.map((c) => [c.id, c]));

// ---------------------------------------------------------------- reference impact evaluator

type State = 0 | 1 | 2; // ok, degraded, down
const STATE_NAME = ['none', 'degraded', 'down'] as const;

interface Graph {
  cis: Map<string, CIData>;
  /** dependent → [type, provider] over propagating types. */
  providers: Map<string, Array<[string, string]>>;
  /** provider → dependents. */
  dependents: Map<string, string[]>;
}

function graphOf(cis: CIData[], rels: RelationshipData[]): Graph {
  const g: Graph = { cis: new Map(cis.map((c) => [c.id, c])), providers: new Map(), dependents: new Map() };
  for (const r of rels) {
    const def = registry.relType(r.type)!;
    if (!def.propagates) continue;
    const [dep, prov] = def.provider === 'to' ? [r.from, r.to] : [r.to, r.from];
    if (!g.providers.has(dep)) g.providers.set(dep, []);
    g.providers.get(dep)!.push([r.type, prov]);
    if (!g.dependents.has(prov)) g.dependents.set(prov, []);
    g.dependents.get(prov)!.push(dep);
  }
  return g;
}

/** Monotone fixpoint of DESIGN.md "Redundancy": states only rise, so the worklist terminates on cycles. */
function evaluate(g: Graph, origins: Array<{ id: string; effect: 'down' | 'degraded' }>): Map<string, State> {
  const state = new Map<string, State>();
  const own = new Map<string, State>();
  for (const o of origins) {
    const s: State = o.effect === 'down' ? 2 : 1;
    own.set(o.id, Math.max(own.get(o.id) ?? 0, s) as State);
    state.set(o.id, own.get(o.id)!);
  }
  const queue = origins.flatMap((o) => g.dependents.get(o.id) ?? []);
  while (queue.length > 0) {
    const id = queue.pop()!;
    const ci = g.cis.get(id)!;
    const groups = new Map<string, State[]>();
    for (const [type, prov] of g.providers.get(id) ?? []) {
      if (!groups.has(type)) groups.set(type, []);
      groups.get(type)!.push(state.get(prov) ?? 0);
    }
    let s: number = own.get(id) ?? 0;
    for (const [type, members] of groups) {
      const rule = ci.redundancy.find((r) => r.relationship === type);
      if (!rule) {
        s = Math.max(s, ...members);
        continue;
      }
      const need =
        typeof rule.minAvailable === 'number' ? rule.minAvailable : Math.ceil((members.length * parseInt(rule.minAvailable, 10)) / 100);
      const available = members.filter((m) => m < 2).length;
      if (available < need) s = 2;
      else if (members.some((m) => m > 0)) s = Math.max(s, 1);
    }
    if (s > (state.get(id) ?? 0)) {
      state.set(id, s as State);
      queue.push(...(g.dependents.get(id) ?? []));
    }
  }
  return state;
}

const demoGraph = graphOf(demo.cis, demo.relationships);

// ---------------------------------------------------------------- demo

describe('demo CMDB (Northwind Outfitters)', () => {
  it('is exactly what fixtures/demo/build.ts renders', () => {
    expect(renderDemo()).toBe(demoText);
  });

  it('passes the zod schemas and the default registry', () => {
    expect(() => {
      demo.cis.forEach((c, i) => registry.checkCI(c, `cis[${i}]`));
      demo.relationships.forEach((r, i) => registry.checkRelationshipType(r, `relationships[${i}]`));
    }).not.toThrow();
    const abstract = demo.cis.filter((c) => c.class === 'ConfigurationItem');
    expect(abstract).toEqual([]);
  });

  it('has 300-800 CIs with unique ids, unique relationship ids and no dangling ends', () => {
    expect(demo.cis.length).toBeGreaterThanOrEqual(300);
    expect(demo.cis.length).toBeLessThanOrEqual(800);
    expect(ciById.size).toBe(demo.cis.length);
    expect(new Set(demo.relationships.map((r) => r.id)).size).toBe(demo.relationships.length);
    const dangling = demo.relationships.filter((r) => !ciById.has(r.from) || !ciById.has(r.to));
    expect(dangling).toEqual([]);
  });

  it('uses a wide part of the catalog: every relationship type and most classes', () => {
    const types = new Set(demo.relationships.map((r) => r.type));
    for (const t of [
      'DEPENDS_ON',
      'RUNS_ON',
      'HOSTED_ON',
      'LOCATED_IN',
      'POWERED_BY',
      'CONNECTED_TO',
      'MEMBER_OF',
      'BACKED_UP_BY',
      'REPLICATES_TO',
      'MANAGED_BY',
    ]) {
      expect(types, t).toContain(t);
    }
    const classes = new Set(demo.cis.map((c) => c.class));
    expect(classes.size).toBeGreaterThanOrEqual(30);
  });

  it('has 8-12 business services, each with an owner, a criticality and a service level', () => {
    const services = demo.cis.filter((c) => c.class === 'BusinessService');
    expect(services.length).toBeGreaterThanOrEqual(8);
    expect(services.length).toBeLessThanOrEqual(12);
    for (const s of services) {
      expect(s.owner, s.id).toMatch(/^team-/);
      expect([1, 2, 3, 4]).toContain(s.criticality);
      expect(['gold', 'silver', 'bronze']).toContain(s.attributes.serviceLevel);
      expect(typeof s.attributes.availabilityTarget).toBe('number');
      expect(s.attributes.tier).toBe(s.criticality);
    }
    expect(new Set(services.map((s) => s.criticality))).toEqual(new Set([1, 2, 3, 4]));
    // Every business service depends on something.
    for (const s of services) expect(demoGraph.providers.get(s.id)?.length ?? 0, s.id).toBeGreaterThan(0);
  });

  it('declares redundancy rules only where the group has enough members', () => {
    for (const c of demo.cis) {
      for (const rule of c.redundancy) {
        const n = (demoGraph.providers.get(c.id) ?? []).filter(([t]) => t === rule.relationship).length;
        const need = typeof rule.minAvailable === 'number' ? rule.minAvailable : Math.ceil((n * parseInt(rule.minAvailable, 10)) / 100);
        expect(n, `${c.id} ${rule.relationship}`).toBeGreaterThan(need - 1);
        expect(n, `${c.id} ${rule.relationship} has no spare member`).toBeGreaterThan(need);
      }
    }
  });

  it('models the brief: 3-node east cluster needing 2, dual PDUs and ToRs per host, a 50% DEPENDS_ON group', () => {
    const cluster = ciById.get('esxc-east-01')!;
    expect(cluster.redundancy).toEqual([{ relationship: 'MEMBER_OF', minAvailable: 2 }]);
    const members = demo.relationships.filter((r) => r.type === 'MEMBER_OF' && r.to === 'esxc-east-01').map((r) => r.from);
    expect(members.sort()).toEqual(['esx-east-01', 'esx-east-02', 'esx-east-03']);
    for (const h of demo.cis.filter((c) => c.class === 'Hypervisor')) {
      const power = demo.relationships.filter((r) => r.from === h.id && r.type === 'POWERED_BY').map((r) => r.to);
      expect(power.map((p) => p.slice(-2)).sort(), h.id).toEqual(['-a', '-b']);
      expect(demo.relationships.filter((r) => r.from === h.id && r.type === 'CONNECTED_TO')).toHaveLength(2);
      expect(h.redundancy).toContainEqual({ relationship: 'POWERED_BY', minAvailable: 1 });
    }
    // Every VM is hosted on an HA cluster, never on a host (README: "one semantics").
    for (const vm of demo.cis.filter((c) => c.class === 'VirtualMachine' && c.id !== 'vm-east-jdoe-test')) {
      const hosted = demo.relationships.filter((r) => r.from === vm.id && r.type === 'HOSTED_ON');
      expect(
        hosted.map((r) => ciById.get(r.to)!.class),
        vm.id,
      ).toEqual(['Cluster']);
    }
    expect(ciById.get('app-search')!.redundancy).toContainEqual({ relationship: 'DEPENDS_ON', minAvailable: '50%' });
    expect(demo.relationships.filter((r) => r.from === 'app-search' && r.type === 'DEPENDS_ON')).toHaveLength(3);
    expect(demo.relationships).toContainEqual(expect.objectContaining({ type: 'REPLICATES_TO', from: 'db-orders-01', to: 'db-orders-02' }));
    expect(demo.relationships).toContainEqual(expect.objectContaining({ type: 'BACKED_UP_BY', from: 'db-orders-01', to: 'bkv-west-01' }));
  });

  describe('deliberate data-quality defects (fixtures/demo/README.md)', () => {
    it('exactly these CIs miss a required attribute of their class', () => {
      const missing = demo.cis
        .filter((c) => (registry.classDef(c.class)?.requiredAttributes ?? []).some((a) => c.attributes[a] === undefined))
        .map((c) => c.id);
      expect(missing.sort()).toEqual(['app-edi-gateway', 'srv-ftp-legacy-01']);
    });

    it('exactly these CIs are orphans (no relationship at all)', () => {
      const related = new Set(demo.relationships.flatMap((r) => [r.from, r.to]));
      expect(
        demo.cis
          .filter((c) => !related.has(c.id))
          .map((c) => c.id)
          .sort(),
      ).toEqual(['srv-unknown-0042', 'vm-east-jdoe-test']);
    });

    it('exactly these in-service CIs depend on a retired CI', () => {
      const bad = demo.relationships
        .filter(
          (r) => registry.relType(r.type)!.propagates && ciById.get(r.to)!.status === 'retired' && ciById.get(r.from)!.status !== 'retired',
        )
        .map((r) => `${r.from} -> ${r.to}`);
      expect(bad.sort()).toEqual(['app-edi-gateway -> mq-legacy-ibmmq-01', 'app-etl -> db-dwh-legacy']);
    });

    it('has exactly one DEPENDS_ON cycle, between app-order-mgmt and app-inventory', () => {
      expect(dependsOnCycles(demo.relationships)).toEqual([['app-inventory', 'app-order-mgmt']]);
    });

    it('has exactly one duplicate server (same serial number under two ids)', () => {
      const bySerial = new Map<string, string[]>();
      for (const c of demo.cis) {
        const sn = c.attributes.serialNumber;
        if (typeof sn === 'string') bySerial.set(sn, [...(bySerial.get(sn) ?? []), c.id]);
      }
      expect([...bySerial.values()].filter((ids) => ids.length > 1)).toEqual([['srv-db-02', 'srv-west-dbrep-2']]);
    });

    it('has one expired certificate still in use', () => {
      const now = '2026-11-23T00:00:00Z';
      const expired = demo.cis.filter((c) => c.class === 'Certificate' && String(c.attributes.expiresAt) < now).map((c) => c.id);
      expect(expired).toEqual(['cert-partner-edi']);
      expect(demo.relationships).toContainEqual(
        expect.objectContaining({ type: 'DEPENDS_ON', from: 'as-partner-edi', to: 'cert-partner-edi' }),
      );
    });
  });

  describe('persona stories (fixtures/demo/stories.json)', () => {
    const stories = JSON.parse(readFileSync(join(root, 'fixtures/demo/stories.json'), 'utf8')) as StoriesFile;
    const serviceIds = demo.cis.filter((c) => c.class === 'BusinessService').map((c) => c.id);

    it('names only CIs that exist', () => {
      for (const s of stories.stories) {
        for (const id of [...s.origins.map((o) => o.id), ...Object.keys(s.services), ...s.down, ...s.degraded, ...s.unaffected]) {
          expect(ciById.has(id), `${s.id}: ${id}`).toBe(true);
        }
      }
    });

    for (const story of stories.stories) {
      it(`${story.id}: ${story.question}`, () => {
        const state = evaluate(demoGraph, story.origins);
        const origins = new Set(story.origins.map((o) => o.id));
        const services = Object.fromEntries(
          serviceIds.filter((id) => (state.get(id) ?? 0) > 0).map((id) => [id, STATE_NAME[state.get(id)!]]),
        );
        expect(services).toEqual(story.services);
        for (const id of story.down) expect(STATE_NAME[state.get(id) ?? 0], id).toBe('down');
        for (const id of story.degraded) expect(STATE_NAME[state.get(id) ?? 0], id).toBe('degraded');
        for (const id of story.unaffected) expect(STATE_NAME[state.get(id) ?? 0], id).toBe('none');
        const impacted = [...state].filter(([id]) => !origins.has(id));
        expect({ down: impacted.filter(([, s]) => s === 2).length, degraded: impacted.filter(([, s]) => s === 1).length }).toEqual(
          story.impactedCount,
        );
      });
    }

    it('hardware single points of failure of the tier-1 services are exactly the documented ones', () => {
      const { classes, services } = stories.singlePointsOfFailure;
      const candidates = demo.cis.filter((c) => classes.includes(c.class)).map((c) => c.id);
      for (const [svc, expected] of Object.entries(services)) {
        const spofs = candidates.filter((id) => evaluate(demoGraph, [{ id, effect: 'down' }]).get(svc) === 2);
        expect(spofs.sort(), svc).toEqual([...expected].sort());
      }
      const tier1 = demo.cis.filter((c) => c.class === 'BusinessService' && c.criticality === 1).map((c) => c.id);
      expect(Object.keys(services).sort()).toEqual(tier1.sort());
    });
  });
});

interface StoriesFile {
  stories: Array<{
    id: string;
    question: string;
    origins: Array<{ id: string; effect: 'down' | 'degraded' }>;
    services: Record<string, string>;
    down: string[];
    degraded: string[];
    unaffected: string[];
    impactedCount: { down: number; degraded: number };
  }>;
  singlePointsOfFailure: { classes: string[]; services: Record<string, string[]> };
}

/** Strongly connected components (size > 1) of the DEPENDS_ON subgraph, each sorted. */
function dependsOnCycles(rels: Array<{ type: string; from: string; to: string }>): string[][] {
  const adj = new Map<string, string[]>();
  for (const r of rels) if (r.type === 'DEPENDS_ON') adj.set(r.from, [...(adj.get(r.from) ?? []), r.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    on.add(v);
    for (const w of adj.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const v of adj.keys()) if (!index.has(v)) visit(v);
  return out;
}

// ---------------------------------------------------------------- generator

/** A Writable that keeps a SHA-256 and the byte count; `slow` makes it apply backpressure. */
class HashSink extends Writable {
  readonly hash = createHash('sha256');
  bytes = 0;
  maxBuffered = 0;
  constructor(private readonly slow = false) {
    super({ highWaterMark: slow ? 1024 : 16384 });
  }
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.writableLength);
    if (this.slow) setImmediate(cb);
    else cb();
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

async function digestOf(cis: number, seed: number, format: 'json' | 'ndjson'): Promise<string> {
  const sink = new HashSink();
  await writeGraph({ cis, seed }, format, sink);
  return sink.digest();
}

describe('generator (fixtures/generate.ts)', () => {
  it('is deterministic: same seed gives byte-identical output, another seed does not', async () => {
    const a = await digestOf(5000, 11, 'ndjson');
    const b = await digestOf(5000, 11, 'ndjson');
    const c = await digestOf(5000, 12, 'ndjson');
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(await digestOf(5000, 11, 'json')).toBe(await digestOf(5000, 11, 'json'));
  });

  it('the generator API yields the same items as the NDJSON writer, and feeds a sink', async () => {
    const lines: string[] = [];
    const gen = generateGraph({ cis: 800, seed: 5 });
    let step = gen.next();
    while (!step.done) {
      lines.push(JSON.stringify(step.value));
      step = gen.next();
    }
    const sink = new HashSink();
    await writeGraph({ cis: 800, seed: 5 }, 'ndjson', sink);
    expect(
      createHash('sha256')
        .update(lines.map((l) => `${l}\n`).join(''))
        .digest('hex'),
    ).toBe(sink.digest());
    expect(step.value.cis).toBe(800);
    expect(step.value.relationships).toBe(lines.length - 800);

    const seen = { cis: 0, rels: 0, relBeforeCi: false };
    const stats = await generateGraph(
      { cis: 800, seed: 5 },
      {
        ci: () => {
          if (seen.rels > 0) seen.relBeforeCi = true;
          seen.cis++;
        },
        relationship: async () => {
          seen.rels++;
        },
      },
    );
    expect(seen).toEqual({ cis: 800, rels: stats.relationships, relBeforeCi: false });
  });

  it('produces a valid, realistic graph of exactly N CIs (20k)', () => {
    const items = [...generateGraph({ cis: 20_000, seed: 2026 })];
    const cis = items.filter((i): i is Extract<GeneratedItem, { kind: 'ci' }> => i.kind === 'ci');
    const rels = items.filter((i): i is Extract<GeneratedItem, { kind: 'relationship' }> => i.kind === 'relationship');
    expect(cis).toHaveLength(20_000);
    expect(items.findIndex((i) => i.kind === 'relationship')).toBe(20_000); // CIs first

    const parsedCis = cis.map(({ kind: _k, ...c }) => toCIData(CIInput.parse(c)));
    parsedCis.forEach((c) => registry.checkCI(c));
    const ids = new Set(parsedCis.map((c) => c.id));
    expect(ids.size).toBe(cis.length);
    const parsedRels = rels.map(({ kind: _k, ...r }) => toRelationshipData(RelationshipInput.parse(r)));
    parsedRels.forEach((r) => registry.checkRelationshipType(r));
    expect(parsedRels.filter((r) => !ids.has(r.from) || !ids.has(r.to))).toEqual([]);
    expect(parsedRels.filter((r) => r.from === r.to)).toEqual([]);
    expect(new Set(parsedRels.map((r) => r.id)).size).toBe(parsedRels.length);

    const perCi = rels.length / cis.length;
    expect(perCi).toBeGreaterThan(2.5);
    expect(perCi).toBeLessThan(3.5);

    const byClass = countBy(parsedCis.map((c) => c.class));
    for (const cls of [
      'DataCenter',
      'Rack',
      'PDU',
      'Switch',
      'Hypervisor',
      'Cluster',
      'VirtualMachine',
      'KubernetesCluster',
      'KubernetesNode',
      'Pod',
      'Database',
      'MessageQueue',
      'Cache',
      'Application',
      'ApplicationService',
      'BusinessService',
      'DnsZone',
      'IdentityProvider',
      'Certificate',
      'CloudResource',
      'StorageArray',
      'LoadBalancer',
    ]) {
      expect(byClass[cls] ?? 0, cls).toBeGreaterThan(0);
    }
    expect(byClass.PDU).toBe(2 * byClass.Rack!);
    expect(byClass.BusinessService).toBeGreaterThanOrEqual(8);

    // Every rack has its A and B PDU; every hypervisor is powered by both and in a cluster with a rule.
    const g = graphOf(parsedCis, parsedRels);
    const hyper = parsedCis.filter((c) => c.class === 'Hypervisor');
    for (const h of hyper.slice(0, 500)) {
      const provs = g.providers.get(h.id)!;
      expect(provs.filter(([t]) => t === 'POWERED_BY')).toHaveLength(2);
      expect(provs.filter(([t]) => t === 'CONNECTED_TO')).toHaveLength(2);
      const cluster = g.dependents
        .get(h.id)!
        .map((d) => g.cis.get(d)!)
        .find((c) => c.class === 'Cluster')!;
      expect(cluster.redundancy[0]!.relationship).toBe('MEMBER_OF');
    }
    // Redundancy rules leave a spare member.
    for (const c of parsedCis) {
      for (const rule of c.redundancy) {
        const n = (g.providers.get(c.id) ?? []).filter(([t]) => t === rule.relationship).length;
        const need = typeof rule.minAvailable === 'number' ? rule.minAvailable : Math.ceil((n * parseInt(rule.minAvailable, 10)) / 100);
        expect(n, `${c.id} ${rule.relationship}`).toBeGreaterThan(need);
      }
    }
    // Shared hubs: a shared database, the main DNS zone and the main IdP each reach >= 10% of the graph.
    for (const hub of ['db-000000', 'dns-000000', 'idp-000000']) {
      expect(reach(g, hub) / cis.length, hub).toBeGreaterThanOrEqual(0.1);
    }
    // A shared hub fails to a degraded or down state far away: the fixpoint agrees with reachability.
    const state = evaluate(g, [{ id: 'db-000000', effect: 'down' }]);
    expect(state.size - 1).toBe(reach(g, 'db-000000'));
    expect([...state.values()].filter((s) => s === 2).length).toBeGreaterThan(100);
  });

  it('streams a valid NDJSON file for 20k CIs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cmdb-gen-'));
    try {
      const file = join(dir, 'g.ndjson');
      const stats = await writeGraphFile({ cis: 20_000, seed: 9 }, 'ndjson', file);
      const ids = new Set<string>();
      let rels = 0;
      let phase: 'ci' | 'relationship' = 'ci';
      for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
        const { kind, ...rest } = JSON.parse(line) as { kind: string };
        if (kind === 'ci') {
          expect(phase).toBe('ci');
          ids.add(CIInput.parse(rest).id);
        } else {
          expect(kind).toBe('relationship');
          phase = 'relationship';
          const r = RelationshipInput.parse(rest);
          if (!ids.has(r.from) || !ids.has(r.to)) throw new Error(`dangling relationship ${line}`);
          rels++;
        }
      }
      expect(ids.size).toBe(20_000);
      expect(rels).toBe(stats.relationships);
      expect(readFileSync(file).length).toBe(stats.bytes);

      const jsonFile = join(dir, 'g.json');
      await writeGraphFile({ cis: 20_000, seed: 9 }, 'json', jsonFile);
      const doc = JSON.parse(readFileSync(jsonFile, 'utf8')) as { cis: unknown[]; relationships: unknown[] };
      expect(doc.cis).toHaveLength(20_000);
      expect(doc.relationships).toHaveLength(rels);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('respects backpressure: a slow stream never buffers more than one chunk beyond its high-water mark', async () => {
    const slow = new HashSink(true);
    const stats = await writeGraph({ cis: 3000, seed: 1 }, 'ndjson', slow);
    await new Promise<void>((resolve) => slow.end(resolve));
    expect(slow.bytes).toBe(stats.bytes);
    expect(slow.maxBuffered).toBeLessThan(1024 + 2 * 65536 + 4096);
    const fast = new HashSink();
    await writeGraph({ cis: 3000, seed: 1 }, 'ndjson', fast);
    expect(slow.digest()).toBe(fast.digest());
  });

  it('keeps about 3 relationships per CI at several sizes', () => {
    for (const n of [500, 5000, 50_000]) {
      const gen = generateGraph({ cis: n, seed: 3 });
      let step = gen.next();
      while (!step.done) step = gen.next();
      expect(step.value.cis).toBe(n);
      expect(step.value.relationships / n, String(n)).toBeGreaterThan(2.5);
      expect(step.value.relationships / n, String(n)).toBeLessThan(3.5);
    }
  });

  it('has a CLI that writes JSON to stdout and refuses bad options', () => {
    const tsx = join(root, 'node_modules/.bin/tsx');
    const out = execFileSync(tsx, ['fixtures/generate.ts', '--cis', '600', '--seed', '4'], {
      cwd: root,
      maxBuffer: 64 << 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const doc = JSON.parse(out.toString('utf8')) as { cis: Array<{ id: string }>; relationships: unknown[] };
    expect(doc.cis).toHaveLength(600);
    const bad = spawnSync(tsx, ['fixtures/generate.ts', '--cis', '100'], { cwd: root, encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--cis must be an integer >= 500');
  }, 30_000);
});

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

/** Size of the impact set of `origin`: everything that transitively depends on it. */
function reach(g: Graph, origin: string): number {
  const seen = new Set([origin]);
  const stack = [origin];
  while (stack.length > 0) {
    for (const d of g.dependents.get(stack.pop()!) ?? []) {
      if (!seen.has(d)) {
        seen.add(d);
        stack.push(d);
      }
    }
  }
  return seen.size - 1;
}
