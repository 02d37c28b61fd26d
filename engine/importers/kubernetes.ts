/**
 * Kubernetes → import document. Input: YAML manifests (multi-document files, Kustomize or Helm
 * output) and `kubectl get -o json` output (a `List` or `…List` with `items`), any mix.
 *
 * What becomes what (classes and types from the registry):
 * - Namespace → `KubernetesNamespace` (also made for a namespace only referenced); every
 *   namespaced CI is `LOCATED_IN` its namespace.
 * - Deployment, StatefulSet, DaemonSet, Job, CronJob → `KubernetesWorkload` (attribute `kind`);
 *   a bare Pod → `Pod`.
 * - Service → `KubernetesService`, `ROUTES_TO` every workload in its namespace whose pod template
 *   labels contain its selector, with a redundancy rule `ROUTES_TO minAvailable 1`: losing one of
 *   two selected Deployments degrades the Service, losing both takes it down.
 *   An `ExternalName` Service routes to what its name resolves to.
 * - Ingress → `KubernetesIngress`, `ROUTES_TO` the Services of its rules and default backend,
 *   same redundancy rule (one broken path degrades the entry point).
 * - ConfigMap, Secret, PersistentVolumeClaim → their classes; a workload that mounts or
 *   references one `DEPENDS_ON` it. Secret values are read for addresses, never stored.
 * - **Call dependencies from configuration**: an address (see addresses.ts) in an env value, a
 *   referenced ConfigMap or Secret entry, or a container argument that names a Service makes the
 *   workload `DEPENDS_ON` that Service. An address that names nothing in the input is a warning,
 *   or with `externalEndpoints` an `ExternalEndpoint` CI the workload depends on. Never an abort.
 * Ids: `k8s:[CLUSTER:]NAMESPACE/KIND/NAME` (`k8s:[CLUSTER:]namespace/NAME` for namespaces), so the
 * same manifest imported twice gives the same ids. `metadata.uid` (live clusters) becomes
 * `kubernetesUid`, the strongest identification key.
 */
import { parseAllDocuments } from 'yaml';
import { addressesIn, serviceOf, type Address } from './addresses.ts';
import {
  conversionError,
  idPart,
  isObject,
  RelationshipSet,
  str,
  tagOf,
  type Conversion,
  type ConversionWarning,
  type DocCI,
  type InputFile,
  type Location,
  type Progress,
} from './types.ts';

export interface KubernetesOptions {
  /** Cluster name: recorded on every CI and part of every id, so two clusters never collide. */
  cluster?: string;
  /** Namespace of objects that name none (kubectl's default: `default`). */
  defaultNamespace?: string;
  /** Make an `ExternalEndpoint` CI for every address not in the input, instead of only reporting it. */
  externalEndpoints?: boolean;
  onProgress?: Progress;
}

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod']);
const CONFIG_KINDS: Record<string, string> = {
  ConfigMap: 'KubernetesConfigMap',
  Secret: 'KubernetesSecret',
  PersistentVolumeClaim: 'KubernetesVolumeClaim',
};
const ENVIRONMENTS: Record<string, DocCI['environment']> = {
  production: 'production',
  prod: 'production',
  prd: 'production',
  staging: 'staging',
  stage: 'staging',
  stg: 'staging',
  test: 'test',
  testing: 'test',
  qa: 'test',
  development: 'development',
  dev: 'development',
};

interface K8sObject {
  obj: Record<string, unknown>;
  kind: string;
  name: string;
  namespace: string;
  loc: Location;
  /** Field path of the pod spec, for error and warning locations. */
  podPath: string;
}

/** Config entries a workload may read: ConfigMap data, Secret stringData/data (decoded). */
type Entries = Map<string, string>;

export function convertKubernetes(files: readonly InputFile[], options: KubernetesOptions = {}): Conversion {
  const defaultNamespace = options.defaultNamespace ?? 'default';
  const prefix = `k8s:${options.cluster ? `${idPart(options.cluster)}:` : ''}`;
  const warnings: ConversionWarning[] = [];
  const objects = readObjects(files, defaultNamespace);
  const cis = new Map<string, DocCI>();
  const rels = new RelationshipSet();
  const idOf = (kind: string, namespace: string, name: string) => `${prefix}${idPart(namespace)}/${kind.toLowerCase()}/${idPart(name)}`;
  const namespaceId = (ns: string) => `${prefix}namespace/${idPart(ns)}`;
  const base = (o: K8sObject): Record<string, unknown> => {
    const a: Record<string, unknown> = { namespace: o.namespace };
    if (options.cluster) a.cluster = options.cluster;
    const uid = str((o.obj.metadata as Record<string, unknown>).uid);
    if (uid) a.kubernetesUid = uid;
    return a;
  };
  const addCI = (ci: DocCI, loc: Location) => {
    if (cis.has(ci.id)) {
      warnings.push({ ...loc, code: 'duplicate', message: `${ci.id} appears twice; the first one is kept` });
      return false;
    }
    cis.set(ci.id, ci);
    return true;
  };
  const ensureNamespace = (ns: string, o?: K8sObject) => {
    const id = namespaceId(ns);
    if (cis.has(id)) return id;
    const attributes: Record<string, unknown> = {};
    if (options.cluster) attributes.cluster = options.cluster;
    const uid = o ? str((o.obj.metadata as Record<string, unknown>).uid) : undefined;
    if (uid) attributes.kubernetesUid = uid;
    cis.set(id, { id, class: 'KubernetesNamespace', name: ns, attributes, ...(o ? common(o.obj) : {}) });
    return id;
  };

  // Pass 1: CIs, and what later passes look up (services by name, pod labels, config entries).
  const services = new Map<string, string>();
  const workloads: { o: K8sObject; id: string; labels: Record<string, string>; pod: Record<string, unknown> }[] = [];
  const configs = new Map<string, { id: string; entries: Entries }>();
  const serviceObjects: { o: K8sObject; id: string }[] = [];
  const ingresses: { o: K8sObject; id: string }[] = [];
  const total = objects.length;
  objects.forEach((o, i) => {
    options.onProgress?.(i + 1, total);
    const { obj, kind, name, namespace, loc } = o;
    if (kind === 'Namespace') {
      if (cis.has(namespaceId(name))) cis.delete(namespaceId(name));
      ensureNamespace(name, o);
      return;
    }
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (WORKLOAD_KINDS.has(kind)) {
      const pod = podSpecOf(kind, obj);
      const id = idOf(kind, namespace, name);
      const attributes = base(o);
      const images = containersOf(pod)
        .map((c) => str(c.c.image))
        .filter((x): x is string => x !== undefined);
      if (kind === 'Pod') {
        if (images[0]) attributes.image = images[0];
      } else {
        attributes.kind = kind;
        if (typeof spec.replicas === 'number') attributes.replicas = spec.replicas;
        if (images.length > 0) attributes.images = images;
      }
      if (!addCI({ id, class: kind === 'Pod' ? 'Pod' : 'KubernetesWorkload', name, attributes, ...common(obj) }, loc)) return;
      workloads.push({ o, id, labels: podLabelsOf(kind, obj), pod });
    } else if (kind === 'Service') {
      const id = idOf(kind, namespace, name);
      const attributes = base(o);
      if (str(spec.type)) attributes.type = spec.type;
      if (Array.isArray(spec.ports))
        attributes.ports = spec.ports.filter(isObject).map((p) => `${String(p.port ?? '')}/${String(p.protocol ?? 'TCP')}`);
      if (str(spec.externalName)) attributes.externalName = spec.externalName;
      if (!addCI({ id, class: 'KubernetesService', name, attributes, ...common(obj) }, loc)) return;
      services.set(`${namespace}/${name}`, id);
      serviceObjects.push({ o, id });
    } else if (kind === 'Ingress') {
      const id = idOf(kind, namespace, name);
      const attributes = base(o);
      const hosts = Array.isArray(spec.rules)
        ? spec.rules
            .filter(isObject)
            .map((r) => str(r.host))
            .filter((h): h is string => h !== undefined)
        : [];
      if (hosts.length > 0) attributes.hosts = hosts;
      if (str(spec.ingressClassName)) attributes.ingressClass = spec.ingressClassName;
      if (!addCI({ id, class: 'KubernetesIngress', name, attributes, ...common(obj) }, loc)) return;
      ingresses.push({ o, id });
    } else if (CONFIG_KINDS[kind]) {
      const id = idOf(kind, namespace, name);
      const attributes = base(o);
      const entries = entriesOf(kind, obj, loc);
      if (kind !== 'PersistentVolumeClaim') attributes.keys = [...entries.keys()].sort();
      if (kind === 'Secret' && str(obj.type)) attributes.type = obj.type;
      if (kind === 'PersistentVolumeClaim') {
        if (str(spec.storageClassName)) attributes.storageClass = spec.storageClassName;
        const size = isObject(spec.resources) && isObject(spec.resources.requests) ? str(spec.resources.requests.storage) : undefined;
        if (size) attributes.size = size;
      }
      if (!addCI({ id, class: CONFIG_KINDS[kind]!, name, attributes, ...common(obj) }, loc)) return;
      configs.set(`${kind}/${namespace}/${name}`, { id, entries });
    } else {
      skipped(warnings, o);
      return;
    }
    rels.add('LOCATED_IN', idOf(kind, namespace, name), ensureNamespace(namespace));
  });

  const externals = new Map<string, string>();
  const unknownAddress = (from: string, address: Address, loc: Location, via: string) => {
    if (!options.externalEndpoints) {
      warnings.push({ ...loc, code: 'unknown_address', message: `${via}: address "${address.text}" names nothing in the input` });
      return;
    }
    let id = externals.get(address.host);
    if (!id) {
      id = `ext:${idPart(address.host)}`;
      externals.set(address.host, id);
      if (!cis.has(id)) cis.set(id, { id, class: 'ExternalEndpoint', name: address.host, attributes: { host: address.host } });
    }
    rels.add('DEPENDS_ON', from, id, { via, address: address.text });
  };
  const resolveAddress = (from: string, namespace: string, address: Address, loc: Location, via: string) => {
    const svc = serviceOf(address.host, namespace);
    const target = svc ? services.get(`${svc.namespace}/${svc.name}`) : undefined;
    if (target) rels.add('DEPENDS_ON', from, target, { via, address: address.text });
    else unknownAddress(from, address, loc, via);
  };

  // Pass 2: Services → workloads (a selector only picks pods in its own namespace).
  const workloadsByNamespace = new Map<string, typeof workloads>();
  for (const w of workloads) {
    const list = workloadsByNamespace.get(w.o.namespace);
    if (list) list.push(w);
    else workloadsByNamespace.set(w.o.namespace, [w]);
  }
  for (const { o, id } of serviceObjects) {
    const spec = isObject(o.obj.spec) ? o.obj.spec : {};
    if (str(spec.externalName)) {
      resolveAddress(
        id,
        o.namespace,
        { text: String(spec.externalName), host: String(spec.externalName).toLowerCase() },
        { ...o.loc, field: 'spec.externalName' },
        'externalName',
      );
      continue;
    }
    const selector = isObject(spec.selector) ? (spec.selector as Record<string, unknown>) : undefined;
    if (!selector || Object.keys(selector).length === 0) continue;
    const wanted = Object.entries(selector).map(([k, v]) => [k, String(v)] as const);
    const targets = (workloadsByNamespace.get(o.namespace) ?? []).filter((w) => wanted.every(([k, v]) => w.labels[k] === v));
    if (targets.length === 0) {
      warnings.push({
        ...o.loc,
        field: 'spec.selector',
        code: 'unknown_reference',
        message: `Service "${o.name}" selects no workload in the input`,
      });
      continue;
    }
    for (const t of targets) rels.add('ROUTES_TO', id, t.id);
    cis.get(id)!.redundancy = [{ relationship: 'ROUTES_TO', minAvailable: 1 }];
  }

  // Pass 3: Ingresses → Services.
  for (const { o, id } of ingresses) {
    let routed = 0;
    for (const { name, field } of ingressBackends(o.obj)) {
      const target = services.get(`${o.namespace}/${name}`);
      if (target) {
        rels.add('ROUTES_TO', id, target);
        routed += 1;
      } else
        warnings.push({
          ...o.loc,
          field,
          code: 'unknown_reference',
          message: `Ingress "${o.name}" routes to Service "${name}", which is not in the input`,
        });
    }
    if (routed > 0) cis.get(id)!.redundancy = [{ relationship: 'ROUTES_TO', minAvailable: 1 }];
  }

  // Pass 4: workloads → config objects and the Services their configuration names.
  for (const w of workloads) {
    const { o, id, pod } = w;
    const ns = o.namespace;
    const useConfig = (
      kind: 'ConfigMap' | 'Secret' | 'PersistentVolumeClaim',
      name: string,
      field: string,
      optional: boolean,
      keys?: string[],
    ) => {
      const cfg = configs.get(`${kind}/${ns}/${name}`);
      if (!cfg) {
        if (!optional)
          warnings.push({
            ...o.loc,
            field,
            code: 'unknown_reference',
            message: `${o.kind} "${o.name}" uses ${kind} "${name}", which is not in the input`,
          });
        return;
      }
      rels.add('DEPENDS_ON', id, cfg.id, { via: field });
      for (const [key, value] of cfg.entries) {
        if (keys && !keys.includes(key)) continue;
        for (const a of addressesIn(key, value)) resolveAddress(id, ns, a, { ...o.loc, field }, `${kind} ${name} key ${key}`);
      }
    };
    for (const { c, path } of containersOf(pod)) {
      const cField = `${o.podPath}.${path}`;
      const env = Array.isArray(c.env) ? c.env.filter(isObject) : [];
      env.forEach((e, i) => {
        const field = `${cField}.env[${i}]`;
        const name = str(e.name) ?? '';
        if (typeof e.value === 'string') {
          for (const a of addressesIn(name, e.value)) resolveAddress(id, ns, a, { ...o.loc, field: `${field}.value` }, `env ${name}`);
        } else if (isObject(e.valueFrom)) {
          const cm = e.valueFrom.configMapKeyRef;
          const sec = e.valueFrom.secretKeyRef;
          if (isObject(cm) && str(cm.name))
            useConfig('ConfigMap', String(cm.name), `${field}.valueFrom`, cm.optional === true, [String(cm.key)]);
          if (isObject(sec) && str(sec.name))
            useConfig('Secret', String(sec.name), `${field}.valueFrom`, sec.optional === true, [String(sec.key)]);
        }
      });
      const envFrom = Array.isArray(c.envFrom) ? c.envFrom.filter(isObject) : [];
      envFrom.forEach((e, i) => {
        const field = `${cField}.envFrom[${i}]`;
        if (isObject(e.configMapRef) && str(e.configMapRef.name))
          useConfig('ConfigMap', String(e.configMapRef.name), field, e.configMapRef.optional === true);
        if (isObject(e.secretRef) && str(e.secretRef.name))
          useConfig('Secret', String(e.secretRef.name), field, e.secretRef.optional === true);
      });
      const args = [...(Array.isArray(c.command) ? c.command : []), ...(Array.isArray(c.args) ? c.args : [])].filter(
        (x): x is string => typeof x === 'string',
      );
      for (const arg of args) {
        for (const a of addressesIn('', arg)) resolveAddress(id, ns, a, { ...o.loc, field: `${cField}.args` }, 'args');
      }
    }
    // Mounted files after env: a dependency found in both is named by its env variable.
    const volumes = Array.isArray(pod.volumes) ? pod.volumes.filter(isObject) : [];
    volumes.forEach((v, i) => {
      const field = `${o.podPath}.volumes[${i}]`;
      if (isObject(v.configMap) && str(v.configMap.name))
        useConfig('ConfigMap', String(v.configMap.name), field, v.configMap.optional === true);
      if (isObject(v.secret) && str(v.secret.secretName))
        useConfig('Secret', String(v.secret.secretName), field, v.secret.optional === true);
      if (isObject(v.persistentVolumeClaim) && str(v.persistentVolumeClaim.claimName))
        useConfig('PersistentVolumeClaim', String(v.persistentVolumeClaim.claimName), field, false);
      if (isObject(v.projected) && Array.isArray(v.projected.sources)) {
        for (const s of v.projected.sources.filter(isObject)) {
          if (isObject(s.configMap) && str(s.configMap.name))
            useConfig('ConfigMap', String(s.configMap.name), field, s.configMap.optional === true);
          if (isObject(s.secret) && str(s.secret.name)) useConfig('Secret', String(s.secret.name), field, s.secret.optional === true);
        }
      }
    });
  }

  return { document: { cis: [...cis.values()], relationships: rels.list }, warnings };
}

function common(obj: Record<string, unknown>): Partial<DocCI> {
  const meta = obj.metadata as Record<string, unknown>;
  const labels = isObject(meta.labels) ? meta.labels : {};
  const annotations = isObject(meta.annotations) ? meta.annotations : {};
  const out: Partial<DocCI> = {};
  const owner = str(labels.team) ?? str(labels.owner) ?? str(annotations.owner) ?? str(annotations.team);
  if (owner) out.owner = owner.slice(0, 200);
  const env = str(labels.environment) ?? str(labels.env);
  if (env && ENVIRONMENTS[env.toLowerCase()]) out.environment = ENVIRONMENTS[env.toLowerCase()];
  const partOf = str(labels['app.kubernetes.io/part-of']);
  const tag = partOf ? tagOf(partOf) : undefined;
  if (tag) out.tags = [tag];
  return out;
}

function skipped(warnings: ConversionWarning[], o: K8sObject): void {
  warnings.push({ ...o.loc, code: 'skipped', message: `${o.kind} "${o.name}" is not imported (no class for it)` });
}

/** Parses every file into objects, flattening Lists; an unreadable document is an error naming it. */
function readObjects(files: readonly InputFile[], defaultNamespace: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const file of files) {
    const trimmed = file.text.trimStart();
    const docs: { value: unknown; label: string }[] = [];
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      try {
        docs.push({ value: JSON.parse(file.text), label: 'document 1' });
      } catch (err) {
        throw conversionError('kubernetes', { file: file.path, document: 'document 1' }, `not valid JSON: ${(err as Error).message}`);
      }
    } else {
      parseAllDocuments(file.text).forEach((doc, i) => {
        const label = `document ${i + 1}`;
        if (!('errors' in doc)) return;
        if (doc.errors.length > 0)
          throw conversionError(
            'kubernetes',
            { file: file.path, document: label },
            `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`,
          );
        docs.push({ value: doc.toJS(), label });
      });
    }
    for (const { value, label } of docs) collect(value, { file: file.path, document: label }, out, defaultNamespace);
  }
  return out;
}

function collect(value: unknown, loc: Location, out: K8sObject[], defaultNamespace: string): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => collect(v, { ...loc, document: `${loc.document}, [${i}]` }, out, defaultNamespace));
    return;
  }
  if (!isObject(value)) throw conversionError('kubernetes', loc, 'expected a Kubernetes object (a mapping with kind and metadata)');
  const kind = value.kind;
  if (typeof kind !== 'string' || kind === '')
    throw conversionError('kubernetes', { ...loc, field: 'kind' }, 'missing: every object needs a kind');
  if (kind === 'List' || (kind.endsWith('List') && Array.isArray(value.items))) {
    if (!Array.isArray(value.items)) throw conversionError('kubernetes', { ...loc, field: 'items' }, `a ${kind} needs an items array`);
    value.items.forEach((item, i) => collect(item, { ...loc, document: `${loc.document}, items[${i}]` }, out, defaultNamespace));
    return;
  }
  const meta = value.metadata;
  if (!isObject(meta)) throw conversionError('kubernetes', { ...loc, field: 'metadata' }, `missing: a ${kind} needs metadata`);
  const name = str(meta.name);
  if (!name) throw conversionError('kubernetes', { ...loc, field: 'metadata.name' }, `missing: a ${kind} needs a name`);
  const namespace = str(meta.namespace) ?? defaultNamespace;
  const podPath = kind === 'CronJob' ? 'spec.jobTemplate.spec.template.spec' : kind === 'Pod' ? 'spec' : 'spec.template.spec';
  out.push({ obj: value, kind, name, namespace, loc, podPath });
}

function templateOf(kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'Pod') return obj;
  const spec = isObject(obj.spec) ? obj.spec : {};
  if (kind === 'CronJob') {
    const jobSpec = isObject(spec.jobTemplate) && isObject(spec.jobTemplate.spec) ? spec.jobTemplate.spec : {};
    return isObject(jobSpec.template) ? jobSpec.template : {};
  }
  return isObject(spec.template) ? spec.template : {};
}

function podSpecOf(kind: string, obj: Record<string, unknown>): Record<string, unknown> {
  const t = templateOf(kind, obj);
  return isObject(t.spec) ? t.spec : {};
}

function podLabelsOf(kind: string, obj: Record<string, unknown>): Record<string, string> {
  const t = templateOf(kind, obj);
  const labels = isObject(t.metadata) && isObject(t.metadata.labels) ? t.metadata.labels : {};
  return Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]));
}

function containersOf(pod: Record<string, unknown>): { c: Record<string, unknown>; path: string }[] {
  const out: { c: Record<string, unknown>; path: string }[] = [];
  for (const key of ['initContainers', 'containers']) {
    const list = pod[key];
    if (Array.isArray(list)) list.forEach((c, i) => isObject(c) && out.push({ c, path: `${key}[${i}]` }));
  }
  return out;
}

function entriesOf(kind: string, obj: Record<string, unknown>, loc: Location): Entries {
  const entries: Entries = new Map();
  if (kind === 'ConfigMap' && isObject(obj.data)) for (const [k, v] of Object.entries(obj.data)) entries.set(k, String(v));
  if (kind === 'Secret') {
    if (isObject(obj.data)) {
      for (const [k, v] of Object.entries(obj.data)) {
        if (typeof v !== 'string')
          throw conversionError('kubernetes', { ...loc, field: `data.${k}` }, 'a Secret data value must be a base64 string');
        entries.set(k, Buffer.from(v, 'base64').toString('utf8'));
      }
    }
    if (isObject(obj.stringData)) for (const [k, v] of Object.entries(obj.stringData)) entries.set(k, String(v));
  }
  return entries;
}

function ingressBackends(obj: Record<string, unknown>): { name: string; field: string }[] {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const out: { name: string; field: string }[] = [];
  const backend = (b: unknown, field: string) => {
    if (!isObject(b)) return;
    // networking.k8s.io/v1: backend.service.name; v1beta1: backend.serviceName
    const name = isObject(b.service) ? str(b.service.name) : str(b.serviceName);
    if (name) out.push({ name, field });
  };
  backend(spec.defaultBackend ?? spec.backend, 'spec.defaultBackend');
  if (Array.isArray(spec.rules)) {
    spec.rules.forEach((r, i) => {
      if (!isObject(r) || !isObject(r.http) || !Array.isArray(r.http.paths)) return;
      r.http.paths.forEach((p, j) => isObject(p) && backend(p.backend, `spec.rules[${i}].http.paths[${j}].backend`));
    });
  }
  return out;
}
