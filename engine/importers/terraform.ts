/**
 * Terraform state (format version 4, `terraform show -json` is a different format) → import
 * document. One CI per instance of every managed resource, in the root module and in modules.
 *
 * - **Classes** come from a mapping of resource types (`terraform-types.json`, common AWS, Azure
 *   and Google types) that a mapping file extends or overrides; `"*"` is the class of unmapped
 *   types (default `CloudResource`), and unmapped types are reported once each.
 * - **Identification**: the resource's ARN (AWS), id (Azure: the resource id) or self link
 *   (Google) becomes `resourceId`, the root's cross-class key, so a VM found by Terraform and by
 *   ServiceNow discovery is one CI.
 * - **Dependencies**: an instance's `dependencies` (resource addresses, possibly in modules)
 *   become `DEPENDS_ON` every instance of that resource. Terraform records *configuration*
 *   dependencies: a VM that references a subnet depends on it, which is also the right direction
 *   for impact.
 * - **Load balancer wiring** is recorded in state by resources that join two others; they become
 *   relationships, not CIs: `aws_lb_target_group_attachment` → the target group `ROUTES_TO` the
 *   target; `aws_lb_listener` → the load balancer `ROUTES_TO` its target groups (with a 1-of-n
 *   redundancy rule on the router), so a database outage reaches the load balancer in front.
 * - **Data sources** are read, not managed: skipped (counted in one warning), and dependencies on
 *   them dropped.
 * Ids: `tf:LINEAGE8/ADDRESS` (first 8 characters of the state's lineage, so two workspaces'
 * states never collide; `[0]` / `["key"]` become `.0` / `.key`).
 */
import { readFileSync } from 'node:fs';
import {
  conversionError,
  idPart,
  isObject,
  RelationshipSet,
  str,
  type Conversion,
  type ConversionWarning,
  type DocCI,
  type InputFile,
  type Location,
  type Progress,
} from './types.ts';

export interface TerraformOptions {
  /** Resource type → class, over the defaults; `"*"` sets the class of unmapped types. */
  mapping?: Record<string, string>;
  onProgress?: Progress;
}

interface Instance {
  id: string;
  address: string;
  resourceAddress: string;
  type: string;
  module: string | undefined;
  attrs: Record<string, unknown>;
  dependencies: string[];
  loc: Location;
}

/** The default type → class mapping (read per call: no module-level state). */
export function defaultTerraformTypes(): Record<string, string> {
  return JSON.parse(readFileSync(new URL('./terraform-types.json', import.meta.url), 'utf8')) as Record<string, string>;
}

const JOIN_TYPES = new Set(['aws_lb_target_group_attachment', 'aws_lb_listener', 'aws_alb_listener', 'aws_alb_target_group_attachment']);

export function convertTerraform(files: readonly InputFile[], options: TerraformOptions = {}): Conversion {
  const mapping: Record<string, string> = { ...defaultTerraformTypes(), ...(options.mapping ?? {}) };
  const warnings: ConversionWarning[] = [];
  const cis = new Map<string, DocCI>();
  const rels = new RelationshipSet();
  const unmapped = new Map<string, number>();
  let dataSources = 0;

  for (const file of files) {
    let state: unknown;
    try {
      state = JSON.parse(file.text);
    } catch (err) {
      throw conversionError('terraform', { file: file.path }, `not valid JSON: ${(err as Error).message}`);
    }
    if (!isObject(state)) throw conversionError('terraform', { file: file.path }, 'expected a state object');
    if (state.version !== 4)
      throw conversionError(
        'terraform',
        { file: file.path, field: 'version' },
        `state format version ${JSON.stringify(state.version ?? null)} is not supported (expected 4: terraform ≥ 0.12)`,
      );
    if (!Array.isArray(state.resources))
      throw conversionError('terraform', { file: file.path, field: 'resources' }, 'missing: a state needs a resources array');
    const lineage = str(state.lineage);
    const prefix = `tf:${lineage ? `${idPart(lineage.slice(0, 8))}/` : ''}`;
    const byResource = new Map<string, Instance[]>();
    const joinResources = new Set<string>();
    const instances: Instance[] = [];
    const joins: Instance[] = [];

    state.resources.forEach((r, i) => {
      options.onProgress?.(i + 1, (state as { resources: unknown[] }).resources.length);
      const loc: Location = { file: file.path, document: `resources[${i}]` };
      if (!isObject(r)) throw conversionError('terraform', loc, 'expected a resource object');
      for (const f of ['mode', 'type', 'name'] as const) {
        if (!str(r[f])) throw conversionError('terraform', { ...loc, field: f }, `missing: every resource needs a ${f}`);
      }
      if (r.mode === 'data') {
        dataSources += 1;
        return;
      }
      if (r.mode !== 'managed')
        throw conversionError('terraform', { ...loc, field: 'mode' }, `must be "managed" or "data", not ${JSON.stringify(r.mode)}`);
      if (!Array.isArray(r.instances))
        throw conversionError('terraform', { ...loc, field: 'instances' }, 'missing: a resource needs an instances array');
      const module = str(r.module);
      const type = String(r.type);
      const resourceAddress = `${module ? `${module}.` : ''}${type}.${String(r.name)}`;
      const list: Instance[] = [];
      r.instances.forEach((inst, j) => {
        const iloc = { ...loc, document: `${loc.document}.instances[${j}]` };
        if (!isObject(inst)) throw conversionError('terraform', iloc, 'expected an instance object');
        if (inst.attributes !== undefined && !isObject(inst.attributes))
          throw conversionError('terraform', { ...iloc, field: 'attributes' }, 'must be an object');
        if (
          inst.dependencies !== undefined &&
          !(Array.isArray(inst.dependencies) && inst.dependencies.every((d) => typeof d === 'string'))
        ) {
          throw conversionError('terraform', { ...iloc, field: 'dependencies' }, 'must be an array of resource addresses');
        }
        const key = inst.index_key;
        // Terraform writes a number key bare and a string key quoted, which is what JSON does.
        const address = `${resourceAddress}${key === undefined ? '' : `[${JSON.stringify(key)}]`}`;
        const idAddress = `${resourceAddress}${key === undefined ? '' : `.${String(key)}`}`;
        const instance: Instance = {
          id: `${prefix}${idPart(idAddress)}`,
          address,
          resourceAddress,
          type,
          module,
          attrs: (inst.attributes as Record<string, unknown> | undefined) ?? {},
          dependencies: (inst.dependencies as string[] | undefined) ?? [],
          loc: iloc,
        };
        list.push(instance);
        (JOIN_TYPES.has(type) ? joins : instances).push(instance);
      });
      if (JOIN_TYPES.has(type)) joinResources.add(resourceAddress);
      else byResource.set(resourceAddress, list);
    });

    for (const inst of instances) {
      let cls = mapping[inst.type];
      if (!cls) {
        cls = mapping['*']!; // the default mapping has one, and a user mapping can only replace it
        unmapped.set(inst.type, (unmapped.get(inst.type) ?? 0) + 1);
      }
      if (cis.has(inst.id)) {
        warnings.push({ ...inst.loc, code: 'duplicate', message: `${inst.address} appears twice; the first one is kept` });
        continue;
      }
      cis.set(inst.id, {
        id: inst.id,
        class: cls,
        name: nameOf(inst),
        attributes: attributesOf(inst, cls),
        ...(inst.module ? { tags: [idPart(inst.module).slice(0, 100)] } : {}),
      });
    }
    for (const inst of instances) {
      inst.dependencies.forEach((dep, k) => {
        if (/^(module\.[^.[]+(\[[^\]]*\])?\.)*data\./.test(dep)) return; // a module may be called "data"
        const resource = dep.replace(/\[[^\]]*\]$/, '');
        const targets = byResource.get(resource);
        if (!targets) {
          // A join is not a CI but the ROUTES_TO edges it makes: depending on one (an ECS service's
          // `depends_on` a listener, for ordering) names nothing to depend on, and nothing missing.
          if (joinResources.has(resource)) return;
          warnings.push({
            ...inst.loc,
            field: `dependencies[${k}]`,
            code: 'unknown_reference',
            message: `${inst.address} depends on ${dep}, which is not in the state`,
          });
          return;
        }
        for (const t of targets) rels.add('DEPENDS_ON', inst.id, t.id);
      });
    }

    // Join resources: match the ARNs / ids they hold against the instances.
    const byCloudId = new Map<string, string>();
    for (const inst of instances)
      for (const v of [inst.attrs.arn, inst.attrs.id]) if (typeof v === 'string' && v !== '') byCloudId.set(v, inst.id);
    // Only non-empty strings are keys, so a number or an empty string finds nothing.
    const route = (from: unknown, to: unknown, inst: Instance) => {
      const a = byCloudId.get(from as string);
      const b = byCloudId.get(to as string);
      if (!a || !b) {
        warnings.push({
          ...inst.loc,
          code: 'unknown_reference',
          message: `${inst.address} joins ${String(from)} and ${String(to)}, not both in the state`,
        });
        return;
      }
      rels.add('ROUTES_TO', a, b);
      const router = cis.get(a)!;
      router.redundancy = [{ relationship: 'ROUTES_TO', minAvailable: 1 }];
    };
    for (const inst of joins) {
      if (inst.type.endsWith('_attachment')) route(inst.attrs.target_group_arn, inst.attrs.target_id, inst);
      else if (Array.isArray(inst.attrs.default_action)) {
        for (const a of inst.attrs.default_action)
          if (isObject(a) && str(a.target_group_arn)) route(inst.attrs.load_balancer_arn, a.target_group_arn, inst);
      }
    }
  }

  if (dataSources > 0)
    warnings.push({
      file: files.map((f) => f.path).join(', '),
      code: 'skipped',
      message: `${dataSources} data source(s) skipped: Terraform reads them, it does not manage them`,
    });
  for (const [type, count] of unmapped)
    warnings.push({
      file: files.map((f) => f.path).join(', '),
      code: 'unmapped_type',
      message: `resource type ${type} (${count}) has no class in the mapping: imported as ${mapping['*']!}`,
    });
  return { document: { cis: [...cis.values()], relationships: rels.list }, warnings };
}

function tagsOf(attrs: Record<string, unknown>): Record<string, unknown> {
  return isObject(attrs.tags) ? attrs.tags : isObject(attrs.labels) ? attrs.labels : {};
}

function nameOf(inst: Instance): string {
  const a = inst.attrs;
  return (
    str(tagsOf(a).Name) ??
    str(a.name) ??
    str(a.identifier) ??
    str(a.cluster_id) ??
    str(a.replication_group_id) ??
    str(a.bucket) ??
    inst.address
  ).slice(0, 500);
}

function providerOf(type: string): string {
  return type.split('_')[0]!;
}

/** Only fields with the registry's declared types; the raw state is not copied (it holds secrets). */
function attributesOf(inst: Instance, cls: string): Record<string, unknown> {
  const a = inst.attrs;
  const out: Record<string, unknown> = { terraformAddress: inst.address, terraformType: inst.type, cloudProvider: providerOf(inst.type) };
  if (inst.module) out.terraformModule = inst.module;
  const resourceId = str(a.arn) ?? str(a.self_link) ?? str(a.id);
  if (resourceId) out.resourceId = resourceId;
  const region = str(a.region) ?? str(a.location) ?? str(a.zone) ?? (str(a.arn)?.split(':')[3] || undefined) ?? str(a.availability_zone);
  if (region) out.region = region;
  const num = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
  switch (cls) {
    case 'VirtualMachine': {
      const host = str(a.private_dns) ?? str(a.computer_name) ?? str(a.hostname) ?? str(a.name);
      if (host) out.hostname = host;
      const ip = str(a.private_ip) ?? str(a.private_ip_address);
      if (ip) out.ip = ip;
      break;
    }
    case 'Database':
    case 'Cache':
    case 'MessageQueue': {
      const engine = str(a.engine) ?? str(a.database_version) ?? inst.type;
      out.engine = engine;
      const version = str(a.engine_version) ?? str(a.redis_version) ?? str(a.version);
      if (version) out.version = version;
      if (cls === 'Database' && num(a.port) !== undefined) out.port = num(a.port);
      break;
    }
    case 'NetworkSegment': {
      const cidr =
        str(a.cidr_block) ??
        str(a.ip_cidr_range) ??
        (Array.isArray(a.address_space) ? str(a.address_space[0]) : undefined) ??
        (Array.isArray(a.address_prefixes) ? str(a.address_prefixes[0]) : undefined);
      if (cidr) out.cidr = cidr;
      break;
    }
    case 'LoadBalancer': {
      const vip = str(a.dns_name) ?? str(a.ip_address);
      if (vip) out.vip = vip;
      break;
    }
    case 'KubernetesCluster': {
      const version = str(a.version) ?? str(a.kubernetes_version) ?? str(a.master_version);
      if (version) out.version = version;
      const endpoint = str(a.endpoint) ?? str(a.fqdn);
      if (endpoint) out.apiEndpoint = endpoint;
      break;
    }
    case 'Certificate':
      if (str(a.domain_name)) out.commonName = a.domain_name;
      break;
    case 'CloudResource':
      out.service = inst.type;
      break;
  }
  return out;
}
