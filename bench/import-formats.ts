/**
 * `npm run bench -- import-formats [--k8s 10000] [--snow 50000] [--runs 3]`
 *
 * Converts and imports generated foreign inputs the way `cmdb import --from FORMAT --source NAME`
 * does: a `kubectl get -o json` List of `--k8s` objects (namespaces, Deployments with Services,
 * ConfigMaps holding addresses, Secrets, env references between services — also the same objects
 * as multi-document YAML, for the parser's cost), and a ServiceNow export of `--snow` CI rows in
 * four `cmdb_ci*` tables plus a `cmdb_rel_ci` file. Per run: convert, import into a fresh SQLite
 * file (reconcile + one atomic batch), and re-import (every upsert a no-op). Medians of `--runs`,
 * with the 1-minute load average printed beside each figure: the machine is shared. The process's
 * CPU time (user + system) is printed too: on a contended machine it is closer to what an idle
 * one would take than the wall time is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { convert, type Format } from '../engine/importers/index.ts';
import { importFromSource } from '../engine/io/source-import.ts';
import type { InputFile } from '../engine/importers/types.ts';

function k8sObjects(total: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const perNs = 100;
  const namespaces = Math.max(1, Math.ceil(total / perNs));
  for (let n = 0; n < namespaces && out.length < total; n++) {
    const ns = `team-${n}`;
    out.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, uid: `ns-${n}` } });
    // 4 objects per app: Deployment, Service, ConfigMap, Secret
    for (let a = 0; out.length + 4 <= total && a < (perNs - 1) / 4; a++) {
      const app = `app-${a}`;
      const next = `app-${(a + 1) % 24}`;
      const other = `team-${(n + 1) % namespaces}`;
      out.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: app, namespace: ns, uid: `d-${n}-${a}`, labels: { team: ns } },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app } },
          template: {
            metadata: { labels: { app } },
            spec: {
              containers: [
                {
                  name: app,
                  image: `registry.example.com/${ns}/${app}:1.${a}`,
                  env: [
                    { name: 'NEXT_URL', value: `http://${next}:8080/api` },
                    { name: 'PEER_HOST', value: `${app}.${other}.svc.cluster.local` },
                    { name: 'LOG_LEVEL', value: 'info' },
                  ],
                  envFrom: [{ configMapRef: { name: `${app}-config` } }, { secretRef: { name: `${app}-secret` } }],
                },
              ],
            },
          },
        },
      });
      out.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns, uid: `s-${n}-${a}` },
        spec: { selector: { app }, ports: [{ port: 8080, protocol: 'TCP' }] },
      });
      out.push({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${app}-config`, namespace: ns, uid: `c-${n}-${a}` },
        data: {
          DATABASE_URL: `postgres://db-${a % 7}.data.svc:5432/x`,
          CACHE_ADDR: `${next}:6379`,
          EXTERNAL_URL: `https://partner-${a}.example.net/`,
        },
      });
      out.push({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: `${app}-secret`, namespace: ns, uid: `x-${n}-${a}` },
        type: 'Opaque',
        stringData: { TOKEN: 'x' },
      });
    }
  }
  return out.slice(0, total);
}

function csvLine(cells: (string | number)[]): string {
  return cells.map((c) => `"${String(c).replace(/"/g, '""')}"`).join(',');
}

function snowFiles(rows: number): InputFile[] {
  const sys = (i: number) => i.toString(16).padStart(32, '0');
  const tables: [string, string, (i: number) => (string | number)[]][] = [
    [
      'cmdb_ci_linux_server.csv',
      'cmdb_ci_linux_server',
      (i) => [
        sys(i),
        `srv-${i}`,
        'cmdb_ci_linux_server',
        `srv-${i}`,
        'corp.example.com',
        `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        `SN${i}`,
        'Production',
        'Installed',
        '3 - less critical',
      ],
    ],
    [
      'cmdb_ci_appl.csv',
      'cmdb_ci_appl',
      (i) => [sys(i), `app-${i}`, 'cmdb_ci_appl', '', '', '', '', 'Production', 'Installed', '2 - somewhat critical'],
    ],
    [
      'cmdb_ci_db_instance.csv',
      'cmdb_ci_db_postgresql_instance',
      (i) => [sys(i), `db-${i}`, 'cmdb_ci_db_postgresql_instance', '', '', '', '', 'Production', 'Installed', '1 - most critical'],
    ],
    [
      'cmdb_ci_service.csv',
      'cmdb_ci_service',
      (i) => [sys(i), `svc-${i}`, 'cmdb_ci_service', '', '', '', '', 'Production', 'Installed', '1 - most critical'],
    ],
  ];
  const header = csvLine([
    'sys_id',
    'name',
    'sys_class_name',
    'host_name',
    'dns_domain',
    'ip_address',
    'serial_number',
    'used_for',
    'install_status',
    'busines_criticality',
  ]);
  const bodies = tables.map(() => [header]);
  const kindOf = (i: number) => (i % 10 < 5 ? 0 : i % 10 < 8 ? 1 : i % 10 < 9 ? 2 : 3); // 50% servers, 30% apps, 10% dbs, 10% services
  for (let i = 1; i <= rows; i++) bodies[kindOf(i)]!.push(csvLine(tables[kindOf(i)]![2](i)));
  const rel = [csvLine(['sys_id', 'parent', 'type', 'child'])];
  const byKind: number[][] = [[], [], [], []];
  for (let i = 1; i <= rows; i++) byKind[kindOf(i)]!.push(i);
  let r = 0;
  const add = (p: number, type: string, c: number) => rel.push(csvLine([sys(1_000_000 + ++r), sys(p), type, sys(c)]));
  byKind[1]!.forEach((app, k) => {
    add(app, 'Runs on::Runs', byKind[0]![k % byKind[0]!.length]!);
    add(app, 'Depends on::Used by', byKind[2]![k % byKind[2]!.length]!);
  });
  byKind[3]!.forEach((svc, k) => add(svc, 'Depends on::Used by', byKind[1]![k % byKind[1]!.length]!));
  return [
    ...tables.map(([file], t) => ({ path: file, text: `${bodies[t]!.join('\n')}\n` })),
    { path: 'cmdb_rel_ci.csv', text: `${rel.join('\n')}\n` },
  ];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => loadavg()[0]!.toFixed(1);

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      k8s: { type: 'string', default: '10000' },
      snow: { type: 'string', default: '50000' },
      runs: { type: 'string', default: '3' },
    },
  });
  const runs = Number(values.runs);
  const registry = Registry.load();
  const objects = k8sObjects(Number(values.k8s));
  const inputs: { label: string; format: Format; files: InputFile[] }[] = [
    {
      label: `kubernetes List, ${objects.length.toLocaleString('en')} objects (JSON)`,
      format: 'kubernetes',
      files: [{ path: 'list.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }],
    },
    {
      label: `kubernetes manifests, ${objects.length.toLocaleString('en')} objects (YAML)`,
      format: 'kubernetes',
      files: [{ path: 'all.yaml', text: objects.map((o) => stringify(o)).join('---\n') }],
    },
    {
      label: `servicenow export, ${Number(values.snow).toLocaleString('en')} CI rows`,
      format: 'servicenow',
      files: snowFiles(Number(values.snow)),
    },
  ];
  console.log(
    `import-formats benchmark: node ${process.version}, ${runs} runs each, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'cmdb-bench-formats-'));
  try {
    for (const input of inputs) {
      const bytes = input.files.reduce((n, f) => n + f.text.length, 0);
      const conv: number[] = [];
      const imp: number[] = [];
      const re: number[] = [];
      const cpu: Record<'conv' | 'imp' | 're', number[]> = { conv: [], imp: [], re: [] };
      const cpuMs = (start: NodeJS.CpuUsage) => {
        const d = process.cpuUsage(start);
        return (d.user + d.system) / 1000;
      };
      const loads: string[] = [];
      let counts = '';
      for (let i = 0; i < runs; i++) {
        let t = performance.now();
        let c = process.cpuUsage();
        const { document, warnings } = convert(input.format, input.files);
        conv.push(performance.now() - t);
        cpu.conv.push(cpuMs(c));
        counts = `${document.cis.length.toLocaleString('en')} CIs, ${document.relationships.length.toLocaleString('en')} relationships, ${warnings.length.toLocaleString('en')} warnings`;
        const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `${input.format}-${i}-${Date.now()}.sqlite`)), registry });
        try {
          t = performance.now();
          c = process.cpuUsage();
          await importFromSource(cmdb, document, { actor: 'bench' }, { source: input.format });
          imp.push(performance.now() - t);
          cpu.imp.push(cpuMs(c));
          t = performance.now();
          c = process.cpuUsage();
          const again = await importFromSource(cmdb, document, { actor: 'bench' }, { source: input.format });
          re.push(performance.now() - t);
          cpu.re.push(cpuMs(c));
          if (again.created + again.updated !== 0)
            throw new Error(`re-import of ${input.label} wrote ${again.created + again.updated} changes`);
        } finally {
          await cmdb.close();
        }
        loads.push(load());
      }
      console.log(`\n${input.label} (${(bytes / 1e6).toFixed(1)} MB) → ${counts}`);
      const s = (ms: number) => (ms / 1000).toFixed(2);
      console.log(`  convert   median ${s(median(conv))} s wall, ${s(median(cpu.conv))} s CPU  (wall runs ${conv.map(s).join(', ')})`);
      console.log(
        `  import    median ${s(median(imp))} s wall, ${s(median(cpu.imp))} s CPU  (wall runs ${imp.map(s).join(', ')}) into SQLite`,
      );
      console.log(`  re-import median ${s(median(re))} s wall, ${s(median(cpu.re))} s CPU  (no writes)`);
      console.log(`  1-min load after each run: ${loads.join(', ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
