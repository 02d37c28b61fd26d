import { describe, expect, it } from 'vitest';
import { Registry } from '../../engine/model/registry.ts';
import { IdentificationIndex, fieldValue, identificationKeys, identify, type IdentifiableCI } from '../../engine/model/identification.ts';

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

describe('candidate duplicates in a set', () => {
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
