/**
 * The edges of reconciliation that the per-outcome tests (reconcile.test.ts) do not reach: reading
 * a discovery snapshot (what is refused, naming the row and field; what a row reports), how drift
 * compares values, a CMDB CI matched by two discovered CIs, relationship errors, the site walk on
 * a LOCATED_IN cycle, and the exact batch `--apply` writes. Pure: no store.
 */
import { describe, expect, it } from 'vitest';
import { applyPlan, parseDiscovery, reconcile, type Discovery } from '../../engine/audit/reconcile.ts';
import { InputError, SemanticError } from '../../engine/errors.ts';
import type { CI } from '../../engine/model/ci.ts';
import { discovered, graphOf, registry, scan } from './helpers.ts';

const parse = (raw: unknown, source = 'scan') => parseDiscovery(raw, source, 'scan.json', registry);
const caught = (f: () => unknown): Error => {
  try {
    f();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
};

describe('parseDiscovery', () => {
  it('reads a snapshot: the file names its source and time, each row lists the fields it reported', () => {
    const d = parse({
      source: 'rackscan',
      at: '2026-11-01T00:00:00Z',
      scope: { classes: ['Server'], locatedIn: ['dc-1'] },
      cis: [
        { id: 'x1', class: 'Server', name: 'one', owner: 'ops', tags: ['a'], attributes: { serialNumber: 'S1', os: 'Linux' } },
        { id: 'x2', class: 'Server', name: 'two', status: 'maintenance', environment: 'test', criticality: 2 },
      ],
      relationships: [{ type: 'LOCATED_IN', from: 'x1', to: 'x2' }],
    });
    expect(d.source).toBe('rackscan');
    expect(d.at).toBe('2026-11-01T00:00:00Z');
    expect(d.scope).toEqual({ classes: ['Server'], locatedIn: ['dc-1'] });
    expect(d.cis.map((c) => c.reported)).toEqual([
      ['owner', 'tags', 'attributes.serialNumber', 'attributes.os'],
      ['status', 'environment', 'criticality'],
    ]);
    expect(d.cis[1]!.data).toMatchObject({ id: 'x2', status: 'maintenance', environment: 'test', criticality: 2, attributes: {} });
    expect(d.relationships).toEqual([{ type: 'LOCATED_IN', from: 'x1', to: 'x2' }]);
  });

  it('takes the source from the command line and no time when the file gives neither, and reads an empty snapshot', () => {
    const d = parse({}, 'lansweeper');
    expect(d).toEqual({ source: 'lansweeper', at: null, scope: undefined, cis: [], relationships: [] });
  });

  it('refuses a malformed file naming the field, with zod issues as details', () => {
    const e = caught(() => parse({ cis: 'no' }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('verify: "scan.json", field "cis": Invalid input: expected array, received string');
    expect((e as InputError).details).toEqual([expect.objectContaining({ path: ['cis'] })]);
    expect(() => parse({ scope: { classes: [] } })).toThrow(/field "scope.classes"/);
    expect(() => parse({ scope: { locatedIn: [] } })).toThrow(/field "scope.locatedIn"/);
    expect(() => parse({ extra: 1 })).toThrow(InputError);
    expect(() => parse({ relationships: [{ type: 'LOCATED_IN', from: '', to: 'x' }] })).toThrow(/field "relationships.0.from"/);
  });

  it('refuses a bad row naming its index and field, and an unknown class in a row or in the scope', () => {
    const e = caught(() =>
      parse({
        cis: [
          { id: 'ok', class: 'Server', name: 'ok' },
          { id: 'x', class: 'Server' },
        ],
      }),
    );
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^verify: "scan.json" cis\[1\], field "name": /);
    expect((e as InputError).details).toEqual([expect.objectContaining({ path: ['name'] })]);
    expect(() => parse({ cis: [{ id: 'x', class: 'Server', name: 'x', tags: ['ok', 7] }] })).toThrow(
      /^verify: "scan.json" cis\[0\], field "tags.1": /,
    );
    expect(() => parse({ cis: [{ id: 'x', class: 'Spaceship', name: 'x' }] })).toThrow(
      'verify: "scan.json" cis[0]: unknown class "Spaceship" for CI "x"',
    );
    const s = caught(() => parse({ scope: { classes: ['Server', 'Spaceship'] } }));
    expect(s).toBeInstanceOf(SemanticError);
    expect(s.message).toBe('verify: "scan.json" scope.classes: unknown class "Spaceship"');
    expect((s as SemanticError).details).toEqual({ value: 'Spaceship' });
  });
});

const cmdb = graphOf(
  [
    { id: 's1', class: 'Server', owner: 'ops', tags: ['a', 'b'], attributes: { serialNumber: 'SER-1', cpu: 8, os: 'Linux' } },
    { id: 's2', class: 'Server', attributes: { serialNumber: 'SER-2' } },
    { id: 'rack-a', class: 'Rack', attributes: {} },
    { id: 'rack-b', class: 'Rack', attributes: {} },
  ],
  ['s1 LOCATED_IN rack-a', 'rack-a LOCATED_IN rack-b', 'rack-b LOCATED_IN rack-a'],
);
// Here a discovered CI reports no field unless told (the default of `discovered` reports every attribute).
const found = (data: Parameters<typeof discovered>[0], reported: string[] = []) => discovered(data, reported);
const run = (d: Discovery) => reconcile(d, cmdb.cis, cmdb.graph, registry);

describe('reconcile at its edges', () => {
  it('compares non-string values exactly: a number is not its string, tags in another order differ, equal ones do not', () => {
    const r = run(
      scan([
        found(
          { id: 'x1', class: 'Server', tags: ['b', 'a'], owner: ' OPS ', attributes: { serialNumber: 'SER-1', cpu: '8', os: 'linux' } },
          ['tags', 'owner', 'attributes.cpu', 'attributes.os'],
        ),
        found({ id: 'x2', class: 'Server', tags: [], attributes: { serialNumber: 'SER-2', cpu: 4 } }, ['tags', 'attributes.cpu']),
      ]),
    );
    // A string on one side and nothing on the other is drift (no trimming of what is not there).
    const gone = run(scan([found({ id: 's1', class: 'Server', attributes: { serialNumber: 'SER-1' } }, ['attributes.os'])]));
    expect(gone.drift).toEqual([{ id: 's1', discovered: 's1', fields: [{ field: 'attributes.os', cmdb: 'Linux', discovered: null }] }]);
    expect(r.drift).toEqual([
      {
        id: 's1',
        discovered: 'x1',
        fields: [
          { field: 'tags', cmdb: ['a', 'b'], discovered: ['b', 'a'] },
          { field: 'attributes.cpu', cmdb: 8, discovered: '8' },
        ],
      },
      { id: 's2', discovered: 'x2', fields: [{ field: 'attributes.cpu', cmdb: null, discovered: 4 }] },
    ]);
  });

  it('lists a CMDB CI matched by two discovered CIs twice, in scan order, and neither is missing', () => {
    const r = run(
      scan([
        found({ id: 'x-b', class: 'Server', owner: 'b', attributes: { serialNumber: 'SER-1' } }, ['owner']),
        found({ id: 'x-a', class: 'Server', owner: 'a', attributes: { serialNumber: 'ser-1' } }, ['owner']),
        found({ id: 's2', class: 'Server' }),
      ]),
    );
    expect(r.matched).toEqual([
      { id: 's1', discovered: 'x-b', key: ['serialNumber'] },
      { id: 's1', discovered: 'x-a', key: ['serialNumber'] },
      { id: 's2', discovered: 's2', key: ['id'] },
    ]);
    expect(r.drift.map((x) => x.discovered)).toEqual(['x-b', 'x-a']);
    expect(r.missing).toEqual([]);
  });

  it('refuses a relationship whose source or target the snapshot lacks, with the relationship as detail', () => {
    const rel = { type: 'LOCATED_IN', from: 'ghost', to: 's1' };
    const e = caught(() => run(scan([found({ id: 's1', class: 'Server' })], { relationships: [rel] })));
    expect(e).toBeInstanceOf(SemanticError);
    expect(e.message).toBe('verify: discovered relationship ghost LOCATED_IN s1 names a CI the snapshot does not contain');
    expect((e as SemanticError).details).toEqual({ relationship: rel });
  });

  it('leaves out a discovered relationship with an ambiguous end, at either end', () => {
    const twins = graphOf(
      [
        { id: 't1', class: 'Server', attributes: { serialNumber: 'TWIN' } },
        { id: 't2', class: 'Server', attributes: { serialNumber: 'twin' } },
        { id: 'rack-a', class: 'Rack', attributes: {} },
      ],
      [],
    );
    const r = reconcile(
      scan([found({ id: 'amb', class: 'Server', attributes: { serialNumber: 'Twin' } }), found({ id: 'rack-a', class: 'Rack' })], {
        relationships: [
          { type: 'LOCATED_IN', from: 'amb', to: 'rack-a' },
          { type: 'CONNECTED_TO', from: 'rack-a', to: 'amb' },
        ],
      }),
      twins.cis,
      twins.graph,
      registry,
    );
    expect(r.duplicates).toEqual([{ discovered: 'amb', candidates: ['t1', 't2'], key: ['serialNumber'] }]);
    expect(r.relationships).toEqual({ unregistered: [], missing: [] });
  });

  it('walks a LOCATED_IN cycle to its end when looking for a site, and finds none there', () => {
    const r = run(scan([found({ id: 'x9', class: 'Rack' })], { scope: { classes: ['Server', 'Rack'], locatedIn: ['dc-none'] } }));
    expect(r.missing).toEqual([]);
    const inCycle = run(scan([found({ id: 's2', class: 'Server' })], { scope: { classes: ['Server', 'Rack'], locatedIn: ['rack-b'] } }));
    expect(inCycle.missing.map((m) => m.id)).toEqual(['rack-a', 's1']);
  });

  it('records an unregistered relationship to a CMDB CI the mirror does not hold, and one of a type the CMDB has elsewhere', () => {
    const r = run(
      scan([found({ id: 's1', class: 'Server' }), found({ id: 's2', class: 'Server' }), found({ id: 'rack-a', class: 'Rack' })], {
        relationships: [
          { type: 'CONNECTED_TO', from: 's1', to: 'rack-a' }, // s1 has an edge to rack-a, of another type
          { type: 'LOCATED_IN', from: 's2', to: 'rack-a' },
          { type: 'LOCATED_IN', from: 's1', to: 'rack-a' },
        ],
      }),
    );
    expect(r.relationships.unregistered).toEqual([
      { type: 'CONNECTED_TO', from: 's1', to: 'rack-a' },
      { type: 'LOCATED_IN', from: 's2', to: 'rack-a' },
    ]);
    expect(r.relationships.missing).toEqual([]);
  });
});

describe('applyPlan', () => {
  it('corrects drift to the discovered values, creates unregistered CIs marked with the source and unregistered relationships, and nothing else', () => {
    const d = scan(
      [
        found({ id: 'x1', class: 'Server', owner: 'infra', attributes: { serialNumber: 'SER-1', cpu: 16, os: 'Linux' } }, [
          'owner',
          'attributes.cpu',
          'attributes.os',
        ]),
        found({ id: 'new-1', class: 'Server', attributes: { serialNumber: 'NEW' } }),
      ],
      { relationships: [{ type: 'LOCATED_IN', from: 'new-1', to: 'x1' }] },
    );
    const r = run(d);
    const s1 = cmdb.cis.find((c) => c.id === 's1')!;
    const batch = applyPlan(d, r, new Map<string, CI>(cmdb.cis.map((c) => [c.id, c])));
    const { version: _v, createdAt: _c, updatedAt: _u, ...s1data } = s1;
    expect(batch).toEqual([
      { op: 'upsertCI', ci: { ...s1data, owner: 'infra', attributes: { ...s1.attributes, cpu: 16 } }, expectedVersion: 1 },
      { op: 'upsertCI', ci: { ...d.cis[1]!.data, attributes: { serialNumber: 'NEW', discoverySource: 'scan' } }, expectedVersion: 0 },
      {
        op: 'upsertRelationship',
        relationship: { id: 'new-1|LOCATED_IN|s1', type: 'LOCATED_IN', from: 'new-1', to: 's1', attributes: {} },
        expectedVersion: 0,
      },
    ]);
    // The CMDB's own document is not touched.
    expect(s1.owner).toBe('ops');
    expect(s1.attributes.cpu).toBe(8);
  });
});
