import { describe, expect, it } from 'vitest';
import { mergeCI, reconcile } from '../../engine/importers/reconcile.ts';
import type { CI } from '../../engine/model/ci.ts';
import { InputError } from '../../engine/errors.ts';
import { Registry } from '../../engine/model/registry.ts';
import { registry } from './helpers.ts';

const rankOf = (p: string[]) => (s: string) => (p.includes(s) ? p.indexOf(s) : p.length);

function stored(ci: Partial<CI> & Pick<CI, 'id' | 'class' | 'name'>): CI {
  return {
    status: 'in_service',
    environment: 'production',
    criticality: 3,
    attributes: {},
    tags: [],
    redundancy: [],
    version: 1,
    createdAt: 'x',
    updatedAt: 'x',
    ...ci,
  };
}

describe('per-field source precedence', () => {
  it('lets the first owner keep a field when neither source is ranked', () => {
    const a = mergeCI(undefined, { id: 'x', class: 'Server', name: 'x', attributes: { os: 'A' } }, 'a', rankOf([]));
    const b = mergeCI(stored(a as CI), { id: 'x', class: 'Server', name: 'x', attributes: { os: 'B', rack: 'r1' } }, 'b', rankOf([]));
    expect(b.attributes).toMatchObject({
      os: 'A',
      rack: 'r1',
      sources: ['a', 'b'],
      sourceFields: { 'attributes.os': 'a', 'attributes.rack': 'b', name: 'a', class: 'a' },
    });
  });

  it('lets a stronger source take a field and keeps a weaker one from taking it back', () => {
    const p = rankOf(['b', 'a']);
    const a = mergeCI(undefined, { id: 'x', class: 'Server', name: 'x', attributes: { os: 'A' } }, 'a', p);
    const b = mergeCI(stored(a as CI), { id: 'x', class: 'Server', name: 'x', attributes: { os: 'B' } }, 'b', p);
    const a2 = mergeCI(stored(b as CI), { id: 'x', class: 'Server', name: 'x', attributes: { os: 'A' } }, 'a', p);
    expect(a2.attributes.os).toBe('B');
    expect((a2.attributes.sourceFields as Record<string, string>)['attributes.os']).toBe('b');
  });

  it('drops an attribute its owner no longer sends, and leaves fields nobody owns alone', () => {
    const manual = stored({ id: 'x', class: 'Server', name: 'x', attributes: { note: 'by hand' } });
    const a = mergeCI(manual, { id: 'x', class: 'Server', name: 'x', attributes: { os: 'A', rack: 'r1' } }, 'a', rankOf([]));
    const again = mergeCI(stored(a as CI), { id: 'x', class: 'Server', name: 'x', attributes: { os: 'A' } }, 'a', rankOf([]));
    expect(again.attributes).toMatchObject({ note: 'by hand', os: 'A' });
    expect(again.attributes.rack).toBeUndefined();
    expect(again.attributes.sourceFields).toEqual({ class: 'a', name: 'a', 'attributes.os': 'a' });
  });
});

describe('reconcile', () => {
  it('refuses a source name that could not be recorded cleanly', () => {
    expect(() =>
      reconcile({ registry, source: 'my source', document: { cis: [], relationships: [] }, stored: { cis: [], relationships: [] } }),
    ).toThrow(InputError);
  });

  it('re-points relationships to the stored CI an incoming CI was identified as', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: {
        cis: [
          { id: 'scan:h1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } },
          { id: 'scan:app', class: 'Application', name: 'app', attributes: {} },
        ],
        relationships: [{ type: 'RUNS_ON', from: 'scan:app', to: 'scan:h1' }],
      },
      stored: {
        cis: [stored({ id: 'srv-1', class: 'Server', name: 'server one', attributes: { serialNumber: 's1' } })],
        relationships: [],
      },
    });
    expect(plan.matched).toEqual([{ incoming: 'scan:h1', stored: 'srv-1', key: ['serialNumber'] }]);
    expect(plan.document.relationships).toEqual([
      { id: 'scan:app|RUNS_ON|srv-1', type: 'RUNS_ON', from: 'scan:app', to: 'srv-1', attributes: { sources: ['scan'] } },
    ]);
    expect(plan.expectedVersions.get('srv-1')).toBe(1);
  });
});

describe('reconcile: identification', () => {
  const empty = { cis: [], relationships: [] };

  it('names the refused source in the message', () => {
    expect(() => reconcile({ registry, source: 'my source', document: empty, stored: empty })).toThrow(/source name "my source" must be/);
  });

  it('treats an incoming CI with a stored id as that CI: neither a match nor a duplicate', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: { cis: [{ id: 'srv-1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } }], relationships: [] },
      stored: { cis: [stored({ id: 'srv-1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } })], relationships: [] },
    });
    expect(plan.matched).toEqual([]);
    expect(plan.candidateDuplicates).toEqual([]);
    expect(plan.document.cis.map((c) => c.id)).toEqual(['srv-1']);
    expect(plan.expectedVersions.get('srv-1')).toBe(1);
  });

  it('reports a second incoming CI identified as an already claimed stored CI, and keeps its own id', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: {
        cis: [
          { id: 'scan:a', class: 'Server', name: 'a', attributes: { serialNumber: 'S1' } },
          { id: 'scan:b', class: 'Server', name: 'b', attributes: { serialNumber: 's1' } },
        ],
        relationships: [],
      },
      stored: { cis: [stored({ id: 'srv-1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } })], relationships: [] },
    });
    expect(plan.matched).toEqual([{ incoming: 'scan:a', stored: 'srv-1', key: ['serialNumber'] }]);
    expect(plan.candidateDuplicates).toEqual([
      { incoming: 'scan:b', candidates: ['srv-1'], key: ['serialNumber'], reason: 'already_matched' },
      { incoming: 'scan:a', candidates: ['scan:b'], key: ['serialNumber'], reason: 'within_input' },
    ]);
    expect(plan.document.cis.map((c) => c.id)).toEqual(['srv-1', 'scan:b']);
  });

  it('does not merge an incoming CI into a stored CI that the input itself also carries', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: {
        cis: [
          { id: 'scan:a', class: 'Server', name: 'a', attributes: { serialNumber: 'S1' } },
          { id: 'srv-1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } },
        ],
        relationships: [],
      },
      stored: { cis: [stored({ id: 'srv-1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } })], relationships: [] },
    });
    expect(plan.matched).toEqual([]);
    expect(plan.candidateDuplicates).toEqual([
      { incoming: 'scan:a', candidates: ['srv-1'], key: ['serialNumber'], reason: 'already_matched' },
      { incoming: 'scan:a', candidates: ['srv-1'], key: ['serialNumber'], reason: 'within_input' },
    ]);
    expect(plan.document.cis.map((c) => c.id)).toEqual(['scan:a', 'srv-1']);
  });

  it('lists the several candidates of an ambiguous match in id order', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: { cis: [{ id: 'scan:web01', class: 'Server', name: 'web01', attributes: { hostname: 'web01' } }], relationships: [] },
      stored: {
        cis: [
          stored({ id: 'srv-b', class: 'Server', name: 'b', attributes: { hostname: 'WEB01' } }),
          stored({ id: 'srv-a', class: 'Server', name: 'a', attributes: { hostname: 'web01' } }),
        ],
        relationships: [],
      },
    });
    expect(plan.candidateDuplicates).toEqual([
      { incoming: 'scan:web01', candidates: ['srv-a', 'srv-b'], key: ['hostname'], reason: 'several_candidates' },
    ]);
    expect(plan.document.cis.map((c) => c.id)).toEqual(['scan:web01']);
  });

  it('identifies an incoming CI without an environment as a production CI', () => {
    const appClass = { description: '', requiredAttributes: [], attributes: {} };
    const byEnv = new Registry({
      classes: [
        { id: 'ConfigurationItem', identificationKeys: [], ...appClass },
        { id: 'Application', parent: 'ConfigurationItem', identificationKeys: [['name', 'environment']], ...appClass },
      ],
      relationshipTypes: [],
    });
    const plan = reconcile({
      registry: byEnv,
      source: 'scan',
      document: {
        cis: [
          { id: 'scan:shop', class: 'Application', name: 'shop', attributes: {} },
          { id: 'scan:shop-prod', class: 'Application', name: 'shop', environment: 'production', attributes: {} },
        ],
        relationships: [],
      },
      stored: { cis: [stored({ id: 'app-shop', class: 'Application', name: 'shop', environment: 'production' })], relationships: [] },
    });
    expect(plan.matched).toEqual([{ incoming: 'scan:shop', stored: 'app-shop', key: ['name', 'environment'] }]);
    expect(plan.candidateDuplicates).toEqual([
      { incoming: 'scan:shop-prod', candidates: ['app-shop'], key: ['name', 'environment'], reason: 'already_matched' },
      { incoming: 'scan:shop', candidates: ['scan:shop-prod'], key: ['name', 'environment'], reason: 'within_input' },
    ]);
  });
});

describe('reconcile: relationships and prune', () => {
  it('re-points both ends, merges a stored edge with the incoming one, and drops repeats and edges a merge folds into one CI', () => {
    const plan = reconcile({
      registry,
      source: 'scan',
      document: {
        cis: [{ id: 'scan:h1', class: 'Server', name: 'h1', attributes: { serialNumber: 'S1' } }],
        relationships: [
          { type: 'CONNECTS_TO', from: 'scan:h1', to: 'app', attributes: { protocol: 'ssh' } },
          { type: 'CONNECTS_TO', from: 'srv-1', to: 'app', attributes: { protocol: 'ssh' } },
          { type: 'CONNECTS_TO', from: 'scan:h1', to: 'srv-1' },
        ],
      },
      stored: {
        cis: [
          stored({ id: 'srv-1', class: 'Server', name: 'server one', attributes: { serialNumber: 's1' } }),
          stored({ id: 'app', class: 'Application', name: 'app' }),
        ],
        relationships: [
          {
            id: 'srv-1|CONNECTS_TO|app',
            type: 'CONNECTS_TO',
            from: 'srv-1',
            to: 'app',
            attributes: { port: 22, sources: ['zeta'] },
            version: 1,
            createdAt: 'x',
            updatedAt: 'x',
          },
        ],
      },
    });
    expect(plan.document.relationships).toEqual([
      {
        id: 'srv-1|CONNECTS_TO|app',
        type: 'CONNECTS_TO',
        from: 'srv-1',
        to: 'app',
        attributes: { port: 22, protocol: 'ssh', sources: ['scan', 'zeta'] },
      },
    ]);
  });

  const rel = (from: string, type: string, to: string, sources?: string[]) => ({
    id: `${from}|${type}|${to}`,
    type,
    from,
    to,
    attributes: sources ? { sources } : {},
    version: 1,
    createdAt: 'x',
    updatedAt: 'x',
  });
  const storedCIs = [
    stored({ id: 'k:c', class: 'Server', name: 'c', attributes: { sources: ['k'] } }),
    stored({
      id: 'k:y',
      class: 'Server',
      name: 'y',
      owner: 'ops',
      tags: ['t'],
      redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }],
      attributes: { os: 'A', rack: 'r1', sources: ['k', 'other'], sourceFields: { 'attributes.os': 'k', 'attributes.rack': 'other' } },
    }),
    stored({ id: 'k:b', class: 'Server', name: 'b', attributes: { sources: ['k'] } }),
    stored({ id: 'k:a', class: 'Server', name: 'a', attributes: { sources: ['k'], sourceFields: { class: 'k', name: 'k' } } }),
  ];
  const storedRels = [
    rel('k:y', 'USES', 'k:a', ['k']),
    rel('k:b', 'DEPENDS_ON', 'k:a', ['k', 'other']),
    rel('manual', 'DEPENDS_ON', 'k:c'),
    rel('k:y', 'DEPENDS_ON', 'k:a', ['k', 'other']),
  ];
  const input = (prune: boolean) => ({
    registry,
    source: 'k',
    document: { cis: [{ id: 'k:a', class: 'Server', name: 'a', attributes: {} }], relationships: [] },
    stored: { cis: storedCIs, relationships: storedRels },
    prune,
  });

  it('reports the stale CIs and relationships of the source in id order, and plans nothing without prune', () => {
    const plan = reconcile(input(false));
    expect(plan.stale).toEqual({
      cis: ['k:b', 'k:c', 'k:y'],
      relationships: ['k:b|DEPENDS_ON|k:a', 'k:y|DEPENDS_ON|k:a', 'k:y|USES|k:a'],
    });
    expect(plan.deleteCIs).toEqual([]);
    expect(plan.deleteRelationships).toEqual([]);
    expect(plan.document.relationships).toEqual([]);
  });

  it('with prune deletes what only this source had (with every edge of a deleted CI) and only removes the source elsewhere', () => {
    const plan = reconcile(input(true));
    expect(plan.deleteCIs).toEqual(['k:b', 'k:c']);
    expect(plan.deleteRelationships).toEqual(['k:b|DEPENDS_ON|k:a', 'k:y|USES|k:a', 'manual|DEPENDS_ON|k:c']);
    expect(plan.document.relationships).toEqual([
      { id: 'k:y|DEPENDS_ON|k:a', type: 'DEPENDS_ON', from: 'k:y', to: 'k:a', attributes: { sources: ['other'] } },
    ]);
    expect(plan.document.cis).toStrictEqual([
      {
        id: 'k:a',
        class: 'Server',
        name: 'a',
        status: 'in_service',
        environment: 'production',
        criticality: 3,
        tags: [],
        redundancy: [],
        attributes: { sources: ['k'], sourceFields: { class: 'k', name: 'k' } },
      },
      {
        id: 'k:y',
        class: 'Server',
        name: 'y',
        status: 'in_service',
        environment: 'production',
        criticality: 3,
        owner: 'ops',
        tags: ['t'],
        redundancy: [{ relationship: 'DEPENDS_ON', minAvailable: 1 }],
        attributes: { os: 'A', rack: 'r1', sources: ['other'], sourceFields: { 'attributes.rack': 'other' } },
      },
    ]);
    expect(plan.expectedVersions).toEqual(
      new Map([
        ['k:a', 1],
        ['k:y', 1],
      ]),
    );
  });
});

describe('reconcile: per-field precedence of a re-import', () => {
  const importAs = (source: string, existing: CI, attributes: Record<string, unknown>, precedence?: string[], extra: object = {}) =>
    reconcile({
      registry,
      source,
      precedence,
      document: { cis: [{ id: existing.id, class: existing.class, name: existing.name, attributes, ...extra }], relationships: [] },
      stored: { cis: [existing], relationships: [] },
    }).document.cis[0]!;

  it('lets an unranked source update the fields it owns and set the ones nobody owns', () => {
    const x = stored({
      id: 'x',
      class: 'Server',
      name: 'x',
      attributes: { os: 'A', sources: ['a'], sourceFields: { 'attributes.os': 'a' } },
    });
    const merged = importAs('a', x, { os: 'A2', rack: 'r1' });
    expect(merged.attributes).toEqual({
      os: 'A2',
      rack: 'r1',
      sources: ['a'],
      sourceFields: { class: 'a', name: 'a', 'attributes.os': 'a', 'attributes.rack': 'a' },
    });
  });

  it('lets any listed source take a field from an unlisted owner, not only the first listed', () => {
    const x = stored({
      id: 'x',
      class: 'Server',
      name: 'x',
      attributes: { os: 'C', sources: ['c'], sourceFields: { 'attributes.os': 'c' } },
    });
    const merged = importAs('q', x, { os: 'Q' }, ['p', 'q']);
    expect(merged.attributes.os).toBe('Q');
    expect((merged.attributes.sourceFields as Record<string, string>)['attributes.os']).toBe('q');
  });

  it('ignores sources and sourceFields sent as attributes, and attributes sent without a value', () => {
    const x = stored({
      id: 'x',
      class: 'Server',
      name: 'x',
      attributes: { sources: ['a'], sourceFields: { 'attributes.os': 'a' }, os: 'A' },
    });
    const merged = importAs('a', x, { os: 'A', sources: ['forged'], sourceFields: { 'attributes.os': 'forged' }, gone: undefined });
    expect(merged.attributes).toEqual({ os: 'A', sources: ['a'], sourceFields: { class: 'a', name: 'a', 'attributes.os': 'a' } });
  });

  it('releases a top-level field its owner no longer sends without touching an attribute of the same name', () => {
    const x = stored({
      id: 'x',
      class: 'Server',
      name: 'x',
      owner: 'ops',
      attributes: { owner: 'reports', '': 'blank', sources: ['a', 'b'], sourceFields: { owner: 'a', 'attributes.owner': 'b' } },
    });
    const merged = importAs('a', x, {});
    expect(merged.owner).toBe('ops');
    expect(merged.attributes).toEqual({
      owner: 'reports',
      '': 'blank',
      sources: ['a', 'b'],
      sourceFields: { class: 'a', name: 'a', 'attributes.owner': 'b' },
    });
  });

  it('keeps only source names from a stored sources list and only a field map from stored sourceFields', () => {
    for (const sourceFields of ['garbage', ['garbage'], null]) {
      const x = stored({ id: 'x', class: 'Server', name: 'x', attributes: { sources: ['b', 7], sourceFields } });
      expect(importAs('a', x, {}).attributes).toEqual({ sources: ['a', 'b'], sourceFields: { class: 'a', name: 'a' } });
    }
  });
});
