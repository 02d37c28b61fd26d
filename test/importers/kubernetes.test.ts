import { afterAll, describe, expect, it } from 'vitest';
import { convertKubernetes } from '../../engine/importers/kubernetes.ts';
import { addressesIn, serviceOf } from '../../engine/importers/addresses.ts';
import { InputError } from '../../engine/errors.ts';
import { edges, fixtureFiles, impactOf, importDocument, sqliteCmdb, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-k8s-');
afterAll(() => tmp.cleanup());
const files = fixtureFiles('kubernetes');
const { document: doc, warnings } = convertKubernetes(files);
const ids = new Set(doc.cis.map((c) => c.id));
const rel = new Set(edges(doc));
const ci = (id: string) => doc.cis.find((c) => c.id === id)!;

describe('kubernetes converter', () => {
  it('reads multi-document YAML and a kubectl List into one CI per object, namespaces included', () => {
    for (const id of [
      'k8s:namespace/shop',
      'k8s:namespace/cache',
      'k8s:namespace/payments',
      'k8s:shop/deployment/web',
      'k8s:shop/deployment/checkout',
      'k8s:shop/deployment/checkout-canary',
      'k8s:shop/statefulset/orders-db',
      'k8s:shop/cronjob/nightly-report',
      'k8s:shop/service/checkout',
      'k8s:shop/ingress/shop',
      'k8s:shop/configmap/checkout-config',
      'k8s:shop/secret/orders-db-credentials',
      'k8s:shop/persistentvolumeclaim/orders-db-data',
      'k8s:cache/statefulset/redis',
      'k8s:payments/service/payments',
    ]) {
      expect(ids, id).toContain(id);
    }
    expect(ci('k8s:shop/deployment/checkout')).toMatchObject({
      class: 'KubernetesWorkload',
      name: 'checkout',
      attributes: { kind: 'Deployment', namespace: 'shop', replicas: 2 },
    });
    expect(ci('k8s:cache/statefulset/redis').attributes.kubernetesUid).toBe('5f0c1a52-0b2d-4e57-9a4e-0d7c2f6f1a02');
    expect(ci('k8s:cache/statefulset/redis').owner).toBe('platform');
    expect(rel).toContain('k8s:shop/deployment/web LOCATED_IN k8s:namespace/shop');
  });

  it('never stores Secret values', () => {
    expect(JSON.stringify(doc)).not.toContain('not-a-real-password');
    expect(ci('k8s:shop/secret/orders-db-credentials').attributes.keys).toEqual(['password']);
  });

  it('routes a Service to both Deployments its selector picks, with a redundancy rule', () => {
    expect(rel).toContain('k8s:shop/service/checkout ROUTES_TO k8s:shop/deployment/checkout');
    expect(rel).toContain('k8s:shop/service/checkout ROUTES_TO k8s:shop/deployment/checkout-canary');
    expect(ci('k8s:shop/service/checkout').redundancy).toEqual([{ relationship: 'ROUTES_TO', minAvailable: 1 }]);
  });

  it('routes an Ingress to the Services of its rules', () => {
    expect(rel).toContain('k8s:shop/ingress/shop ROUTES_TO k8s:shop/service/web');
    expect(rel).toContain('k8s:shop/ingress/shop ROUTES_TO k8s:shop/service/checkout');
  });

  it('makes a workload depend on the ConfigMaps, Secrets and volume claims it uses', () => {
    expect(rel).toContain('k8s:shop/deployment/checkout DEPENDS_ON k8s:shop/configmap/checkout-config');
    expect(rel).toContain('k8s:shop/deployment/checkout DEPENDS_ON k8s:shop/configmap/checkout-files');
    expect(rel).toContain('k8s:shop/deployment/checkout DEPENDS_ON k8s:shop/secret/orders-db-credentials');
    expect(rel).toContain('k8s:shop/statefulset/orders-db DEPENDS_ON k8s:shop/persistentvolumeclaim/orders-db-data');
  });

  it('finds call dependencies in env values of every address form', () => {
    const via = (from: string, to: string) =>
      doc.relationships.find((r) => r.from === from && r.to === to && r.type === 'DEPENDS_ON')?.attributes?.via;
    expect(via('k8s:shop/deployment/web', 'k8s:shop/service/checkout')).toBe('env CHECKOUT_URL'); // URL with name:port
    expect(via('k8s:shop/deployment/checkout', 'k8s:shop/service/orders-db')).toBe('env ORDERS_DB_HOST'); // bare name
    expect(via('k8s:shop/deployment/checkout', 'k8s:cache/service/redis')).toBe('env CACHE_ADDR'); // name.namespace:port
    expect(via('k8s:shop/deployment/checkout', 'k8s:payments/service/payments')).toBe('env PAYMENTS_URL'); // FQDN in a URL
    expect(via('k8s:shop/deployment/checkout-canary', 'k8s:shop/service/orders-db')).toBe('env ORDERS_DB_HOST'); // name.namespace
    expect(via('k8s:shop/cronjob/nightly-report', 'k8s:shop/service/orders-db')).toBe('env DB'); // name:port
    expect(via('k8s:shop/deployment/inventory', 'k8s:shop/service/orders-db')).toBe('args');
  });

  it('finds addresses held in ConfigMap entries and mounted ConfigMap files', () => {
    expect(rel).toContain('k8s:shop/deployment/checkout DEPENDS_ON k8s:shop/service/inventory');
    expect(rel).toContain('k8s:shop/deployment/checkout-canary DEPENDS_ON k8s:shop/service/inventory');
    const fromFile = doc.relationships.filter((r) => r.from === 'k8s:shop/deployment/checkout' && r.to === 'k8s:shop/service/orders-db');
    expect(fromFile).toHaveLength(1); // the same dependency found twice is one relationship
  });

  it('reports an unknown address with its file, document and field instead of aborting', () => {
    const unknown = warnings.filter((w) => w.code === 'unknown_address');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ document: 'document 6', field: 'spec.template.spec.containers[0].env[3].value' });
    expect(unknown[0]!.file).toMatch(/shop\.yaml$/);
    expect(unknown[0]!.message).toContain('https://fraud.example.net/score');
    expect(warnings.find((w) => w.code === 'skipped')?.message).toContain('ServiceAccount "checkout"');
  });

  it('turns unknown addresses into external-endpoint CIs when asked', () => {
    const withExt = convertKubernetes(files, { externalEndpoints: true });
    expect(withExt.document.cis.find((c) => c.id === 'ext:fraud.example.net')).toMatchObject({
      class: 'ExternalEndpoint',
      attributes: { host: 'fraud.example.net' },
    });
    expect(edges(withExt.document)).toContain('k8s:shop/deployment/checkout DEPENDS_ON ext:fraud.example.net');
    expect(withExt.warnings.filter((w) => w.code === 'unknown_address')).toEqual([]);
  });

  it('prefixes ids and records the cluster when one is named', () => {
    const c = convertKubernetes(files, { cluster: 'eu-1' });
    expect(c.document.cis.find((x) => x.id === 'k8s:eu-1:shop/deployment/web')?.attributes.cluster).toBe('eu-1');
  });

  it('gives the same document for the same input (so a re-import changes nothing)', () => {
    expect(JSON.stringify(convertKubernetes(files).document)).toBe(JSON.stringify(doc));
  });

  it('names file, document and field of a malformed object', () => {
    const bad = () =>
      convertKubernetes([
        { path: 'bad.yaml', text: 'kind: Namespace\nmetadata:\n  name: a\n---\nkind: Deployment\nmetadata:\n  labels: {}\n' },
      ]);
    expect(bad).toThrow(InputError);
    expect(bad).toThrow('bad.yaml, document 2, field "metadata.name"');
    expect(() => convertKubernetes([{ path: 'broken.yaml', text: 'kind: [' }])).toThrow(/broken\.yaml, document 1: not valid YAML/);
    expect(() => convertKubernetes([{ path: 'l.json', text: '{"kind":"List","items":[{"metadata":{"name":"x"}}]}' }])).toThrow(
      'l.json, document 1, items[0], field "kind"',
    );
  });

  it('an outage of the orders database reaches the Ingress through Services, workloads and configuration', async () => {
    const cmdb = await sqliteCmdb(tmp.dir);
    try {
      await importDocument(cmdb, doc);
      const hit = impactOf(cmdb, 'k8s:shop/statefulset/orders-db');
      expect(hit.get('k8s:shop/service/orders-db')).toBe('down');
      expect(hit.get('k8s:shop/deployment/checkout')).toBe('down');
      expect(hit.get('k8s:shop/deployment/checkout-canary')).toBe('down');
      expect(hit.get('k8s:shop/service/checkout')).toBe('down');
      expect(hit.get('k8s:shop/deployment/web')).toBe('down');
      expect(hit.get('k8s:shop/ingress/shop')).toBe('down');
      // the cache's outage takes the stable track down; the canary (no cache) keeps the Service up, degraded
      const cache = impactOf(cmdb, 'k8s:cache/statefulset/redis');
      expect(cache.get('k8s:shop/deployment/checkout')).toBe('down');
      expect(cache.has('k8s:shop/deployment/checkout-canary')).toBe(false);
      expect(cache.get('k8s:shop/service/checkout')).toBe('degraded');
      expect(cache.get('k8s:shop/ingress/shop')).toBe('degraded');
    } finally {
      await cmdb.close();
    }
  });
});

describe('addresses in configuration values', () => {
  it('reads URLs, host:port lists and key=value connection strings', () => {
    expect(addressesIn('X', 'postgres://u:p@db:5432/x').map((a) => [a.host, a.port])).toEqual([['db', 5432]]);
    expect(addressesIn('KAFKA', 'kafka-0.kafka:9092,kafka-1.kafka:9092').map((a) => a.host)).toEqual(['kafka-0.kafka', 'kafka-1.kafka']);
    expect(addressesIn('DSN', 'host=orders-db port=5432 dbname=orders').map((a) => a.host)).toEqual(['orders-db']);
    expect(addressesIn('JDBC', 'jdbc:mysql://mysql.data.svc/app').map((a) => a.host)).toEqual(['mysql.data.svc']);
  });

  it('ignores values that only look like names unless the key says they hold an address', () => {
    expect(addressesIn('LOG_LEVEL', 'info')).toEqual([]);
    expect(addressesIn('VERSION', 'v1.2')).toEqual([]);
    expect(addressesIn('REDIS_HOST', 'redis').map((a) => a.host)).toEqual(['redis']);
    expect(addressesIn('LISTEN', 'localhost:8080')).toEqual([]);
    expect(addressesIn('TIME', '10:30')).toEqual([]);
  });

  it('resolves cluster DNS names to a Service and namespace', () => {
    expect(serviceOf('orders-db', 'shop')).toEqual({ name: 'orders-db', namespace: 'shop', certain: true });
    expect(serviceOf('redis.cache', 'shop')).toEqual({ name: 'redis', namespace: 'cache', certain: false });
    expect(serviceOf('pg-0.pg.data.svc.cluster.local', 'shop')).toEqual({ name: 'pg', namespace: 'data', certain: true });
    expect(serviceOf('api.stripe.com', 'shop')).toBeUndefined();
  });
});
