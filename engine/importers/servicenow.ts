/**
 * ServiceNow CMDB CSV exports → import document. Input: exports of `cmdb_ci*` tables (one file
 * per table, with field names as headers, as the list view's "Export → CSV" writes them) and of
 * `cmdb_rel_ci` (columns `parent`, `child`, `type`). A file is a relationship file when its header
 * has `parent`, `child` and `type`; otherwise a CI file, which needs `sys_id`.
 *
 * - **Ids and identification**: `snow:SYS_ID`; the sys_id is also kept as `servicenowSysId`, the
 *   root class's first identification key, and `sys_class_name` as `servicenowClass`.
 * - **Classes**: `sys_class_name` (or, without that column, the table named by the file) mapped by
 *   the table below — exact names first, then prefixes (`cmdb_ci_db_…` → Database); unmapped
 *   classes are imported as the abstract root `ConfigurationItem` and reported with their counts,
 *   so nothing is lost and a mapping file can name them (`u_` custom classes).
 * - **Fields**: name, install_status → status, environment / used_for → environment,
 *   busines_criticality (ServiceNow's spelling) → criticality, support_group / managed_by_group /
 *   owned_by → owner, and host_name, dns_domain, ip_address, serial_number, os, version, tcp_port,
 *   cpu_count, ram, short_description → attributes. Other columns are not imported.
 * - **Relationships**: each `type` (`Depends on::Used by`, `Runs on::Runs`, `Hosted on::Hosts`,
 *   `Members::Member of`, `Connects to::Connected by`, …) maps to a registry type and direction;
 *   `parent` / `child` may be sys_ids or display names (a display name must be unique in the
 *   input). An unknown type or end is reported, never an abort.
 */
import { parse } from 'csv-parse/sync';
import { basename } from 'node:path';
import {
  conversionError,
  idPart,
  RelationshipSet,
  type Conversion,
  type ConversionWarning,
  type DocCI,
  type InputFile,
  type Progress,
} from './types.ts';

export interface ServiceNowMapping {
  /** sys_class_name → class; overrides the defaults. */
  classes?: Record<string, string>;
  /** cmdb_rel_ci type (`Parent descriptor::Child descriptor`) → registry type; `reverse` when the child is the relationship's `from`. */
  relationships?: Record<string, { type: string; reverse?: boolean }>;
}

export interface ServiceNowOptions {
  mapping?: ServiceNowMapping;
  onProgress?: Progress;
}

// Classes the prefixes below already map (cmdb_ci_db_instance, cmdb_ci_service_auto,
// cmdb_ci_service_discovered, cmdb_ci_service_technical, cmdb_ci_lb_bigip, cmdb_ci_lb_service) are
// not repeated here: an entry that only agrees with its prefix is dead.
const CLASSES: Record<string, string> = {
  cmdb_ci_server: 'Server',
  cmdb_ci_linux_server: 'Server',
  cmdb_ci_win_server: 'Server',
  cmdb_ci_unix_server: 'Server',
  cmdb_ci_solaris_server: 'Server',
  cmdb_ci_aix_server: 'Server',
  cmdb_ci_esx_server: 'Hypervisor',
  cmdb_ci_hyper_v_server: 'Hypervisor',
  cmdb_ci_vm_instance: 'VirtualMachine',
  cmdb_ci_vmware_instance: 'VirtualMachine',
  cmdb_ci_vm_object: 'VirtualMachine',
  cmdb_ci_database: 'Database',
  cmdb_ci_service: 'BusinessService',
  cmdb_ci_service_business: 'BusinessService',
  cmdb_ci_query_based_service: 'ApplicationService',
  cmdb_ci_business_app: 'Application',
  cmdb_ci_appl: 'Application',
  cmdb_ci_app_server: 'Application',
  cmdb_ci_lb: 'LoadBalancer',
  cmdb_ci_ip_router: 'Router',
  cmdb_ci_ip_switch: 'Switch',
  cmdb_ci_ip_firewall: 'Firewall',
  cmdb_ci_firewall_device: 'Firewall',
  cmdb_ci_ip_network: 'NetworkSegment',
  cmdb_ci_network_adapter: 'NetworkInterface',
  cmdb_ci_storage_device: 'StorageArray',
  cmdb_ci_san: 'StorageArray',
  cmdb_ci_storage_server: 'StorageArray',
  cmdb_ci_rack: 'Rack',
  cmdb_ci_datacenter: 'DataCenter',
  cmdb_ci_pdu: 'PDU',
  cmdb_ci_cluster: 'Cluster',
  cmdb_ci_win_cluster: 'Cluster',
  cmdb_ci_kubernetes_cluster: 'KubernetesCluster',
  cmdb_ci_kubernetes_node: 'KubernetesNode',
  cmdb_ci_kubernetes_pod: 'Pod',
  cmdb_ci_certificate: 'Certificate',
  cmdb_ci_dns_name: 'DnsZone',
  cmdb_ci_cloud_service_account: 'CloudAccount',
};
const CLASS_PREFIXES: [string, string][] = [
  ['cmdb_ci_db_', 'Database'],
  ['cmdb_ci_appl_', 'Application'],
  ['cmdb_ci_app_server_', 'Application'],
  ['cmdb_ci_lb_', 'LoadBalancer'],
  ['cmdb_ci_service_', 'ApplicationService'],
];
const DB_ENGINES: Record<string, string> = {
  mssql: 'mssql',
  ora: 'oracle',
  oracle: 'oracle',
  mysql: 'mysql',
  postgresql: 'postgresql',
  postgres: 'postgresql',
  db2: 'db2',
  mongodb: 'mongodb',
  sybase: 'sybase',
};

const RELATIONSHIPS: Record<string, { type: string; reverse?: boolean }> = {
  'depends on::used by': { type: 'DEPENDS_ON' },
  'uses::used by': { type: 'DEPENDS_ON' },
  'runs on::runs': { type: 'RUNS_ON' },
  'hosted on::hosts': { type: 'HOSTED_ON' },
  'virtualized by::virtualizes': { type: 'HOSTED_ON' },
  'members::member of': { type: 'MEMBER_OF', reverse: true },
  'connects to::connected by': { type: 'CONNECTED_TO' },
  'located in::houses': { type: 'LOCATED_IN' },
  'contains::contained by': { type: 'LOCATED_IN', reverse: true },
  'powered by::powers': { type: 'POWERED_BY' },
  'backed up by::backs up': { type: 'BACKED_UP_BY' },
  'managed by::manages': { type: 'MANAGED_BY' },
};

const STATUS: Record<string, DocCI['status']> = {
  '1': 'in_service',
  installed: 'in_service',
  '2': 'planned',
  'on order': 'planned',
  '3': 'maintenance',
  'in maintenance': 'maintenance',
  '4': 'planned',
  'pending install': 'planned',
  '5': 'maintenance',
  'pending repair': 'maintenance',
  '6': 'planned',
  'in stock': 'planned',
  '7': 'retired',
  retired: 'retired',
  '8': 'retired',
  stolen: 'retired',
  '100': 'retired',
  absent: 'retired',
};
const ENVIRONMENTS: Record<string, DocCI['environment']> = {
  production: 'production',
  prod: 'production',
  staging: 'staging',
  stage: 'staging',
  test: 'test',
  qa: 'test',
  'quality assurance': 'test',
  uat: 'test',
  development: 'development',
  dev: 'development',
};

export function serviceNowClass(sysClass: string, mapping: ServiceNowMapping = {}): string | undefined {
  const c = sysClass.trim().toLowerCase();
  const mapped = mapping.classes?.[c] ?? mapping.classes?.[sysClass] ?? CLASSES[c];
  if (mapped) return mapped;
  return CLASS_PREFIXES.find(([prefix]) => c.startsWith(prefix))?.[1];
}

export function serviceNowRelationship(type: string, mapping: ServiceNowMapping = {}): { type: string; reverse?: boolean } | undefined {
  const t = type
    .trim()
    .toLowerCase()
    .replace(/\s*::\s*/, '::');
  return mapping.relationships?.[type.trim()] ?? mapping.relationships?.[t] ?? RELATIONSHIPS[t];
}

interface Row {
  rec: Record<string, string>;
  line: number;
}

function readCsv(file: InputFile): { columns: string[]; rows: Row[] } {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(file.text, {
      columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
      info: true,
    }) as typeof records;
  } catch (err) {
    const e = err as Error & { lines?: number };
    throw conversionError(
      'servicenow',
      { file: file.path, document: e.lines ? `line ${e.lines}` : undefined },
      `not valid CSV: ${e.message}`,
    );
  }
  // A header-only export has no record to take the columns from: read its first line (a CRLF's
  // `\r` goes with the trim).
  const columns = records[0]
    ? Object.keys(records[0].record)
    : file.text
        .split('\n', 1)[0]!
        .split(',')
        .map((c) => c.replace(/"/g, '').trim().toLowerCase());
  return { columns, rows: records.map((r) => ({ rec: r.record, line: r.info.lines })) };
}

export function convertServiceNow(files: readonly InputFile[], options: ServiceNowOptions = {}): Conversion {
  const mapping = options.mapping ?? {};
  const warnings: ConversionWarning[] = [];
  const cis = new Map<string, DocCI>();
  const bySysId = new Map<string, string>();
  const byName = new Map<string, string[]>();
  const unmapped = new Map<string, number>();
  const relFiles: { file: InputFile; rows: Row[] }[] = [];
  const parsed = files.map((file) => ({ file, ...readCsv(file) }));
  const total = parsed.reduce((n, p) => n + p.rows.length, 0);
  let done = 0;
  const tick = () => {
    done += 1;
    if (options.onProgress && (done % 1000 === 0 || done === total)) options.onProgress(done, total);
  };

  for (const { file, columns, rows } of parsed) {
    if (columns.includes('parent') && columns.includes('child') && columns.includes('type')) {
      relFiles.push({ file, rows });
      continue;
    }
    if (!columns.includes('sys_id'))
      throw conversionError(
        'servicenow',
        { file: file.path, document: 'header', field: 'sys_id' },
        'missing: a CI export needs a sys_id column (a cmdb_rel_ci export needs parent, child and type)',
      );
    // Lower-cased with sys_class_name below.
    const table = basename(file.path).replace(/\.csv$/i, '');
    for (const { rec, line } of rows) {
      tick();
      const loc = { file: file.path, document: `line ${line}` };
      // csv-parse gives every row every column of the header, and the header has sys_id.
      const sysId = rec.sys_id!.trim();
      if (sysId === '') throw conversionError('servicenow', { ...loc, field: 'sys_id' }, 'missing: every CI needs a sys_id');
      const sysClass = (rec.sys_class_name?.trim() || table).toLowerCase();
      let cls = serviceNowClass(sysClass, mapping);
      if (!cls) {
        cls = 'ConfigurationItem';
        unmapped.set(sysClass, (unmapped.get(sysClass) ?? 0) + 1);
      }
      const id = `snow:${idPart(sysId.toLowerCase())}`;
      if (cis.has(id)) {
        warnings.push({ ...loc, field: 'sys_id', code: 'duplicate', message: `sys_id ${sysId} appears twice; the first row is kept` });
        continue;
      }
      const name = rec.name?.trim() || sysId;
      const ci: DocCI = { id, class: cls, name: name.slice(0, 500), attributes: attributesOf(rec, sysId, sysClass, cls) };
      // Stryker disable next-line StringLiteral: equivalent: any default for an absent column names no status
      const status = STATUS[(rec.install_status ?? '').trim().toLowerCase()];
      if (status) ci.status = status;
      // Stryker disable next-line StringLiteral: equivalent: any default for absent columns names no environment
      const env = ENVIRONMENTS[(rec.environment || rec.used_for || '').trim().toLowerCase()];
      if (env) ci.environment = env;
      // Stryker disable next-line StringLiteral: equivalent: the default is only tested against the pattern, which a non-digit fails
      const crit = /^\s*([1-4])\b/.exec(rec.busines_criticality || rec.business_criticality || '');
      if (crit) ci.criticality = Number(crit[1]);
      const owner = (rec.support_group || rec.managed_by_group || rec.owned_by || '').trim();
      if (owner) ci.owner = owner.slice(0, 200);
      cis.set(id, ci);
      bySysId.set(sysId.toLowerCase(), id);
      const key = name.toLowerCase();
      const same = byName.get(key);
      if (same) same.push(id);
      else byName.set(key, [id]);
    }
  }

  const rels = new RelationshipSet();
  const unmappedTypes = new Map<string, number>();
  for (const { file, rows } of relFiles) {
    for (const { rec, line } of rows) {
      tick();
      const loc = { file: file.path, document: `line ${line}` };
      // A relationship file's header has parent, child and type, so every row has them.
      const type = rec.type!.trim();
      if (type === '')
        throw conversionError(
          'servicenow',
          { ...loc, field: 'type' },
          'missing: every relationship needs a type such as "Depends on::Used by"',
        );
      const mapped = serviceNowRelationship(type, mapping);
      if (!mapped) {
        unmappedTypes.set(type, (unmappedTypes.get(type) ?? 0) + 1);
        continue;
      }
      const end = (field: 'parent' | 'child'): string | undefined => {
        const value = rec[field]!.trim();
        if (value === '') throw conversionError('servicenow', { ...loc, field }, `missing: every relationship needs a ${field}`);
        const bySys = bySysId.get(value.toLowerCase());
        if (bySys) return bySys;
        const named = byName.get(value.toLowerCase());
        if (named && named.length === 1) return named[0];
        warnings.push({
          ...loc,
          field,
          code: 'unknown_reference',
          message: named
            ? `${field} "${value}" names ${named.length} CIs (${named.slice(0, 3).join(', ')}); export sys_ids to tell them apart`
            : `${field} "${value}" is not a CI in the input`,
        });
        return undefined;
      };
      const parent = end('parent');
      const child = end('child');
      if (!parent || !child) continue;
      const attributes = rec.sys_id ? { servicenowSysId: rec.sys_id.trim() } : undefined;
      if (mapped.reverse) rels.add(mapped.type, child, parent, attributes);
      else rels.add(mapped.type, parent, child, attributes);
    }
  }

  const all = files.map((f) => f.path).join(', ');
  for (const [c, n] of unmapped)
    warnings.push({
      file: all,
      code: 'unmapped_class',
      message: `sys_class_name ${c} (${n}) has no class in the mapping: imported as ConfigurationItem`,
    });
  for (const [t, n] of unmappedTypes)
    warnings.push({
      file: all,
      code: 'unmapped_type',
      message: `relationship type "${t}" (${n}) has no registry type in the mapping: not imported`,
    });
  return { document: { cis: [...cis.values()], relationships: rels.list }, warnings };
}

function attributesOf(rec: Record<string, string>, sysId: string, sysClass: string, cls: string): Record<string, unknown> {
  const a: Record<string, unknown> = { servicenowSysId: sysId, servicenowClass: sysClass };
  const set = (key: string, value: string | undefined) => {
    const v = value?.trim();
    if (v) a[key] = v;
  };
  set('hostname', rec.host_name);
  set('domain', rec.dns_domain);
  set('fqdn', rec.fqdn);
  set('ip', rec.ip_address);
  set('serialNumber', rec.serial_number);
  set('os', rec.os);
  set('version', rec.version);
  set('description', rec.short_description);
  const num = (s: string | undefined) => (s && /^\s*\d+(\.\d+)?\s*$/.test(s) ? Number(s) : undefined);
  if (num(rec.tcp_port) !== undefined) a.port = num(rec.tcp_port);
  if (num(rec.cpu_count) !== undefined) a.cpuCores = num(rec.cpu_count);
  if (num(rec.ram) !== undefined) a.memoryGb = Math.round((num(rec.ram)! / 1024) * 10) / 10;
  if (cls === 'Database') {
    const m = /^cmdb_ci_db_([a-z0-9]+?)_instance$/.exec(sysClass);
    a.engine = (m && DB_ENGINES[m[1]!]) ?? rec.type?.trim() ?? sysClass;
  }
  return a;
}
