/**
 * Backstage catalog → import document. Input: `catalog-info.yaml` files (multi-document), any
 * of the entity kinds below. Entity refs are read in their short and full forms
 * (`name`, `namespace/name`, `kind:name`, `kind:namespace/name`), case-insensitively, with the
 * field's default kind and the referring entity's namespace, as Backstage's `parseEntityRef` does.
 *
 * What becomes what:
 * - Component → `ApplicationService` (types service, website) or `Application` (others);
 *   API → `Api`; Resource → `Database` / `Cache` / `MessageQueue` by its type, else `Resource`;
 *   System → `BusinessService` and Domain → `BusinessDomain`, each with a redundancy rule
 *   `MEMBER_OF minAvailable 1`: a system is degraded while one of its parts is down and down only
 *   when all are; Group → `Team`.
 * - `dependsOn` → `DEPENDS_ON`. `providesApis`: the API `DEPENDS_ON` its provider;
 *   `consumesApis`: the consumer `DEPENDS_ON` the API — so a consumer depends on the component
 *   providing the API, with the API visible on the path.
 * - `system`, `domain`, `subcomponentOf`, `subdomainOf` → `MEMBER_OF` the group.
 * - `owner` → the CI's `owner` (the ref's name) and, when the Group is in the input,
 *   `MANAGED_BY` the `Team` (audit only).
 * - User: not a CI (people own CIs; they are not configuration) — reported as skipped.
 *   Location: not a CI; its file targets are read by the CLI (`locationTargets`), and a target
 *   missing from the input is reported.
 * A ref to an entity not in the input is reported, never an abort. Ids:
 * `backstage:KIND/NAMESPACE/NAME`, lower-case.
 */
import { parseAllDocuments } from 'yaml';
import { dirname, resolve } from 'node:path';
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

export interface BackstageOptions {
  onProgress?: Progress;
}

interface Entity {
  kind: string;
  namespace: string;
  name: string;
  metadata: Record<string, unknown>;
  spec: Record<string, unknown>;
  loc: Location;
}

const RESOURCE_CLASSES: Record<string, string> = {
  database: 'Database',
  db: 'Database',
  postgres: 'Database',
  postgresql: 'Database',
  mysql: 'Database',
  mongodb: 'Database',
  'rds-instance': 'Database',
  cache: 'Cache',
  redis: 'Cache',
  memcached: 'Cache',
  queue: 'MessageQueue',
  topic: 'MessageQueue',
  'kafka-topic': 'MessageQueue',
  'message-queue': 'MessageQueue',
  'sqs-queue': 'MessageQueue',
};

export function entityId(kind: string, namespace: string, name: string): string {
  return `backstage:${idPart(kind.toLowerCase())}/${idPart(namespace.toLowerCase())}/${idPart(name.toLowerCase())}`;
}

/** `[kind:][namespace/]name` with defaults. */
export function parseEntityRef(
  ref: string,
  defaultKind: string,
  defaultNamespace: string,
): { kind: string; namespace: string; name: string } {
  let rest = ref.trim();
  let kind = defaultKind;
  const colon = rest.indexOf(':');
  if (colon > 0) {
    kind = rest.slice(0, colon);
    rest = rest.slice(colon + 1);
  }
  let namespace = defaultNamespace;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    namespace = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
  }
  return { kind: kind.toLowerCase(), namespace: namespace.toLowerCase(), name: rest.toLowerCase() };
}

/** Every entity of the input, with where it was found. */
function readEntities(files: readonly InputFile[], warnings: ConversionWarning[]): Entity[] {
  const out: Entity[] = [];
  for (const file of files) {
    parseAllDocuments(file.text).forEach((doc, i) => {
      const loc: Location = { file: file.path, document: `document ${i + 1}` };
      if (!('errors' in doc)) return;
      if (doc.errors.length > 0) throw conversionError('backstage', loc, `not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) return;
      if (!isObject(value)) throw conversionError('backstage', loc, 'expected an entity (a mapping with apiVersion, kind, metadata)');
      const kind = str(value.kind);
      if (!kind) throw conversionError('backstage', { ...loc, field: 'kind' }, 'missing: every entity needs a kind');
      if (typeof value.apiVersion !== 'string' || !value.apiVersion.startsWith('backstage.io/')) {
        warnings.push({
          ...loc,
          code: 'skipped',
          message: `not a Backstage entity (apiVersion ${JSON.stringify(value.apiVersion ?? null)})`,
        });
        return;
      }
      if (!isObject(value.metadata)) throw conversionError('backstage', { ...loc, field: 'metadata' }, `missing: a ${kind} needs metadata`);
      const name = str(value.metadata.name);
      if (!name) throw conversionError('backstage', { ...loc, field: 'metadata.name' }, `missing: a ${kind} needs a name`);
      if (value.spec !== undefined && !isObject(value.spec))
        throw conversionError('backstage', { ...loc, field: 'spec' }, 'must be a mapping');
      out.push({
        kind: kind.toLowerCase(),
        namespace: (str(value.metadata.namespace) ?? 'default').toLowerCase(),
        name,
        metadata: value.metadata,
        spec: (value.spec as Record<string, unknown> | undefined) ?? {},
        loc,
      });
    });
  }
  return out;
}

/** Files a Location's targets name, resolved against the Location's own file (for the CLI to read). */
export function locationTargets(files: readonly InputFile[]): string[] {
  const out: string[] = [];
  for (const e of readEntities(files, [])) {
    if (e.kind !== 'location') continue;
    for (const t of targetsOf(e)) if (!/^[a-z]+:\/\//i.test(t)) out.push(resolve(dirname(e.loc.file), t));
  }
  return out;
}

function targetsOf(e: Entity): string[] {
  const list = [e.spec.target, ...(Array.isArray(e.spec.targets) ? e.spec.targets : [])];
  return list.filter((t): t is string => typeof t === 'string' && t.trim() !== '');
}

function classOf(e: Entity): string | undefined {
  const type = (str(e.spec.type) ?? '').toLowerCase();
  switch (e.kind) {
    case 'component':
      return type === 'service' || type === 'website' ? 'ApplicationService' : 'Application';
    case 'api':
      return 'Api';
    case 'resource':
      return RESOURCE_CLASSES[type] ?? 'Resource';
    case 'system':
      return 'BusinessService';
    case 'domain':
      return 'BusinessDomain';
    case 'group':
      return 'Team';
    default:
      return undefined;
  }
}

export function convertBackstage(files: readonly InputFile[], options: BackstageOptions = {}): Conversion {
  const warnings: ConversionWarning[] = [];
  const entities = readEntities(files, warnings);
  const cis = new Map<string, DocCI>();
  const rels = new RelationshipSet();
  const inputPaths = new Set(files.map((f) => resolve(f.path)));

  entities.forEach((e, i) => {
    options.onProgress?.(i + 1, entities.length);
    if (e.kind === 'location') {
      for (const t of targetsOf(e)) {
        if (/^[a-z]+:\/\//i.test(t))
          warnings.push({
            ...e.loc,
            field: 'spec.targets',
            code: 'skipped',
            message: `Location "${e.name}" target ${t} is remote: fetch it and pass the file`,
          });
        else if (!inputPaths.has(resolve(dirname(e.loc.file), t)))
          warnings.push({
            ...e.loc,
            field: 'spec.targets',
            code: 'unknown_reference',
            message: `Location "${e.name}" target ${t} is not in the input`,
          });
      }
      return;
    }
    const cls = classOf(e);
    if (!cls) {
      warnings.push({
        ...e.loc,
        code: 'skipped',
        message: `${e.kind} "${e.name}" is not imported${e.kind === 'user' ? ' (people own CIs; they are not configuration items)' : ' (no class for it)'}`,
      });
      return;
    }
    const id = entityId(e.kind, e.namespace, e.name);
    if (cis.has(id)) {
      warnings.push({ ...e.loc, code: 'duplicate', message: `${e.kind} "${e.namespace}/${e.name}" appears twice; the first one is kept` });
      return;
    }
    const attributes: Record<string, unknown> = {};
    if (str(e.spec.type)) attributes.type = e.spec.type;
    if (str(e.spec.lifecycle)) attributes.lifecycle = e.spec.lifecycle;
    if (str(e.metadata.description)) attributes.description = e.metadata.description;
    if (e.namespace !== 'default') attributes.namespace = e.namespace;
    if (cls === 'Database' || cls === 'Cache' || cls === 'MessageQueue') attributes.engine = String(e.spec.type);
    if (e.kind === 'group' && isObject(e.spec.profile) && str(e.spec.profile.email)) attributes.email = e.spec.profile.email;
    const ci: DocCI = { id, class: cls, name: str(e.metadata.title) ?? e.name, attributes };
    const tags = Array.isArray(e.metadata.tags)
      ? e.metadata.tags.map((t) => (typeof t === 'string' ? tagOf(t) : undefined)).filter((t): t is string => t !== undefined)
      : [];
    if (tags.length > 0) ci.tags = [...new Set(tags)];
    if (e.kind === 'system' || e.kind === 'domain') ci.redundancy = [{ relationship: 'MEMBER_OF', minAvailable: 1 }];
    const owner = str(e.spec.owner);
    if (owner) ci.owner = parseEntityRef(owner, 'group', e.namespace).name.slice(0, 200);
    cis.set(id, ci);
  });

  // Relationships once every entity is known, so a ref to a later entity resolves.
  for (const e of entities) {
    const id = entityId(e.kind, e.namespace, e.name);
    if (!cis.has(id)) continue;
    const refs = (field: string, defaultKind: string): { to: string; field: string }[] => {
      const value = e.spec[field];
      const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
      const out: { to: string; field: string }[] = [];
      list.forEach((ref, i) => {
        const f = Array.isArray(value) ? `spec.${field}[${i}]` : `spec.${field}`;
        if (typeof ref !== 'string' || ref.trim() === '')
          throw conversionError('backstage', { ...e.loc, field: f }, 'must be an entity ref such as "component:default/name"');
        const r = parseEntityRef(ref, defaultKind, e.namespace);
        const to = entityId(r.kind, r.namespace, r.name);
        if (cis.has(to)) out.push({ to, field: f });
        else
          warnings.push({
            ...e.loc,
            field: f,
            code: 'unknown_reference',
            message: `${e.kind} "${e.name}" refers to ${r.kind}:${r.namespace}/${r.name}, which is not in the input`,
          });
      });
      return out;
    };
    for (const r of refs('dependsOn', 'component')) rels.add('DEPENDS_ON', id, r.to);
    for (const r of refs('providesApis', 'api')) rels.add('DEPENDS_ON', r.to, id);
    for (const r of refs('consumesApis', 'api')) rels.add('DEPENDS_ON', id, r.to);
    // Users never got this far: they are not CIs.
    if (e.kind !== 'group') {
      for (const r of refs('system', 'system')) rels.add('MEMBER_OF', id, r.to);
      for (const r of refs('subcomponentOf', 'component')) rels.add('MEMBER_OF', id, r.to);
      if (e.kind === 'system') for (const r of refs('domain', 'domain')) rels.add('MEMBER_OF', id, r.to);
      if (e.kind === 'domain') for (const r of refs('subdomainOf', 'domain')) rels.add('MEMBER_OF', id, r.to);
      const owner = str(e.spec.owner);
      if (owner) {
        const r = parseEntityRef(owner, 'group', e.namespace);
        const to = entityId(r.kind, r.namespace, r.name);
        if (cis.has(to)) rels.add('MANAGED_BY', id, to);
      }
    }
  }
  return { document: { cis: [...cis.values()], relationships: rels.list }, warnings };
}
