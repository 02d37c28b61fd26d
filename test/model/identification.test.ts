import { describe, expect, it } from 'vitest';
import { Registry } from '../../engine/model/registry.ts';
import {
  FirstByHash,
  IdentificationIndex,
  fieldValue,
  identificationKeys,
  identify,
  keyHash,
  keyString,
  stringHash,
  type IdentifiableCI,
} from '../../engine/model/identification.ts';

const registry = Registry.load();

function ci(
  id: string,
  cls: string,
  name: string,
  attributes: Record<string, unknown> = {},
  environment: IdentifiableCI['environment'] = 'production',
): IdentifiableCI {
  return { id, class: cls, name, environment, attributes };
}

describe('identification keys', () => {
  it('puts the globally unique ids of the root class before a class’s own keys', () => {
    expect(identificationKeys(registry, 'Server').map((k) => k.fields.join('+'))).toEqual([
      'servicenowSysId',
      'kubernetesUid',
      'resourceId',
      'serialNumber',
      'hostname+domain',
      'hostname',
    ]);
  });

  it('inherits a parent class’s keys before the child’s own, without repeating one', () => {
    const keys = identificationKeys(registry, 'KubernetesNode');
    expect(keys.map((k) => k.fields.join('+'))).toEqual([
      'servicenowSysId',
      'kubernetesUid',
      'resourceId',
      'serialNumber',
      'hostname+domain',
      'hostname',
      'name',
    ]);
    expect(keys.find((k) => k.fields.join() === 'hostname')!.declaredBy).toBe('Server');
    expect(keys.find((k) => k.fields.join() === 'name')!.declaredBy).toBe('KubernetesNode');
  });

  it('has no keys for an unknown class', () => {
    expect(identificationKeys(registry, 'NoSuchClass')).toEqual([]);
  });
});

describe('identification values', () => {
  it('compares values trimmed and case-insensitively and reads name from the CI itself', () => {
    const a = ci('a', 'Server', ' Srv-DB-01 ', { hostname: 'SRV-DB-01 ', serialNumber: 'abc123' });
    expect(fieldValue(a, 'name')).toBe('srv-db-01');
    expect(fieldValue(a, 'hostname')).toBe('srv-db-01');
    expect(identify(registry, a)).toEqual([
      { fields: ['serialNumber'], values: ['abc123'] },
      { fields: ['hostname'], values: ['srv-db-01'] },
    ]);
  });

  it('treats an empty, null or non-scalar attribute as missing', () => {
    expect(fieldValue(ci('a', 'Server', 'x', { hostname: '  ' }), 'hostname')).toBeUndefined();
    expect(fieldValue(ci('a', 'Server', 'x', { hostname: null }), 'hostname')).toBeUndefined();
    expect(fieldValue(ci('a', 'Server', 'x', { hostname: ['a'] }), 'hostname')).toBeUndefined();
    expect(fieldValue(ci('a', 'Server', 'x', { cpuCores: 8 }), 'cpuCores')).toBe('8');
  });
});

describe('matching one CI against a set', () => {
  it('matches the CI with the same id first', () => {
    const index = new IdentificationIndex(registry, [ci('srv-1', 'Server', 'one', { serialNumber: 'S1' })]);
    expect(index.match(ci('srv-1', 'Server', 'renamed', { serialNumber: 'OTHER' }))).toMatchObject({
      kind: 'match',
      key: ['id'],
      ci: { id: 'srv-1' },
    });
  });

  it('matches a server from another source by serial number although its id and name differ', () => {
    const index = new IdentificationIndex(registry, [
      ci('srv-1', 'Server', 'db host', { serialNumber: 'SN-1' }),
      ci('srv-2', 'Server', 'other', { serialNumber: 'SN-2' }),
    ]);
    const result = index.match(ci('snow:abc', 'Server', 'DB HOST 1', { serialNumber: 'sn-1' }));
    expect(result).toMatchObject({ kind: 'match', key: ['serialNumber'], ci: { id: 'srv-1' } });
  });

  it('matches on a ServiceNow sys_id across classes, since the root declares it', () => {
    const index = new IdentificationIndex(registry, [
      ci('vm-7', 'VirtualMachine', 'vm7', { servicenowSysId: '9d385017c611228701d22104cc95c371' }),
    ]);
    expect(index.match(ci('x', 'Server', 'vm7', { servicenowSysId: '9D385017C611228701D22104CC95C371' }))).toMatchObject({
      kind: 'match',
      key: ['servicenowSysId'],
    });
  });

  it('never matches CIs of unrelated classes on a class-specific key such as the name', () => {
    const index = new IdentificationIndex(registry, [ci('orders-app', 'Application', 'orders')]);
    expect(index.match(ci('orders-db', 'Database', 'orders'))).toEqual({ kind: 'none' });
  });

  it('matches a subclass on a key its parent declares (a Kubernetes node found as a server by host name)', () => {
    const index = new IdentificationIndex(registry, [ci('srv-9', 'Server', 'node 9', { hostname: 'node9' })]);
    expect(index.match(ci('k8s-node-9', 'KubernetesNode', 'node9', { hostname: 'NODE9' }))).toMatchObject({
      kind: 'match',
      key: ['hostname'],
      ci: { id: 'srv-9' },
    });
    // but not on a key only the subclass declares
    const byName = new IdentificationIndex(registry, [ci('srv-9', 'Server', 'node9')]);
    expect(byName.match(ci('k8s-node-9', 'KubernetesNode', 'node9'))).toEqual({ kind: 'none' });
  });

  it('lets the first key both CIs have decide: different serial numbers veto a host-name match', () => {
    const index = new IdentificationIndex(registry, [ci('srv-1', 'Server', 'a', { serialNumber: 'SN-1', hostname: 'web01' })]);
    expect(index.match(ci('srv-x', 'Server', 'b', { serialNumber: 'SN-2', hostname: 'web01' }))).toEqual({ kind: 'none' });
    // a source that knows no serial number matches on the host name
    expect(index.match(ci('srv-y', 'Server', 'b', { hostname: 'web01' }))).toMatchObject({ kind: 'match', key: ['hostname'] });
  });

  it('uses host name plus domain before the bare host name', () => {
    const index = new IdentificationIndex(registry, [
      ci('vm-a', 'VirtualMachine', 'web01.a', { hostname: 'web01', domain: 'a.example.com' }),
      ci('vm-b', 'VirtualMachine', 'web01.b', { hostname: 'web01', domain: 'b.example.com' }),
    ]);
    expect(index.match(ci('x', 'VirtualMachine', 'web', { hostname: 'web01', domain: 'B.example.com' }))).toMatchObject({
      kind: 'match',
      key: ['hostname', 'domain'],
      ci: { id: 'vm-b' },
    });
    expect(index.match(ci('y', 'VirtualMachine', 'web', { hostname: 'web01', domain: 'c.example.com' }))).toEqual({ kind: 'none' });
  });

  it('reports several candidates as ambiguous instead of picking one', () => {
    const index = new IdentificationIndex(registry, [
      ci('srv-1', 'Server', 'a', { hostname: 'web01' }),
      ci('srv-2', 'Server', 'b', { hostname: 'web01' }),
    ]);
    const result = index.match(ci('incoming', 'Server', 'c', { hostname: 'web01' }));
    expect(result.kind).toBe('ambiguous');
    expect(result.kind === 'ambiguous' && result.candidates.map((c) => c.id).sort()).toEqual(['srv-1', 'srv-2']);
  });

  it('follows additions and removals', () => {
    const index = new IdentificationIndex(registry);
    index.add(ci('srv-1', 'Server', 'a', { hostname: 'web01' }));
    index.add(ci('srv-1', 'Server', 'a', { hostname: 'web02' }));
    expect(index.match(ci('q', 'Server', 'q', { hostname: 'web01' }))).toEqual({ kind: 'none' });
    expect(index.match(ci('q', 'Server', 'q', { hostname: 'web02' }))).toMatchObject({ kind: 'match' });
    index.remove('srv-1');
    expect(index.size).toBe(0);
    expect(index.match(ci('q', 'Server', 'q', { hostname: 'web02' }))).toEqual({ kind: 'none' });
  });
});

describe('the index’s bookkeeping', () => {
  it('keeps the other CIs of a shared value when one is removed, and ignores an id it does not hold', () => {
    const index = new IdentificationIndex(registry, [
      ci('srv-1', 'Server', 'a', { serialNumber: 'SN-1' }),
      ci('srv-2', 'Server', 'b', { serialNumber: 'sn-1' }),
    ]);
    index.remove('nobody');
    expect(index.size).toBe(2);
    index.remove('srv-1');
    expect(index.get('srv-1')).toBeUndefined();
    expect(index.get('srv-2')?.name).toBe('b');
    expect(index.match(ci('q', 'Server', 'q', { serialNumber: 'SN-1' }))).toEqual({
      kind: 'match',
      ci: index.get('srv-2'),
      key: ['serialNumber'],
    });
    index.remove('srv-2');
    expect(index.match(ci('q', 'Server', 'q', { serialNumber: 'SN-1' }))).toEqual({ kind: 'none' });
  });

  it('reads numbers and booleans as their text, unchanged', () => {
    const c = ci('x', 'Server', 'n', { port: 8080, enabled: true, ratio: 1.5 });
    expect([fieldValue(c, 'port'), fieldValue(c, 'enabled'), fieldValue(c, 'ratio')]).toEqual(['8080', 'true', '1.5']);
    const index = new IdentificationIndex(registry, [ci('ep', 'ExternalEndpoint', 'e', { host: 'api.example', port: 443 })]);
    expect(index.match(ci('q', 'ExternalEndpoint', 'q', { host: 'API.example', port: '443' }))).toMatchObject({ kind: 'match' });
  });

  it('matches on a later key when either CI lacks an earlier one the other has', () => {
    const index = new IdentificationIndex(registry, [
      ci('with-serial', 'Server', 'a', { serialNumber: 'SN-1', hostname: 'web01' }),
      ci('no-serial', 'Server', 'b', { hostname: 'web02' }),
    ]);
    expect(index.match(ci('q1', 'Server', 'q', { hostname: 'WEB01' }))).toMatchObject({ kind: 'match', key: ['hostname'] });
    expect(index.match(ci('q2', 'Server', 'q', { serialNumber: 'SN-9', hostname: 'web02' }))).toMatchObject({
      kind: 'match',
      key: ['hostname'],
    });
  });
});

describe('candidate duplicates in a set', () => {
  it('lists groups in the order of their smallest id, whatever order the CIs came in', () => {
    const index = new IdentificationIndex(registry, [
      ci('z-2', 'Server', 'a', { serialNumber: 'Z' }),
      ci('m-2', 'Server', 'b', { serialNumber: 'M' }),
      ci('z-1', 'Server', 'c', { serialNumber: 'z' }),
      ci('a-2', 'Server', 'd', { serialNumber: 'A' }),
      ci('m-1', 'Server', 'e', { serialNumber: 'm' }),
      ci('a-1', 'Server', 'f', { serialNumber: 'a' }),
    ]);
    expect(index.duplicates().map((g) => g.cis.map((c) => c.id))).toEqual([
      ['a-1', 'a-2'],
      ['m-1', 'm-2'],
      ['z-1', 'z-2'],
    ]);
  });

  it('puts a CI in one group only, though it shares another key with a CI outside it', () => {
    const index = new IdentificationIndex(registry, [
      ci('a', 'Server', 'a', { serialNumber: 'SN-1' }),
      ci('b', 'Server', 'b', { serialNumber: 'SN-1', hostname: 'web01' }),
      ci('c', 'Server', 'c', { hostname: 'web01' }),
    ]);
    expect(index.duplicates().map((g) => g.cis.map((x) => x.id))).toEqual([['a', 'b']]);
  });

  it('groups CIs that identify as one another under the strongest joining key', () => {
    const index = new IdentificationIndex(registry, [
      ci('srv-1', 'Server', 'a', { serialNumber: 'SN-1' }),
      ci('snow-1', 'Server', 'b', { serialNumber: 'sn-1' }),
      ci('srv-2', 'Server', 'c', { hostname: 'h2' }),
      ci('k8s-2', 'KubernetesNode', 'd', { hostname: 'H2' }),
      ci('app', 'Application', 'c'),
      ci('db', 'Database', 'c'),
    ]);
    expect(index.duplicates().map((g) => ({ key: g.key, values: g.values, ids: g.cis.map((c) => c.id) }))).toEqual([
      { key: ['hostname'], values: ['h2'], ids: ['k8s-2', 'srv-2'] },
      { key: ['serialNumber'], values: ['sn-1'], ids: ['snow-1', 'srv-1'] },
    ]);
  });
});

describe('key hashes (the duplicate rule’s pre-pass)', () => {
  const doc = (name: unknown, attributes: Record<string, unknown> = {}): IdentifiableCI =>
    ({ id: 'x', class: 'Server', name, environment: 'production', attributes }) as IdentifiableCI;
  // Every ASCII code unit as padding and inside a value, case variants, the non-ASCII forms trim and
  // toLowerCase treat specially (no-break space, BOM, dotted capital I, sharp s), and non-strings.
  const ascii = Array.from({ length: 128 }, (_, c) => String.fromCharCode(c));
  const values: unknown[] = [
    ...ascii.flatMap((c) => [`${c}Web01${c}`, `W${c}b`, c, `${c}${c}`]),
    'ORDERS',
    ' orders ',
    '\u00a0orders\u00a0',
    '\ufeffOrders',
    'İstanbul',
    'STRASSE',
    'straße',
    'ÉCOLE',
    '\u2003',
    '',
    42,
    -0,
    Number.NaN,
    1e21,
    true,
    false,
    null,
    undefined,
    { a: 1 },
    ['a'],
  ];

  it('hashes each value as its key string (trimmed, lower-cased) hashes, and has none exactly when the key string is missing', () => {
    for (const v of values) {
      const c = doc(v);
      const s = keyString(c, ['name']);
      expect(keyHash(c, ['name']), JSON.stringify(v)).toBe(s === undefined ? undefined : stringHash(s));
    }
  });

  it('hashes a key of several fields as their values joined, and has none when any field is missing', () => {
    for (const [a, b] of [
      ['Web01', 'Shop.Example'],
      [' web01', 'shop.example '],
      ['a\u0000b', 'c'],
      ['a', 'b\u0000c'],
      ['İ', 'x'],
      [7, true],
      ['a', ''],
      [undefined, 'b'],
    ] as [unknown, unknown][]) {
      const c = doc('n', { hostname: a, domain: b });
      const s = keyString(c, ['hostname', 'domain']);
      expect(keyHash(c, ['hostname', 'domain']), JSON.stringify([a, b])).toBe(s === undefined ? undefined : stringHash(s));
    }
    // Values that run together alike join alike, as the index's bucket strings do.
    expect(keyHash(doc('n', { hostname: 'a\u0000b', domain: 'c' }), ['hostname', 'domain'])).toBe(
      keyHash(doc('n', { hostname: 'a', domain: 'b\u0000c' }), ['hostname', 'domain']),
    );
    expect(keyHash(doc('n', { hostname: 'ab', domain: 'c' }), ['hostname', 'domain'])).not.toBe(
      keyHash(doc('n', { hostname: 'a', domain: 'bc' }), ['hostname', 'domain']),
    );
  });

  it('reads id and environment from the CI itself, as key strings do', () => {
    const c = {
      id: ' ID-1 ',
      class: 'Server',
      name: 'n',
      environment: 'Staging',
      attributes: { id: 'other', environment: 'x' },
    } as unknown as IdentifiableCI;
    expect(keyHash(c, ['id'])).toBe(stringHash('id-1'));
    expect(keyHash(c, ['environment', 'name'])).toBe(stringHash('staging\u0000n'));
  });

  it('is FNV-1a over UTF-16 code units', () => {
    expect(stringHash('')).toBe(0x811c9dc5 | 0);
    expect(stringHash('a')).toBe(0xe40c292c | 0);
    expect(stringHash('foobar')).toBe(0xbf9cf968 | 0);
  });
});

describe('first positions by hash', () => {
  it('answers -1 for a new hash and the first position for a repeated one, across growth', () => {
    const t = new FirstByHash();
    // Hashes with equal low bits (they probe the same slots), negative ones, and enough to grow the table.
    const hashes = Array.from({ length: 5000 }, (_, i) => (i % 3 === 0 ? i << 16 : i % 3 === 1 ? -i - 1 : i * 2654435761) | 0);
    expect(new Set(hashes).size).toBe(hashes.length);
    hashes.forEach((h, i) => expect(t.add(h, i)).toBe(-1));
    hashes.forEach((h, i) => expect(t.add(h, 10_000 + i)).toBe(i));
    expect(t.add(0x7fffffff, 3)).toBe(-1);
    expect(t.add(0x7fffffff, 4)).toBe(3);
  });
});
