/**
 * The Kubernetes converter on small inline manifests: each kind's class and kept attributes,
 * owner / environment / tags from labels, JSON and List input, Services and Ingresses of every
 * form, every way a workload reads configuration (optional or not), ExternalName Services,
 * duplicates, skipped kinds, progress, and the refusals of malformed objects.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/errors.ts';
import { convertKubernetes } from '../../engine/importers/kubernetes.ts';
import type { KubernetesOptions } from '../../engine/importers/kubernetes.ts';
import { addImportDocument, emptyImport } from '../../engine/io/import.ts';

type Obj = Record<string, unknown>;
const k8s = (objects: Obj[], options: KubernetesOptions = {}) =>
  convertKubernetes([{ path: 'm.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }], options);
const meta = (name: string, more: Obj = {}) => ({ name, namespace: 'shop', ...more });
const deployment = (name: string, pod: Obj, labels: Obj = { app: name }, more: Obj = {}): Obj => ({
  kind: 'Deployment',
  metadata: meta(name),
  spec: { template: { metadata: { labels }, spec: pod }, ...more },
});
const service = (name: string, spec: Obj): Obj => ({ kind: 'Service', metadata: meta(name), spec });
const edgesOf = (r: ReturnType<typeof k8s>, type?: string) =>
  r.document.relationships.filter((x) => type === undefined || x.type === type).map((x) => `${x.from} ${x.type} ${x.to}`);
const ciOf = (r: ReturnType<typeof k8s>, id: string) => r.document.cis.find((c) => c.id === id);

describe('kubernetes objects as CIs', () => {
  it('keeps kind, replicas and images of workloads (init containers first), and the image of a bare Pod', () => {
    const r = k8s([
      deployment(
        'web',
        { initContainers: [{ image: 'init:1' }], containers: [{ image: 'web:2' }, { name: 'no-image' }, 'junk'] },
        {},
        { replicas: 3 },
      ),
      { kind: 'Pod', metadata: meta('p'), spec: { containers: [{ image: 'p:1' }, { image: 'p:2' }] } },
      {
        kind: 'CronJob',
        metadata: meta('job'),
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ image: 'job:1' }] } } } } },
      },
      { kind: 'StatefulSet', metadata: meta('db'), spec: 'not an object' },
    ]);
    expect(r.document.cis.filter((c) => c.class !== 'KubernetesNamespace').map((c) => [c.id, c.class, c.attributes])).toEqual([
      [
        'k8s:shop/deployment/web',
        'KubernetesWorkload',
        { namespace: 'shop', kind: 'Deployment', replicas: 3, images: ['init:1', 'web:2'] },
      ],
      ['k8s:shop/pod/p', 'Pod', { namespace: 'shop', image: 'p:1' }],
      ['k8s:shop/cronjob/job', 'KubernetesWorkload', { namespace: 'shop', kind: 'CronJob', images: ['job:1'] }],
      ['k8s:shop/statefulset/db', 'KubernetesWorkload', { namespace: 'shop', kind: 'StatefulSet' }],
    ]);
    expect(edgesOf(r, 'LOCATED_IN')).toContain('k8s:shop/pod/p LOCATED_IN k8s:namespace/shop');
  });

  it('keeps Service type, ports and external name; Ingress hosts and class; config keys, Secret type, claim class and size', () => {
    const r = k8s([
      service('api', { type: 'NodePort', ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }, 'junk'] }),
      { kind: 'Ingress', metadata: meta('in'), spec: { ingressClassName: 'nginx', rules: [{ host: 'a.example' }, { http: {} }, 'x'] } },
      { kind: 'ConfigMap', metadata: meta('cm'), data: { b: '1', a: '2' } },
      { kind: 'Secret', metadata: meta('s'), type: 'Opaque', stringData: { z: 'x' }, data: { y: Buffer.from('v').toString('base64') } },
      {
        kind: 'PersistentVolumeClaim',
        metadata: meta('pvc'),
        spec: { storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } },
      },
      { kind: 'PersistentVolumeClaim', metadata: meta('bare'), spec: { resources: {} } },
    ]);
    const attrs = (id: string) => ciOf(r, id)!.attributes;
    expect(attrs('k8s:shop/service/api')).toEqual({ namespace: 'shop', type: 'NodePort', ports: ['80/TCP', '53/UDP'] });
    expect(attrs('k8s:shop/ingress/in')).toEqual({ namespace: 'shop', hosts: ['a.example'], ingressClass: 'nginx' });
    expect(attrs('k8s:shop/configmap/cm')).toEqual({ namespace: 'shop', keys: ['a', 'b'] });
    expect(attrs('k8s:shop/secret/s')).toEqual({ namespace: 'shop', keys: ['y', 'z'], type: 'Opaque' });
    expect(ciOf(r, 'k8s:shop/secret/s')!.class).toBe('KubernetesSecret');
    expect(attrs('k8s:shop/persistentvolumeclaim/pvc')).toEqual({ namespace: 'shop', storageClass: 'fast', size: '10Gi' });
    expect(attrs('k8s:shop/persistentvolumeclaim/bare')).toEqual({ namespace: 'shop' });
    expect(ciOf(r, 'k8s:shop/persistentvolumeclaim/pvc')!.class).toBe('KubernetesVolumeClaim');
  });

  it('reads owner, environment and a part-of tag from labels or annotations', () => {
    const r = k8s([
      { kind: 'ConfigMap', metadata: meta('a', { labels: { owner: 'ops', env: 'PRD', 'app.kubernetes.io/part-of': 'shop front' } }) },
      { kind: 'ConfigMap', metadata: meta('b', { labels: { environment: 'sandbox' }, annotations: { team: 't'.repeat(300) } }) },
      { kind: 'ConfigMap', metadata: meta('c', { annotations: { owner: 'anna', team: 'x' }, labels: { env: 'stg' } }) },
    ]);
    expect(
      r.document.cis.filter((c) => c.class === 'KubernetesConfigMap').map((c) => [c.owner?.length ?? c.owner, c.environment, c.tags]),
    ).toEqual([
      [3, 'production', ['shop-front']],
      [200, undefined, undefined],
      [4, 'staging', undefined],
    ]);
    expect(ciOf(r, 'k8s:shop/configmap/c')!.owner).toBe('anna');
  });

  it('makes a namespace declared after it was referenced carry its own labels and uid', () => {
    const r = k8s([
      { kind: 'ConfigMap', metadata: meta('a') },
      { kind: 'Namespace', metadata: { name: 'shop', uid: 'u-1', labels: { team: 'shop-team' } } },
    ]);
    expect(ciOf(r, 'k8s:namespace/shop')).toEqual({
      id: 'k8s:namespace/shop',
      class: 'KubernetesNamespace',
      name: 'shop',
      attributes: { kubernetesUid: 'u-1' },
      owner: 'shop-team',
    });
    expect(r.document.cis.map((c) => c.id)).toEqual(['k8s:shop/configmap/a', 'k8s:namespace/shop']);
  });

  it('puts objects without a namespace in the default namespace given, and records cluster and uid', () => {
    const r = k8s([{ kind: 'ConfigMap', metadata: { name: 'a', uid: 'u-2' } }], { defaultNamespace: 'team', cluster: 'prod eu' });
    expect(r.document.cis).toEqual([
      {
        id: 'k8s:prod_eu:team/configmap/a',
        class: 'KubernetesConfigMap',
        name: 'a',
        attributes: { namespace: 'team', cluster: 'prod eu', kubernetesUid: 'u-2', keys: [] },
      },
      { id: 'k8s:prod_eu:namespace/team', class: 'KubernetesNamespace', name: 'team', attributes: { cluster: 'prod eu' } },
    ]);
  });

  it('skips kinds it has no class for, keeps the first of a duplicate, and reports progress object by object', () => {
    const seen: [number, number][] = [];
    const r = k8s(
      [
        { kind: 'Role', metadata: meta('r') },
        { kind: 'ConfigMap', metadata: meta('a') },
        { kind: 'ConfigMap', metadata: meta('a') },
      ],
      {
        onProgress: (d, t) => seen.push([d, t]),
      },
    );
    expect(r.warnings.map((w) => [w.document, w.code, w.message])).toEqual([
      ['document 1, items[0]', 'skipped', 'Role "r" is not imported (no class for it)'],
      ['document 1, items[2]', 'duplicate', 'k8s:shop/configmap/a appears twice; the first one is kept'],
    ]);
    expect(seen).toEqual([
      [1, 3],
      [2, 3],
      [3, 3],
    ]);
  });
});

describe('kubernetes Services and Ingresses', () => {
  it('routes a Service only to workloads of its namespace whose pod labels hold every selector entry', () => {
    const other = deployment('web', {}, { app: 'web' });
    (other.metadata as Obj).namespace = 'other';
    const r = k8s([
      deployment('web', {}, { app: 'web', tier: 'front' }),
      deployment('web-canary', {}, { app: 'web', tier: 'canary' }),
      deployment('num', {}, { app: 'web', port: 8080 }),
      other,
      service('web', { selector: { app: 'web', tier: 'front' } }),
      service('num', { selector: { port: 8080 } }),
      service('none', { selector: { app: 'nothing' } }),
      service('headless', { selector: {} }),
    ]);
    expect(edgesOf(r, 'ROUTES_TO')).toEqual([
      'k8s:shop/service/web ROUTES_TO k8s:shop/deployment/web',
      'k8s:shop/service/num ROUTES_TO k8s:shop/deployment/num',
    ]);
    expect(ciOf(r, 'k8s:shop/service/web')!.redundancy).toEqual([{ relationship: 'ROUTES_TO', minAvailable: 1 }]);
    expect(ciOf(r, 'k8s:shop/service/none')!.redundancy).toBeUndefined();
    expect(r.warnings).toEqual([
      {
        file: 'm.json',
        document: 'document 1, items[6]',
        field: 'spec.selector',
        code: 'unknown_reference',
        message: 'Service "none" selects no workload in the input',
      },
    ]);
  });

  it('routes an Ingress by v1 and v1beta1 backends, and warns about a Service not in the input', () => {
    const r = k8s([
      service('a', {}),
      service('b', {}),
      {
        kind: 'Ingress',
        metadata: meta('in'),
        spec: {
          backend: { serviceName: 'a' },
          rules: [
            { http: { paths: [{ backend: { service: { name: 'b' } } }, 'junk', { backend: { service: { name: 'gone' } } }] } },
            { http: { paths: 'x' } },
          ],
        },
      },
      { kind: 'Ingress', metadata: meta('empty'), spec: { defaultBackend: { service: { name: 'gone' } } } },
    ]);
    expect(edgesOf(r, 'ROUTES_TO')).toEqual([
      'k8s:shop/ingress/in ROUTES_TO k8s:shop/service/a',
      'k8s:shop/ingress/in ROUTES_TO k8s:shop/service/b',
    ]);
    expect(ciOf(r, 'k8s:shop/ingress/in')!.redundancy).toEqual([{ relationship: 'ROUTES_TO', minAvailable: 1 }]);
    expect(ciOf(r, 'k8s:shop/ingress/empty')!.redundancy).toBeUndefined();
    expect(r.warnings.map((w) => [w.code, w.field, w.message])).toEqual([
      ['unknown_reference', 'spec.rules[0].http.paths[2].backend', 'Ingress "in" routes to Service "gone", which is not in the input'],
      ['unknown_reference', 'spec.defaultBackend', 'Ingress "empty" routes to Service "gone", which is not in the input'],
    ]);
  });

  it('makes an ExternalName Service depend on the Service its name resolves to, or report it', () => {
    const db = service('db', {});
    (db.metadata as Obj).namespace = 'data';
    const r = k8s([
      db,
      service('alias', { externalName: 'DB.data.svc.cluster.local' }),
      service('saas', { externalName: 'api.vendor.example' }),
    ]);
    expect(r.document.relationships.filter((x) => x.type === 'DEPENDS_ON')).toEqual([
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/service/alias',
        to: 'k8s:data/service/db',
        attributes: { via: 'externalName', address: 'DB.data.svc.cluster.local' },
      },
    ]);
    expect(ciOf(r, 'k8s:shop/service/alias')!.attributes).toMatchObject({ externalName: 'DB.data.svc.cluster.local' });
    expect(r.warnings).toEqual([
      {
        file: 'm.json',
        document: 'document 1, items[2]',
        field: 'spec.externalName',
        code: 'unknown_address',
        message: 'externalName: address "api.vendor.example" names nothing in the input',
      },
    ]);
  });
});

describe('kubernetes workloads and their configuration', () => {
  const db = service('db', {});
  const cache = service('cache', {});

  it('reads single env keys of a ConfigMap or Secret, whole ones by envFrom, and warns only about required ones missing', () => {
    const r = k8s([
      db,
      cache,
      { kind: 'ConfigMap', metadata: meta('cfg'), data: { DB_HOST: 'db', CACHE_HOST: 'cache' } },
      { kind: 'Secret', metadata: meta('sec'), data: { url: Buffer.from('redis://cache:6379').toString('base64') } },
      deployment('app', {
        containers: [
          {
            env: [
              { name: 'DB', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'DB_HOST' } } },
              { name: 'C', valueFrom: { secretKeyRef: { name: 'sec', key: 'url' } } },
              { name: 'X', valueFrom: { configMapKeyRef: { name: 'maybe', key: 'k', optional: true } } },
              { name: 'Y', valueFrom: { secretKeyRef: { name: 'must', key: 'k' } } },
              { name: 'Z', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            envFrom: [{ configMapRef: { name: 'opt', optional: true } }, { secretRef: { name: 'absent' } }],
          },
        ],
      }),
    ]);
    expect(r.document.relationships.filter((x) => x.type === 'DEPENDS_ON')).toEqual([
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/app',
        to: 'k8s:shop/configmap/cfg',
        attributes: { via: 'spec.template.spec.containers[0].env[0].valueFrom' },
      },
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/app',
        to: 'k8s:shop/service/db',
        attributes: { via: 'ConfigMap cfg key DB_HOST', address: 'db' },
      },
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/app',
        to: 'k8s:shop/secret/sec',
        attributes: { via: 'spec.template.spec.containers[0].env[1].valueFrom' },
      },
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/app',
        to: 'k8s:shop/service/cache',
        attributes: { via: 'Secret sec key url', address: 'redis://cache:6379' },
      },
    ]);
    expect(r.warnings.map((w) => [w.field, w.message])).toEqual([
      ['spec.template.spec.containers[0].env[3].valueFrom', 'Deployment "app" uses Secret "must", which is not in the input'],
      ['spec.template.spec.containers[0].envFrom[1]', 'Deployment "app" uses Secret "absent", which is not in the input'],
    ]);
  });

  it('reads every key of a ConfigMap or Secret named by envFrom, and command and args for addresses', () => {
    const r = k8s([
      db,
      cache,
      { kind: 'Secret', metadata: meta('sec'), stringData: { DB_HOST: 'db' } },
      { kind: 'ConfigMap', metadata: meta('cfg'), data: { CACHE_URL: 'cache' } },
      {
        kind: 'Job',
        metadata: meta('j'),
        spec: {
          template: {
            spec: {
              containers: [
                {
                  envFrom: [{ secretRef: { name: 'sec' } }, { configMapRef: { name: 'cfg' } }],
                  command: ['run', 'db:5432'],
                  args: ['--x', 7, 'cache:6379'],
                },
              ],
            },
          },
        },
      },
    ]);
    expect(edgesOf(r, 'DEPENDS_ON')).toEqual([
      'k8s:shop/job/j DEPENDS_ON k8s:shop/secret/sec',
      'k8s:shop/job/j DEPENDS_ON k8s:shop/service/db',
      'k8s:shop/job/j DEPENDS_ON k8s:shop/configmap/cfg',
      'k8s:shop/job/j DEPENDS_ON k8s:shop/service/cache',
    ]);
    expect(r.document.relationships.find((x) => x.to === 'k8s:shop/service/db')!.attributes).toEqual({
      via: 'Secret sec key DB_HOST',
      address: 'db',
    });
  });

  it('follows ConfigMap, Secret, claim and projected volumes, warning about missing required ones', () => {
    const r = k8s([
      { kind: 'ConfigMap', metadata: meta('cm') },
      { kind: 'Secret', metadata: meta('s') },
      { kind: 'PersistentVolumeClaim', metadata: meta('data') },
      { kind: 'ConfigMap', metadata: meta('pcm') },
      { kind: 'Secret', metadata: meta('ps') },
      {
        kind: 'Pod',
        metadata: meta('p'),
        spec: {
          volumes: [
            { configMap: { name: 'cm' } },
            { secret: { secretName: 's' } },
            { persistentVolumeClaim: { claimName: 'data' } },
            {
              projected: {
                sources: [{ configMap: { name: 'pcm' } }, { secret: { name: 'ps' } }, { secret: { name: 'gone', optional: true } }, 'junk'],
              },
            },
            { configMap: { name: 'nope', optional: true } },
            { secret: { secretName: 'nope2', optional: true } },
            { persistentVolumeClaim: { claimName: 'lost' } },
            { projected: { sources: [{ configMap: { name: 'gone2' } }] } },
            'junk',
          ],
        },
      },
    ]);
    expect(r.document.relationships.filter((x) => x.type === 'DEPENDS_ON').map((x) => [x.to, x.attributes!.via])).toEqual([
      ['k8s:shop/configmap/cm', 'spec.volumes[0]'],
      ['k8s:shop/secret/s', 'spec.volumes[1]'],
      ['k8s:shop/persistentvolumeclaim/data', 'spec.volumes[2]'],
      ['k8s:shop/configmap/pcm', 'spec.volumes[3]'],
      ['k8s:shop/secret/ps', 'spec.volumes[3]'],
    ]);
    expect(r.warnings.map((w) => [w.field, w.message])).toEqual([
      ['spec.volumes[6]', 'Pod "p" uses PersistentVolumeClaim "lost", which is not in the input'],
      ['spec.volumes[7]', 'Pod "p" uses ConfigMap "gone2", which is not in the input'],
    ]);
  });

  it('makes one ExternalEndpoint per outside host when asked, whichever workloads name it', () => {
    const env = (v: string) => ({ containers: [{ env: [{ name: 'API_URL', value: v }, { name: 'BARE' }] }] });
    const r = k8s([deployment('a', env('https://API.vendor.example/v1')), deployment('b', env('api.vendor.example:443'))], {
      externalEndpoints: true,
    });
    expect(r.document.cis.filter((c) => c.class === 'ExternalEndpoint')).toEqual([
      { id: 'ext:api.vendor.example', class: 'ExternalEndpoint', name: 'api.vendor.example', attributes: { host: 'api.vendor.example' } },
    ]);
    expect(r.document.relationships.filter((x) => x.type === 'DEPENDS_ON')).toEqual([
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/a',
        to: 'ext:api.vendor.example',
        attributes: { via: 'env API_URL', address: 'https://API.vendor.example/v1' },
      },
      {
        type: 'DEPENDS_ON',
        from: 'k8s:shop/deployment/b',
        to: 'ext:api.vendor.example',
        attributes: { via: 'env API_URL', address: 'api.vendor.example:443' },
      },
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('makes one ExternalEndpoint for an IPv6 host however it is spelt, and a valid import of it', () => {
    const env = (v: string) => ({ containers: [{ env: [{ name: 'UPSTREAM_URL', value: v }] }] });
    const r = k8s([deployment('a', env('http://[FD00::5]:8080/')), deployment('b', env('https://[fd00:0:0::5]/'))], {
      externalEndpoints: true,
    });
    expect(r.document.cis.filter((c) => c.class === 'ExternalEndpoint')).toEqual([
      { id: 'ext:fd00::5', class: 'ExternalEndpoint', name: 'fd00::5', attributes: { host: 'fd00::5' } },
    ]);
    expect(edgesOf(r, 'DEPENDS_ON')).toEqual([
      'k8s:shop/deployment/a DEPENDS_ON ext:fd00::5',
      'k8s:shop/deployment/b DEPENDS_ON ext:fd00::5',
    ]);
    const parsed = emptyImport();
    addImportDocument(parsed, 'k8s', r.document);
    expect(parsed.cis.map((c) => c.id)).toContain('ext:fd00::5');
  });
});

describe('kubernetes input', () => {
  it('reads YAML documents, JSON arrays and nested Lists, skipping empty documents', () => {
    const yaml =
      'kind: ConfigMap\nmetadata: { name: a }\n---\n---\nkind: ConfigMapList\nitems:\n  - kind: ConfigMap\n    metadata: { name: b }\n';
    const json = JSON.stringify([{ kind: 'ConfigMap', metadata: { name: 'c' } }, null]);
    const r = convertKubernetes([
      { path: 'a.yaml', text: yaml },
      { path: 'b.json', text: `  ${json}` },
    ]);
    expect(r.document.cis.map((c) => c.id)).toEqual([
      'k8s:default/configmap/a',
      'k8s:namespace/default',
      'k8s:default/configmap/b',
      'k8s:default/configmap/c',
    ]);
    expect(convertKubernetes([{ path: 'x.yaml', text: 'kind: PodList\nmetadata: { name: x }\n' }]).warnings[0]!.message).toBe(
      'PodList "x" is not imported (no class for it)',
    );
  });

  it('refuses malformed input, naming file, document and field', () => {
    const refused = (text: string, path = 'x.yaml') => {
      try {
        convertKubernetes([{ path, text }]);
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
      throw new Error('not refused');
    };
    expect(refused('{"kind":', 'x.json')).toMatch(/^convert kubernetes: x\.json, document 1: not valid JSON: /);
    expect(refused('a: [1\n')).toMatch(/^convert kubernetes: x\.yaml, document 1: not valid YAML: /);
    expect(refused('[1]', 'x.json')).toBe(
      'convert kubernetes: x.json, document 1, [0]: expected a Kubernetes object (a mapping with kind and metadata)',
    );
    expect(refused('kind: ""\n')).toBe('convert kubernetes: x.yaml, document 1, field "kind": missing: every object needs a kind');
    expect(refused('kind: List\nitems: {}\n')).toBe('convert kubernetes: x.yaml, document 1, field "items": a List needs an items array');
    expect(refused('kind: ConfigMap\n')).toBe(
      'convert kubernetes: x.yaml, document 1, field "metadata": missing: a ConfigMap needs metadata',
    );
    expect(refused('kind: ConfigMap\nmetadata: { name: " " }\n')).toBe(
      'convert kubernetes: x.yaml, document 1, field "metadata.name": missing: a ConfigMap needs a name',
    );
    expect(refused('kind: Secret\nmetadata: { name: s }\ndata: { k: 1 }\n')).toBe(
      'convert kubernetes: x.yaml, document 1, field "data.k": a Secret data value must be a base64 string',
    );
  });
});

describe('kubernetes details a reader relies on', () => {
  it('classes every workload kind, and reads every environment label it knows', () => {
    const kinds = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet'];
    const r = k8s(kinds.map((kind) => ({ kind, metadata: meta(kind.toLowerCase()) })));
    expect(r.document.cis.filter((c) => c.class === 'KubernetesWorkload').map((c) => c.attributes!.kind)).toEqual(kinds);
    const envs = {
      production: 'production',
      prod: 'production',
      PRD: 'production',
      staging: 'staging',
      stage: 'staging',
      stg: 'staging',
      test: 'test',
      testing: 'test',
      qa: 'test',
      development: 'development',
      dev: 'development',
    };
    const e = k8s(Object.keys(envs).map((env, i) => ({ kind: 'ConfigMap', metadata: meta(`c${i}`, { labels: { env } }) })));
    expect(e.document.cis.filter((c) => c.class === 'KubernetesConfigMap').map((c) => c.environment)).toEqual(Object.values(envs));
  });

  it('adds no attribute keys for what an object leaves out', () => {
    const r = k8s([
      { kind: 'Pod', metadata: meta('p'), spec: {} },
      { kind: 'Ingress', metadata: meta('i'), spec: {} },
      { kind: 'ConfigMap', metadata: meta('c'), type: 'odd', spec: { storageClassName: 'x' } },
      { kind: 'Secret', metadata: meta('s') },
      { kind: 'PersistentVolumeClaim', metadata: meta('v'), spec: { resources: { requests: {} } } },
      service('svc', { ports: [{ protocol: 'UDP' }] }),
    ]);
    expect(r.document.cis.filter((c) => c.class !== 'KubernetesNamespace').map((c) => Object.keys(c.attributes!))).toEqual([
      ['namespace'],
      ['namespace'],
      ['namespace', 'keys'],
      ['namespace', 'keys'],
      ['namespace'],
      ['namespace', 'ports'],
    ]);
    expect(ciOf(r, 'k8s:shop/service/svc')!.attributes!.ports).toEqual(['/UDP']);
  });

  it('keeps a declared namespace as declared when later objects live in it', () => {
    const r = k8s([
      { kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'owners' } } },
      { kind: 'ConfigMap', metadata: meta('a') },
    ]);
    expect(ciOf(r, 'k8s:namespace/shop')!.owner).toBe('owners');
  });

  it('reads the configuration of the first of two workloads with one name only', () => {
    const r = k8s([
      service('db', {}),
      deployment('app', {}),
      deployment('app', { containers: [{ env: [{ name: 'DB_HOST', value: 'db' }] }] }),
    ]);
    expect(edgesOf(r, 'DEPENDS_ON')).toEqual([]);
  });

  it('warns about every required reference that is missing, and about none that is optional', () => {
    const r = k8s([
      deployment('app', {
        containers: [
          {
            env: [
              { name: 'A', valueFrom: { configMapKeyRef: { name: 'cm1', key: 'k' } } },
              { name: 'B', valueFrom: { secretKeyRef: { name: 's1', key: 'k', optional: true } } },
              { value: 'nothing-here:80' },
            ],
            envFrom: [{ configMapRef: { name: 'cm2' } }, { secretRef: { name: 's2', optional: true } }],
          },
        ],
        volumes: [
          { configMap: { name: 'cm3' } },
          { secret: { secretName: 's3' } },
          { projected: { sources: [{ configMap: { name: 'cm4', optional: true } }, { secret: { name: 's4' } }] } },
        ],
      }),
    ]);
    const c = 'spec.template.spec.containers[0]';
    expect(r.warnings.map((w) => [w.field, w.code, w.message])).toEqual([
      [`${c}.env[0].valueFrom`, 'unknown_reference', 'Deployment "app" uses ConfigMap "cm1", which is not in the input'],
      [`${c}.env[2].value`, 'unknown_address', 'env : address "nothing-here:80" names nothing in the input'],
      [`${c}.envFrom[0]`, 'unknown_reference', 'Deployment "app" uses ConfigMap "cm2", which is not in the input'],
      ['spec.template.spec.volumes[0]', 'unknown_reference', 'Deployment "app" uses ConfigMap "cm3", which is not in the input'],
      ['spec.template.spec.volumes[1]', 'unknown_reference', 'Deployment "app" uses Secret "s3", which is not in the input'],
      ['spec.template.spec.volumes[2]', 'unknown_reference', 'Deployment "app" uses Secret "s4", which is not in the input'],
    ]);
  });

  it('locates warnings in the pod spec of a CronJob and of a bare Pod, and in config entries and arguments', () => {
    const r = k8s([
      { kind: 'ConfigMap', metadata: meta('cfg'), data: { API_URL: 'http://gone.example' } },
      {
        kind: 'CronJob',
        metadata: meta('cj'),
        spec: { jobTemplate: { spec: { template: { spec: { containers: [{ envFrom: [{ configMapRef: { name: 'cfg' } }] }] } } } } },
      },
      { kind: 'Pod', metadata: meta('p'), spec: { containers: [{ args: ['--upstream', 'far.example:81'] }] } },
    ]);
    expect(r.warnings).toEqual([
      {
        file: 'm.json',
        document: 'document 1, items[1]',
        field: 'spec.jobTemplate.spec.template.spec.containers[0].envFrom[0]',
        code: 'unknown_address',
        message: 'ConfigMap cfg key API_URL: address "http://gone.example" names nothing in the input',
      },
      {
        file: 'm.json',
        document: 'document 1, items[2]',
        field: 'spec.containers[0].args',
        code: 'unknown_address',
        message: 'args: address "far.example:81" names nothing in the input',
      },
    ]);
  });

  it('reads a CronJob or Ingress with parts missing without failing', () => {
    const r = k8s([
      { kind: 'CronJob', metadata: meta('a'), spec: {} },
      { kind: 'CronJob', metadata: meta('b'), spec: { jobTemplate: {} } },
      { kind: 'Ingress', metadata: meta('i'), spec: { rules: [{ http: { paths: [{ backend: { service: {} } }, { backend: {} }] } }] } },
      service('lonely', { selector: { app: 'x' } }),
    ]);
    expect(r.document.cis.filter((c) => c.class === 'KubernetesWorkload')).toHaveLength(2);
    expect(r.warnings.map((w) => w.message)).toEqual(['Service "lonely" selects no workload in the input']);
  });

  it('takes an object with an items field for a List only when its kind says so', () => {
    const r = k8s([{ kind: 'ConfigMap', metadata: meta('c'), items: [] }]);
    expect(r.document.cis.map((c) => c.id)).toEqual(['k8s:shop/configmap/c', 'k8s:namespace/shop']);
  });

  it('names the JSON error of a file that starts with blank space, and the first line of a YAML error', () => {
    expect(() => convertKubernetes([{ path: 'x.json', text: '\n  {"kind":' }])).toThrow(
      /^convert kubernetes: x\.json, document 1: not valid JSON: /,
    );
    expect(() => convertKubernetes([{ path: 'x.yaml', text: 'a: [1\n' }])).toThrow(/not valid YAML: \w+ \w+/);
  });
});
