/**
 * The impact map's model and layout (viz/src/impact-model.ts, viz/src/layout.ts): what is drawn for
 * an API answer, and that positions depend on the graph only — not on the order of origins.
 */
import { describe, expect, it } from 'vitest';
import type { ImpactAnswer, ImpactedCI } from '../../viz/src/api.ts';
import { contextOf, impactMap, pathEdges } from '../../viz/src/impact-model.ts';
import { layeredPositions } from '../../viz/src/layout.ts';

const s = (from: string, type: string, to: string) => ({ from, type, to });
const ci = (
  id: string,
  cls: string,
  state: 'down' | 'degraded',
  via: ReturnType<typeof s>[],
  extra: Partial<ImpactedCI> = {},
): ImpactedCI => ({ id, class: cls, name: `${id} name`, environment: 'production', state, depth: via.length, via, ...extra });

// pdu-a, pdu-b → esx (1 of 2 feeds) → vm1, vm2 → app → svc
const answer = (originOrder: string[]): ImpactAnswer => ({
  origins: originOrder.map((id) => ({ id, effect: 'down' as const, state: 'down' as const })),
  impacted: [
    ci('esx', 'Hypervisor', 'down', [s('esx', 'POWERED_BY', 'pdu-a')], {
      redundancy: [
        {
          relationship: 'POWERED_BY',
          minAvailable: 1,
          members: 2,
          required: 1,
          available: 0,
          breached: true,
          failed: [s('esx', 'POWERED_BY', 'pdu-a'), s('esx', 'POWERED_BY', 'pdu-b')],
        },
      ],
    }),
    ci('vm1', 'VirtualMachine', 'down', [s('esx', 'POWERED_BY', 'pdu-a'), s('vm1', 'HOSTED_ON', 'esx')]),
    ci('vm2', 'VirtualMachine', 'down', [s('esx', 'POWERED_BY', 'pdu-a'), s('vm2', 'HOSTED_ON', 'esx')]),
    ci('app', 'Application', 'degraded', [s('esx', 'POWERED_BY', 'pdu-a'), s('vm1', 'HOSTED_ON', 'esx'), s('app', 'RUNS_ON', 'vm1')]),
    ci('svc', 'BusinessService', 'degraded', [
      s('esx', 'POWERED_BY', 'pdu-a'),
      s('vm1', 'HOSTED_ON', 'esx'),
      s('app', 'RUNS_ON', 'vm1'),
      s('svc', 'DEPENDS_ON', 'app'),
    ]),
  ],
  services: [{ id: 'svc', name: 'Shop', criticality: 1, owner: 'team-shop', state: 'degraded', depth: 4 }],
  counts: { down: 3, degraded: 2, byClass: {} },
});

describe('impact map model', () => {
  it('draws one node per origin and impacted CI, each with its state as a class, and a service as a service', () => {
    const m = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'none', expanded: new Set() });
    expect(m.nodes.map((n) => n.id).sort()).toEqual(['app', 'esx', 'pdu-a', 'pdu-b', 'svc', 'vm1', 'vm2']);
    expect(m.nodes.find((n) => n.id === 'pdu-a')!.classes).toEqual(['origin', 'down']);
    expect(m.nodes.find((n) => n.id === 'app')!.classes).toEqual(['degraded']);
    expect(m.nodes.find((n) => n.id === 'svc')!.classes).toEqual(['degraded', 'service']);
    expect(m.nodes.find((n) => n.id === 'svc')!.label).toContain('criticality 1 · team-shop');
  });

  it('labels a redundancy group k-of-n from the answer', () => {
    const m = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'none', expanded: new Set() });
    expect(m.nodes.find((n) => n.id === 'esx')!.label).toContain('0 of 2 POWERED_BY up (needs 1)');
  });

  it('draws the via relationships once each, from the origin side to the dependent', () => {
    const m = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'none', expanded: new Set() });
    expect(m.edges).toContainEqual({ id: 'esx|POWERED_BY|pdu-a', source: 'pdu-a', target: 'esx', type: 'POWERED_BY' });
    expect(m.edges).toContainEqual({ id: 'vm1|HOSTED_ON|esx', source: 'esx', target: 'vm1', type: 'HOSTED_ON' });
    expect(new Set(m.edges.map((e) => e.id)).size).toBe(m.edges.length);
    expect(pathEdges(answer([]).impacted[3]!).map(([a, b]) => `${a}>${b}`)).toEqual(['pdu-a>esx', 'esx>vm1', 'vm1>app']);
  });

  it('places every CI on the row of its depth from the answer', () => {
    const m = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'none', expanded: new Set() });
    const y = (id: string) => m.nodes.find((n) => n.id === id)!.y;
    expect(y('pdu-a')).toBe(y('pdu-b'));
    expect(y('vm1')).toBe(y('vm2'));
    expect(y('pdu-a')).toBeLessThan(y('esx'));
    expect(y('esx')).toBeLessThan(y('vm1'));
    expect(y('app')).toBeLessThan(y('svc'));
  });

  it('gives the same positions whichever order the origins come in (the same graph opened from another CI)', () => {
    const a = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'class', expanded: new Set() });
    const b = impactMap(answer(['pdu-b', 'pdu-a']), { groupBy: 'class', expanded: new Set() });
    const pos = (m: typeof a) => Object.fromEntries(m.nodes.map((n) => [n.id, [n.x, n.y]]));
    expect(pos(b)).toEqual(pos(a));
  });

  it('groups by class as compound nodes whose boxes never share a column', () => {
    const m = impactMap(answer(['pdu-a', 'pdu-b']), { groupBy: 'class', expanded: new Set() });
    expect(m.parents.map((p) => p.label)).toEqual(['Application', 'BusinessService', 'Hypervisor', 'VirtualMachine']);
    const xs = (cls: string) => m.nodes.filter((n) => n.parent === `class:${cls}`).map((n) => n.x);
    expect(Math.max(...xs('Application'))).toBeLessThan(Math.min(...xs('BusinessService')));
    expect(Math.max(...xs('Hypervisor'))).toBeLessThan(Math.min(...xs('VirtualMachine')));
  });

  it("groups by the server's location and first service of each CI, and puts CIs without them in one unknown group", () => {
    const base = answer(['pdu-a', 'pdu-b']);
    const ctx = new Map([
      ['pdu-a', { location: 'rack-1', services: ['svc'] }],
      ['pdu-b', { location: 'rack-1', services: ['svc'] }],
      ['esx', { location: 'rack-1', services: ['svc'] }],
      ['vm1', { location: 'rack-1', services: ['svc'] }],
      ['vm2', { location: 'rack-2', services: [] }],
      ['app', { location: null, services: ['svc'] }],
      ['svc', { location: null, services: ['svc'] }],
    ]);
    const svc = impactMap(base, { groupBy: 'service', expanded: new Set(), context: ctx });
    expect(
      svc.nodes
        .filter((n) => n.parent === 'service:svc')
        .map((n) => n.id)
        .sort(),
    ).toEqual(['app', 'esx', 'pdu-a', 'pdu-b', 'svc', 'vm1']);
    expect(svc.nodes.find((n) => n.id === 'vm2')!.parent).toBe('service:-');
    expect(svc.parents.find((p) => p.id === 'service:svc')!.label).toBe('Shop (svc)');
    const loc = impactMap(base, { groupBy: 'location', expanded: new Set(), context: ctx });
    expect(loc.nodes.find((n) => n.id === 'vm2')!.parent).toBe('location:rack-2');
    expect(loc.nodes.find((n) => n.id === 'esx')!.parent).toBe('location:rack-1');
    expect(loc.nodes.find((n) => n.id === 'svc')!.parent).toBe('location:-');
    const none = impactMap(base, { groupBy: 'location', expanded: new Set() });
    expect(new Set(none.nodes.map((n) => n.parent))).toEqual(new Set(['location:-']));
  });

  it("reads the server's context from an answer asked with context, and none from one without", () => {
    const base = answer(['pdu-a', 'pdu-b']);
    expect(contextOf(base)).toBeNull();
    const withCtx: ImpactAnswer = {
      ...base,
      origins: base.origins.map((o) => ({ ...o, location: 'rack-1', services: ['svc'] })),
      impacted: base.impacted.map((c) => ({ ...c, location: null, services: [] })),
    };
    const ctx = contextOf(withCtx)!;
    expect(ctx.get('pdu-a')).toEqual({ location: 'rack-1', services: ['svc'] });
    expect(ctx.get('vm2')).toEqual({ location: null, services: [] });
    expect(ctx.size).toBe(base.origins.length + base.impacted.length);
  });

  it("draws a server group as one counted node and its members' edges to it, and its members once expanded", () => {
    const a: ImpactAnswer = {
      ...answer(['pdu-a', 'pdu-b']),
      groups: {
        maxNodes: 5,
        total: 7,
        visible: 6,
        pass: 1,
        groups: [
          {
            id: 'g1',
            label: '×2 VirtualMachine',
            class: 'VirtualMachine',
            state: 'down',
            depth: 2,
            provider: 'esx',
            count: 2,
            members: ['vm1', 'vm2'],
          },
        ],
      },
    };
    const m = impactMap(a, { groupBy: 'none', expanded: new Set() });
    expect(m.nodes.map((n) => n.id)).not.toContain('vm1');
    expect(m.nodes.find((n) => n.id === 'g1')).toMatchObject({ members: ['vm1', 'vm2'], classes: ['group', 'down'] });
    expect(m.edges.map((e) => [e.source, e.target])).toEqual(
      expect.arrayContaining([
        ['esx', 'g1'],
        ['g1', 'app'],
      ]),
    );
    const open = impactMap(a, { groupBy: 'none', expanded: new Set(['g1']) });
    expect(open.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['vm1', 'vm2']));
    expect(open.nodes.map((n) => n.id)).not.toContain('g1');
  });
});

describe('layered layout', () => {
  it('wraps a long row into sub-rows and keeps children under their parent', () => {
    const nodes = [
      { id: 'root', rank: 0, group: '', parentHint: null },
      ...Array.from({ length: 30 }, (_, i) => ({ id: `n${String(i).padStart(2, '0')}`, rank: 1, group: '', parentHint: 'root' })),
    ];
    const pos = layeredPositions(nodes, { dx: 100, dy: 100, wrap: 10, groupGap: 50 });
    const ys = new Set(nodes.slice(1).map((n) => pos.get(n.id)!.y));
    expect(ys.size).toBe(3);
    const xs = nodes.slice(1, 11).map((n) => pos.get(n.id)!.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });
});
