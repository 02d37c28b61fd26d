/**
 * The ServiceNow converter on small inline CSV exports: every field it maps (status codes and
 * labels, environments, criticality, owners, numbers, database engines), class and relationship
 * lookups as exported (any case, spacing), how relationship ends are found, and its refusals.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/errors.ts';
import { convertServiceNow, serviceNowClass, serviceNowRelationship } from '../../engine/importers/servicenow.ts';

const csv = (rows: string[][]) => rows.map((r) => r.map((c) => `"${c}"`).join(',')).join('\n') + '\n';
const cisOf = (header: string[], rows: string[][], path = 'cmdb_ci_server.csv') =>
  convertServiceNow([{ path, text: csv([header, ...rows]) }]).document.cis;
const oneCI = (fields: Record<string, string>, path?: string) =>
  cisOf(['sys_id', ...Object.keys(fields)], [['ABC', ...Object.values(fields)]], path)[0]!;

describe('servicenow classes and relationship types', () => {
  it('maps class names whatever their case and spacing, by exact name, then prefix, a mapping file first', () => {
    expect(serviceNowClass(' CMDB_CI_Linux_Server ')).toBe('Server');
    expect(serviceNowClass('cmdb_ci_lb_netscaler')).toBe('LoadBalancer');
    expect(serviceNowClass('cmdb_ci_service_calculated')).toBe('ApplicationService');
    expect(serviceNowClass('cmdb_ci_appl_sap')).toBe('Application');
    expect(serviceNowClass('u_Widget', { classes: { u_Widget: 'Application' } })).toBe('Application');
    expect(serviceNowClass('U_WIDGET', { classes: { u_widget: 'Cache' } })).toBe('Cache');
    expect(serviceNowClass('cmdb_ci_linux_server', { classes: { cmdb_ci_linux_server: 'VirtualMachine' } })).toBe('VirtualMachine');
    expect(serviceNowClass('cmdb_ci_x')).toBeUndefined();
  });

  it('maps relationship types whatever the case and the spaces around "::", a mapping file first', () => {
    expect(serviceNowRelationship('  Runs on :: Runs ')).toEqual({ type: 'RUNS_ON' });
    expect(serviceNowRelationship('CONTAINS::Contained by')).toEqual({ type: 'LOCATED_IN', reverse: true });
    expect(serviceNowRelationship('Feeds::Fed by', { relationships: { 'Feeds::Fed by': { type: 'DEPENDS_ON', reverse: true } } })).toEqual({
      type: 'DEPENDS_ON',
      reverse: true,
    });
    expect(serviceNowRelationship('FEEDS :: FED BY', { relationships: { 'feeds::fed by': { type: 'DEPENDS_ON' } } })).toEqual({
      type: 'DEPENDS_ON',
    });
    expect(serviceNowRelationship('Sends data to::Receives data from')).toBeUndefined();
    for (const spaced of ['Runs on:: Runs', 'Runs on ::Runs', 'Runs on  ::  Runs'])
      expect([spaced, serviceNowRelationship(spaced)]).toEqual([spaced, { type: 'RUNS_ON' }]);
  });
});

describe('servicenow CI fields', () => {
  it('maps install_status codes and labels, and leaves an unknown status out', () => {
    const status = (s: string) => oneCI({ install_status: s }).status;
    expect([status('2'), status('On Order'), status('7'), status(' Pending Repair '), status('100'), status('in stock')]).toEqual([
      'planned',
      'planned',
      'retired',
      'maintenance',
      'retired',
      'planned',
    ]);
    expect(status('9')).toBeUndefined();
  });

  it('reads the environment from environment or else used_for, in any case', () => {
    expect(oneCI({ environment: 'QA', used_for: 'Production' }).environment).toBe('test');
    expect(oneCI({ environment: '', used_for: ' UAT ' }).environment).toBe('test');
    expect(oneCI({ used_for: 'Dev' }).environment).toBe('development');
    expect(oneCI({ used_for: 'Lab' }).environment).toBeUndefined();
  });

  it('reads criticality 1 to 4 from the leading digit of either spelling', () => {
    expect(oneCI({ busines_criticality: '2 - somewhat critical' }).criticality).toBe(2);
    expect(oneCI({ business_criticality: ' 4 - not critical' }).criticality).toBe(4);
    expect(oneCI({ busines_criticality: '5 - lowest' }).criticality).toBeUndefined();
    expect(oneCI({ busines_criticality: '12' }).criticality).toBeUndefined();
  });

  it('takes the owner from the support group, the managing group or the owner, trimmed and cut to 200 characters', () => {
    expect(oneCI({ support_group: '', managed_by_group: ' Ops ', owned_by: 'x' }).owner).toBe('Ops');
    expect(oneCI({ owned_by: 'jane' }).owner).toBe('jane');
    expect(oneCI({ owned_by: 'o'.repeat(300) }).owner).toHaveLength(200);
    expect(oneCI({ owned_by: '  ' })).not.toHaveProperty('owner');
  });

  it('names a CI by its name or else its sys_id, and ids it by the lower-cased sys_id', () => {
    expect(oneCI({ name: ' ' })).toMatchObject({ id: 'snow:abc', name: 'ABC' });
    expect(oneCI({ name: 'n'.repeat(600) }).name).toHaveLength(500);
  });

  it('keeps the declared attributes: text trimmed, numbers as numbers, RAM in GB to one decimal', () => {
    const c = oneCI({
      fqdn: ' a.example ',
      ip_address: '10.0.0.1',
      os: 'Linux',
      short_description: 'desc',
      tcp_port: ' 8080 ',
      cpu_count: '2.5',
      ram: '1536',
      version: '',
    });
    expect(c.attributes).toEqual({
      servicenowSysId: 'ABC',
      servicenowClass: 'cmdb_ci_server',
      fqdn: 'a.example',
      ip: '10.0.0.1',
      os: 'Linux',
      description: 'desc',
      port: 8080,
      cpuCores: 2.5,
      memoryGb: 1.5,
    });
    expect(oneCI({ tcp_port: '80a', cpu_count: 'four', ram: '' }).attributes).toEqual({
      servicenowSysId: 'ABC',
      servicenowClass: 'cmdb_ci_server',
    });
  });

  it("names a database's engine by its class, else its type column, else the class name", () => {
    const engine = (cls: string, type?: string) =>
      oneCI({ sys_class_name: cls, ...(type === undefined ? {} : { type }) }).attributes!.engine;
    expect(engine('cmdb_ci_db_mssql_instance')).toBe('mssql');
    expect(engine('cmdb_ci_db_ora_instance')).toBe('oracle');
    expect(engine('cmdb_ci_db_foo_instance', ' FooDB ')).toBe('FooDB');
    expect(engine('cmdb_ci_database')).toBe('cmdb_ci_database');
    expect(oneCI({ sys_class_name: 'cmdb_ci_linux_server', type: 'x' }).attributes).not.toHaveProperty('engine');
  });

  it('adds no key for a field whose columns are absent or hold nothing it can read', () => {
    const bare = oneCI({});
    expect(Object.keys(bare)).toEqual(['id', 'class', 'name', 'attributes']);
    expect(Object.keys(bare.attributes!)).toEqual(['servicenowSysId', 'servicenowClass']);
    const unreadable = oneCI({
      install_status: 'lost',
      environment: 'lab',
      busines_criticality: 'high',
      owned_by: ' ',
      tcp_port: 'x12',
      cpu_count: '',
    });
    expect(Object.keys(unreadable)).toEqual(['id', 'class', 'name', 'attributes']);
    expect(Object.keys(unreadable.attributes!)).toEqual(['servicenowSysId', 'servicenowClass']);
  });

  it('reads a number only when the whole cell is one, decimals of any length included', () => {
    expect(oneCI({ tcp_port: 'port 8080', cpu_count: '4 cores', ram: '2048.75' }).attributes).toStrictEqual({
      servicenowSysId: 'ABC',
      servicenowClass: 'cmdb_ci_server',
      memoryGb: 2,
    });
    expect(oneCI({ ram: '1126.40' }).attributes!.memoryGb).toBe(1.1);
  });

  it('takes the class from sys_class_name trimmed and lower-cased, or else from the file name without its .csv ending', () => {
    expect(oneCI({ sys_class_name: ' CMDB_CI_Rack ' })).toMatchObject({ class: 'Rack', attributes: { servicenowClass: 'cmdb_ci_rack' } });
    expect(oneCI({ sys_class_name: '   ' }, 'exports/CMDB_CI_PDU.CSV')).toMatchObject({
      class: 'PDU',
      attributes: { servicenowClass: 'cmdb_ci_pdu' },
    });
    // Only a trailing .csv is the file's extension.
    const odd = oneCI({}, 'u_assets.csv.v2.csv');
    expect(odd).toMatchObject({ class: 'ConfigurationItem', attributes: { servicenowClass: 'u_assets.csv.v2' } });
  });

  it('reads the engine from a class named cmdb_ci_db_ENGINE_instance only when that is the whole class name', () => {
    const engine = (cls: string) => oneCI({ sys_class_name: cls }).attributes!.engine;
    expect(engine('cmdb_ci_db_mysql_instance_cluster')).toBe('cmdb_ci_db_mysql_instance_cluster');
    const mapped = convertServiceNow(
      [
        {
          path: 'x.csv',
          text: csv([
            ['sys_id', 'sys_class_name'],
            ['A', 'u_cmdb_ci_db_mysql_instance'],
          ]),
        },
      ],
      {
        mapping: { classes: { u_cmdb_ci_db_mysql_instance: 'Database' } },
      },
    );
    expect(mapped.document.cis[0]!.attributes!.engine).toBe('u_cmdb_ci_db_mysql_instance');
  });

  it('reads a CI export that has parent and type columns but no child column as CIs', () => {
    const r = convertServiceNow([
      {
        path: 'cmdb_ci_db_instance.csv',
        text: csv([
          ['sys_id', 'name', 'parent', 'type'],
          ['D1', 'orders', 'cluster-1', 'PostgreSQL'],
        ]),
      },
    ]);
    expect(r.document.cis).toEqual([
      {
        id: 'snow:d1',
        class: 'Database',
        name: 'orders',
        attributes: { servicenowSysId: 'D1', servicenowClass: 'cmdb_ci_db_instance', engine: 'PostgreSQL' },
      },
    ]);
  });

  it('imports a class it cannot map as ConfigurationItem and warns once per class, with its count, naming every file', () => {
    const r = convertServiceNow([
      { path: 'u_widget.csv', text: csv([['sys_id'], ['W1'], ['W2']]) },
      { path: 'rel.csv', text: csv([['parent', 'type', 'child']]) },
    ]);
    expect(r.document.cis.map((c) => c.class)).toEqual(['ConfigurationItem', 'ConfigurationItem']);
    expect(r.warnings).toStrictEqual([
      {
        file: 'u_widget.csv, rel.csv',
        code: 'unmapped_class',
        message: 'sys_class_name u_widget (2) has no class in the mapping: imported as ConfigurationItem',
      },
    ]);
  });

  it('keeps the first row of a sys_id given twice and warns about the second', () => {
    const r = convertServiceNow([
      {
        path: 'cmdb_ci_server.csv',
        text: csv([
          ['sys_id', 'name'],
          ['A1', 'first'],
          ['a1', 'second'],
        ]),
      },
    ]);
    expect(r.document.cis.map((c) => c.name)).toEqual(['first']);
    expect(r.warnings).toEqual([
      {
        file: 'cmdb_ci_server.csv',
        document: 'line 3',
        field: 'sys_id',
        code: 'duplicate',
        message: 'sys_id a1 appears twice; the first row is kept',
      },
    ]);
  });
});

describe('servicenow relationships', () => {
  const cis = {
    path: 'cmdb_ci_appl.csv',
    text: csv([
      ['sys_id', 'name'],
      ['S1', 'web'],
      ['S2', 'db'],
      ['S3', 'twin'],
      ['S4', 'twin'],
      ['S5', 'Twin'],
    ]),
  };
  const rels = (rows: string[][], header = ['sys_id', 'parent', 'type', 'child']) =>
    convertServiceNow([cis, { path: 'rel.csv', text: csv([header, ...rows]) }]);

  it('finds ends by sys_id in any case or by a unique name, and drops a relationship from a CI to itself', () => {
    const r = rels([
      ['R1', 's1', 'Depends on::Used by', 'DB'],
      ['R2', 'web', 'Depends on::Used by', 'S1'],
      ['R3', 'S2', 'Members::Member of', 'web'],
    ]);
    expect(r.document.relationships).toEqual([
      { type: 'DEPENDS_ON', from: 'snow:s1', to: 'snow:s2', attributes: { servicenowSysId: 'R1' } },
      { type: 'MEMBER_OF', from: 'snow:s1', to: 'snow:s2', attributes: { servicenowSysId: 'R3' } },
    ]);
  });

  it('names only the first three CIs of a name shared by more, and trims the sys_id kept on a relationship', () => {
    const r = convertServiceNow([
      {
        path: 'cmdb_ci_appl.csv',
        text: csv([
          ['sys_id', 'name'],
          ['S1', 'web'],
          ['T1', 'twin'],
          ['T2', 'twin'],
          ['T3', 'twin'],
          ['T4', 'twin'],
        ]),
      },
      {
        path: 'rel.csv',
        text: csv([
          ['sys_id', 'parent', 'type', 'child'],
          ['R1', 'web', 'Depends on::Used by', 'twin'],
          [' R2 ', 'web', 'Depends on::Used by', 'T4'],
        ]),
      },
    ]);
    expect(r.warnings.map((w) => w.message)).toEqual([
      'child "twin" names 4 CIs (snow:t1, snow:t2, snow:t3); export sys_ids to tell them apart',
    ]);
    expect(r.document.relationships).toEqual([
      { type: 'DEPENDS_ON', from: 'snow:s1', to: 'snow:t4', attributes: { servicenowSysId: 'R2' } },
    ]);
  });

  it('warns about a name shared by several CIs, naming up to three, and skips that relationship', () => {
    const r = rels([['R1', 'web', 'Depends on::Used by', 'twin']]);
    expect(r.document.relationships).toEqual([]);
    expect(r.warnings).toEqual([
      {
        file: 'rel.csv',
        document: 'line 2',
        field: 'child',
        code: 'unknown_reference',
        message: 'child "twin" names 3 CIs (snow:s3, snow:s4, snow:s5); export sys_ids to tell them apart',
      },
    ]);
  });

  it('imports a relationship without attributes when the export has no sys_id column, and counts unmapped types', () => {
    const r = rels(
      [
        ['web', 'Depends on::Used by', 'db'],
        ['web', 'Sends::Receives', 'db'],
        ['db', 'Sends::Receives', 'web'],
      ],
      ['parent', 'type', 'child'],
    );
    expect(r.document.relationships).toEqual([{ type: 'DEPENDS_ON', from: 'snow:s1', to: 'snow:s2' }]);
    expect(r.warnings).toEqual([
      {
        file: 'cmdb_ci_appl.csv, rel.csv',
        code: 'unmapped_type',
        message: 'relationship type "Sends::Receives" (2) has no registry type in the mapping: not imported',
      },
    ]);
  });

  it('refuses a relationship row without a parent or a child, naming line and field', () => {
    expect(() => rels([['R1', ' ', 'Depends on::Used by', 'db']])).toThrow(
      'convert servicenow: rel.csv, line 2, field "parent": missing: every relationship needs a parent',
    );
    expect(() => rels([['R1', 'web', 'Depends on::Used by', '']])).toThrow('field "child": missing: every relationship needs a child');
  });
});

describe('servicenow files', () => {
  it('tells a relationship export from a CI export by its header, even with no rows', () => {
    const r = convertServiceNow([
      { path: 'rel.csv', text: 'parent,child,type\n' },
      { path: 'cmdb_ci_server.csv', text: '"SYS_ID"," Name"\n' },
    ]);
    expect(r).toEqual({ document: { cis: [], relationships: [] }, warnings: [] });
    expect(() => convertServiceNow([{ path: 'x.csv', text: 'name\n' }])).toThrow(InputError);
  });

  it('refuses text that is not CSV, naming the line', () => {
    expect(() => convertServiceNow([{ path: 'x.csv', text: 'sys_id,name\na,b\nc,d,e\n' }])).toThrow(
      /^convert servicenow: x\.csv, line 3: not valid CSV: /,
    );
  });

  it('reports progress every 1,000 rows and at the end, over every file', () => {
    const rows = Array.from({ length: 1500 }, (_, i) => [`S${i}`, `n${i}`]);
    const seen: [number, number][] = [];
    convertServiceNow(
      [
        { path: 'cmdb_ci_server.csv', text: csv([['sys_id', 'name'], ...rows]) },
        {
          path: 'rel.csv',
          text: csv([
            ['parent', 'type', 'child'],
            ['S1', 'Runs on::Runs', 'S2'],
          ]),
        },
      ],
      { onProgress: (d, t) => seen.push([d, t]) },
    );
    expect(seen).toEqual([
      [1000, 1501],
      [1501, 1501],
    ]);
  });
});

describe('servicenow tables, entry by entry', () => {
  it('maps every ServiceNow class it documents', () => {
    const classes: Record<string, string> = {
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
      cmdb_ci_db_instance: 'Database',
      cmdb_ci_service: 'BusinessService',
      cmdb_ci_service_business: 'BusinessService',
      cmdb_ci_service_auto: 'ApplicationService',
      cmdb_ci_service_discovered: 'ApplicationService',
      cmdb_ci_service_technical: 'ApplicationService',
      cmdb_ci_query_based_service: 'ApplicationService',
      cmdb_ci_business_app: 'Application',
      cmdb_ci_appl: 'Application',
      cmdb_ci_app_server: 'Application',
      cmdb_ci_lb: 'LoadBalancer',
      cmdb_ci_lb_bigip: 'LoadBalancer',
      cmdb_ci_lb_service: 'LoadBalancer',
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
    for (const [sys, cls] of Object.entries(classes)) expect([sys, serviceNowClass(sys)]).toEqual([sys, cls]);
  });

  it('maps every install_status code and label, and every environment name', () => {
    const status: Record<string, string> = {
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
    for (const [s, st] of Object.entries(status)) expect([s, oneCI({ install_status: s }).status]).toEqual([s, st]);
    const envs: Record<string, string> = {
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
    for (const [e, env] of Object.entries(envs)) expect([e, oneCI({ environment: e }).environment]).toEqual([e, env]);
  });

  it('names the engine of every database class it knows', () => {
    const engines: Record<string, string> = {
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
    for (const [k, engine] of Object.entries(engines))
      expect([k, oneCI({ sys_class_name: `cmdb_ci_db_${k}_instance` }).attributes!.engine]).toEqual([k, engine]);
  });

  it('imports every relationship type it documents with its registry type and direction', () => {
    // [cmdb_rel_ci type, registry type, whether the child is the relationship's `from`]
    const types: [string, string, boolean][] = [
      ['Depends on::Used by', 'DEPENDS_ON', false],
      ['Uses::Used by', 'DEPENDS_ON', false],
      ['Runs on::Runs', 'RUNS_ON', false],
      ['Hosted on::Hosts', 'HOSTED_ON', false],
      ['Virtualized by::Virtualizes', 'HOSTED_ON', false],
      ['Members::Member of', 'MEMBER_OF', true],
      ['Connects to::Connected by', 'CONNECTED_TO', false],
      ['Located in::Houses', 'LOCATED_IN', false],
      ['Contains::Contained by', 'LOCATED_IN', true],
      ['Powered by::Powers', 'POWERED_BY', false],
      ['Backed up by::Backs up', 'BACKED_UP_BY', false],
      ['Managed by::Manages', 'MANAGED_BY', false],
    ];
    const ciFile = { path: 'cmdb_ci_server.csv', text: csv([['sys_id'], ['P'], ['C']]) };
    for (const [snow, type, reverse] of types) {
      const r = convertServiceNow([
        ciFile,
        {
          path: 'rel.csv',
          text: csv([
            ['parent', 'type', 'child'],
            ['P', snow, 'C'],
          ]),
        },
      ]);
      const [from, to] = reverse ? ['snow:c', 'snow:p'] : ['snow:p', 'snow:c'];
      expect([snow, r.document.relationships, r.warnings]).toEqual([snow, [{ type, from, to }], []]);
    }
  });

  it("looks a mapping file's relationship types up as written, trimmed, before lower-casing them", () => {
    const mapping = { relationships: { 'Feeds::Fed by': { type: 'DEPENDS_ON', reverse: true } } };
    expect(serviceNowRelationship('  Feeds::Fed by ', mapping)).toEqual({ type: 'DEPENDS_ON', reverse: true });
    // Differently spaced, it is neither the key as written nor a lower-cased key of the mapping.
    expect(serviceNowRelationship('Feeds :: Fed by', mapping)).toBeUndefined();
    // A mapping entry overrides the built-in type of the same name.
    expect(serviceNowRelationship('Runs on::Runs', { relationships: { 'Runs on::Runs': { type: 'HOSTED_ON' } } })).toEqual({
      type: 'HOSTED_ON',
    });
  });

  it('reads the header of a CI or relationship export with no rows, quoted and with Windows line ends', () => {
    const empty = (path: string, text: string) => convertServiceNow([{ path, text }]);
    expect(empty('cmdb_ci_server.csv', '"Name"," SYS_ID "\r\n')).toEqual({ document: { cis: [], relationships: [] }, warnings: [] });
    expect(empty('rel.csv', '" PARENT","Type ","child"\r\n')).toEqual({ document: { cis: [], relationships: [] }, warnings: [] });
    // A header cell that only contains sys_id is not the sys_id column.
    expect(() => empty('cmdb_ci_server.csv', '"name","sys_ids"\r\n')).toThrow('field "sys_id": missing: a CI export needs a sys_id column');
  });

  it('names the refusals of a CI export without sys_id column or value, and of a relationship without type, in full', () => {
    expect(() => convertServiceNow([{ path: 'x.csv', text: 'name\na\n' }])).toThrow(
      'convert servicenow: x.csv, header, field "sys_id": missing: a CI export needs a sys_id column (a cmdb_rel_ci export needs parent, child and type)',
    );
    expect(() => convertServiceNow([{ path: 'x.csv', text: 'sys_id,name\n ,a\n' }])).toThrow(
      'convert servicenow: x.csv, line 2, field "sys_id": missing: every CI needs a sys_id',
    );
    expect(() => convertServiceNow([{ path: 'r.csv', text: 'parent,child,type\na,b, \n' }])).toThrow(
      'convert servicenow: r.csv, line 2, field "type": missing: every relationship needs a type such as "Depends on::Used by"',
    );
  });
});
