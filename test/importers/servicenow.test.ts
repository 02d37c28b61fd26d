import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { convertServiceNow, serviceNowClass, type ServiceNowMapping } from '../../engine/importers/servicenow.ts';
import { InputError } from '../../engine/errors.ts';
import { edges, FIXTURES, fixtureFiles, impactOf, importDocument, sqliteCmdb, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-snow-');
afterAll(() => tmp.cleanup());
const files = fixtureFiles('servicenow');
const mapping = JSON.parse(readFileSync(join(FIXTURES, 'servicenow-mapping.json'), 'utf8')) as ServiceNowMapping;
const { document: doc, warnings } = convertServiceNow(files, { mapping });
const rel = new Set(edges(doc));
const S = (n: number) => `snow:5a1e0c9b1b2f4c10a7d3e9f0c1b2a3${String(n).padStart(2, '0')}`;
const ci = (id: string) => doc.cis.find((c) => c.id === id);

describe('servicenow converter', () => {
  it('maps sys_class_name to classes, exactly or by prefix', () => {
    expect(serviceNowClass('cmdb_ci_linux_server')).toBe('Server');
    expect(serviceNowClass('cmdb_ci_db_ora_instance')).toBe('Database');
    expect(serviceNowClass('cmdb_ci_app_server_tomcat')).toBe('Application');
    expect(serviceNowClass('u_cmdb_ci_redis')).toBeUndefined();
    expect(serviceNowClass('u_cmdb_ci_redis', mapping)).toBe('Cache');
  });

  it('keeps the sys_id as id and identification key, and maps the common fields', () => {
    expect(ci(S(1))).toMatchObject({
      class: 'BusinessService',
      name: 'Online Shop',
      criticality: 1,
      environment: 'production',
      owner: 'Shop Support',
      status: 'in_service',
    });
    expect(ci(S(4))).toMatchObject({
      class: 'Database',
      attributes: {
        engine: 'postgresql',
        version: '16.2',
        port: 5432,
        servicenowSysId: '5a1e0c9b1b2f4c10a7d3e9f0c1b2a304',
        servicenowClass: 'cmdb_ci_db_postgresql_instance',
      },
    });
    expect(ci(S(5))).toMatchObject({ class: 'Cache', attributes: { servicenowClass: 'u_cmdb_ci_redis' } }); // table from the file name
    expect(ci(S(8))).toMatchObject({
      class: 'Server',
      attributes: { hostname: 'srv-db-01', domain: 'shop.example.com', serialNumber: 'CZ12345678', cpuCores: 16, memoryGb: 128 },
    });
    expect(ci(S(9))?.class).toBe('Hypervisor');
    expect(ci(S(10))?.status).toBe('retired');
    expect(ci(S(6))?.class).toBe('VirtualMachine');
  });

  it('maps each relationship type with its direction, parents and children given by sys_id or name', () => {
    expect(rel).toContain(`${S(1)} DEPENDS_ON ${S(2)}`);
    expect(rel).toContain(`${S(3)} DEPENDS_ON ${S(4)}`); // by sys_id
    expect(rel).toContain(`${S(3)} RUNS_ON ${S(11)}`);
    expect(rel).toContain(`${S(6)} MEMBER_OF ${S(11)}`); // Members::Member of: the child is the member
    expect(rel).toContain(`${S(6)} HOSTED_ON ${S(9)}`);
    expect(rel).toContain(`${S(9)} CONNECTED_TO ${S(12)}`);
    expect(rel).toContain(`${S(10)} DEPENDS_ON ${S(4)}`); // mapped by the mapping file, reversed
    expect(doc.relationships.find((r) => r.from === S(1))?.attributes).toEqual({ servicenowSysId: '9b0f3e2d1c4b4a59b8e7d6c5b4a39201' });
  });

  it('reports unknown ends, unmapped types and classes instead of aborting', () => {
    expect(warnings.filter((w) => w.code === 'unknown_reference')).toEqual([
      expect.objectContaining({ document: 'line 15', field: 'child', message: 'child "legacy-search" is not a CI in the input' }),
    ]);
    const plain = convertServiceNow(files);
    expect(plain.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        'sys_class_name u_cmdb_ci_redis (1) has no class in the mapping: imported as ConfigurationItem',
        'relationship type "Sends data to::Receives data from" (1) has no registry type in the mapping: not imported',
      ]),
    );
    expect(plain.document.cis.find((c) => c.id === S(5))?.class).toBe('ConfigurationItem');
  });

  it('names file, line and field of a bad row', () => {
    expect(() => convertServiceNow([{ path: 'cmdb_ci_server.csv', text: 'sys_id,name\nabc,one\n,two\n' }])).toThrow(InputError);
    expect(() => convertServiceNow([{ path: 'cmdb_ci_server.csv', text: 'sys_id,name\nabc,one\n,two\n' }])).toThrow(
      'cmdb_ci_server.csv, line 3, field "sys_id"',
    );
    expect(() => convertServiceNow([{ path: 'x.csv', text: 'name,class\na,b\n' }])).toThrow('x.csv, header, field "sys_id"');
    expect(() => convertServiceNow([{ path: 'r.csv', text: 'parent,child,type\na,b,\n' }])).toThrow('r.csv, line 2, field "type"');
  });

  it('an outage of the orders database or the session cache reaches the business service', async () => {
    const cmdb = await sqliteCmdb(tmp.dir);
    try {
      await importDocument(cmdb, doc);
      for (const origin of [S(4), S(5)]) {
        const hit = impactOf(cmdb, origin);
        expect(hit.get(S(3))).toBe('down');
        expect(hit.get(S(2))).toBe('down');
        expect(hit.get(S(1))).toBe('down');
      }
      // the top-of-rack switch takes the hypervisor, the VMs, the cluster and everything above down
      const sw = impactOf(cmdb, S(12));
      for (const n of [9, 6, 7, 11, 3, 2, 1, 8, 4]) expect(sw.get(S(n)), S(n)).toBe('down');
    } finally {
      await cmdb.close();
    }
  });
});
