import { afterAll, describe, expect, it } from 'vitest';
import { convertTerraform } from '../../engine/importers/terraform.ts';
import { InputError } from '../../engine/errors.ts';
import { edges, fixtureFiles, impactOf, importDocument, sqliteCmdb, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-tf-');
afterAll(() => tmp.cleanup());
const files = fixtureFiles('terraform');
const { document: doc, warnings } = convertTerraform(files);
const rel = new Set(edges(doc));
const ci = (id: string) => doc.cis.find((c) => c.id === id);
const P = 'tf:8c1e2f4a/';

describe('terraform converter', () => {
  it('makes one CI per managed instance, in the root module and in modules, with its class', () => {
    expect(ci(`${P}aws_instance.app.0`)).toMatchObject({
      class: 'VirtualMachine',
      name: 'shop-app-0',
      attributes: {
        terraformAddress: 'aws_instance.app[0]',
        hostname: 'ip-10-0-1-10.eu-west-1.compute.internal',
        ip: '10.0.1.10',
        region: 'eu-west-1',
      },
    });
    expect(ci(`${P}module.data.aws_db_instance.orders`)).toMatchObject({
      class: 'Database',
      name: 'orders',
      tags: ['module.data'],
      attributes: {
        engine: 'postgres',
        version: '16.2',
        port: 5432,
        terraformModule: 'module.data',
        resourceId: 'arn:aws:rds:eu-west-1:123456789012:db:orders',
      },
    });
    expect(ci(`${P}module.data.aws_elasticache_replication_group.sessions`)?.class).toBe('Cache');
    expect(ci(`${P}module.network.aws_vpc.main`)).toMatchObject({ class: 'NetworkSegment', attributes: { cidr: '10.0.0.0/16' } });
    expect(ci(`${P}aws_lb.front`)).toMatchObject({ class: 'LoadBalancer', attributes: { vip: 'front-123.eu-west-1.elb.amazonaws.com' } });
  });

  it('never copies raw state attributes such as passwords', () => {
    expect(JSON.stringify(doc)).not.toContain('never-copied');
  });

  it('skips data sources and drops dependencies on them, saying so', () => {
    expect(doc.cis.some((c) => c.id.includes('aws_ami'))).toBe(false);
    expect(warnings.find((w) => w.code === 'skipped')?.message).toBe(
      '1 data source(s) skipped: Terraform reads them, it does not manage them',
    );
  });

  it('turns instance dependencies into DEPENDS_ON, across modules', () => {
    expect(rel).toContain(`${P}aws_instance.app.0 DEPENDS_ON ${P}module.data.aws_db_instance.orders`);
    expect(rel).toContain(`${P}aws_instance.app.1 DEPENDS_ON ${P}module.network.aws_subnet.private`);
    expect(rel).toContain(`${P}module.network.aws_subnet.private DEPENDS_ON ${P}module.network.aws_vpc.main`);
  });

  it('turns target-group attachments and listeners into routing, not CIs', () => {
    expect(doc.cis.some((c) => c.id.includes('attachment') || c.id.includes('listener'))).toBe(false);
    expect(rel).toContain(`${P}aws_lb_target_group.app ROUTES_TO ${P}aws_instance.app.0`);
    expect(rel).toContain(`${P}aws_lb_target_group.app ROUTES_TO ${P}aws_instance.app.1`);
    expect(rel).toContain(`${P}aws_lb.front ROUTES_TO ${P}aws_lb_target_group.app`);
  });

  it('imports unmapped types as CloudResource and reports them; a mapping file overrides', () => {
    expect(ci(`${P}module.data.aws_s3_bucket.exports`)).toMatchObject({
      class: 'CloudResource',
      name: 'shop-exports',
      attributes: { service: 'aws_s3_bucket' },
    });
    expect(warnings.find((w) => w.code === 'unmapped_type')?.message).toContain('aws_s3_bucket (1)');
    const mapped = convertTerraform(files, { mapping: { aws_s3_bucket: 'StorageArray', aws_instance: 'Server' } });
    expect(mapped.document.cis.find((c) => c.id === `${P}module.data.aws_s3_bucket.exports`)?.class).toBe('StorageArray');
    expect(mapped.warnings.some((w) => w.code === 'unmapped_type')).toBe(false);
  });

  it('names file, resource and field of a malformed state', () => {
    expect(() => convertTerraform([{ path: 's.tfstate', text: '{"version":3,"resources":[]}' }])).toThrow(
      /s\.tfstate, field "version": state format version 3 is not supported/,
    );
    const bad = JSON.stringify({
      version: 4,
      resources: [{ mode: 'managed', type: 'aws_vpc', name: 'a', instances: [{ attributes: {}, dependencies: 'aws_x.y' }] }],
    });
    expect(() => convertTerraform([{ path: 't.tfstate', text: bad }])).toThrow(InputError);
    expect(() => convertTerraform([{ path: 't.tfstate', text: bad }])).toThrow(
      't.tfstate, resources[0].instances[0], field "dependencies"',
    );
  });

  it('an outage of the orders database or the session cache takes the load balancer down', async () => {
    const cmdb = await sqliteCmdb(tmp.dir);
    try {
      await importDocument(cmdb, doc);
      for (const origin of [`${P}module.data.aws_db_instance.orders`, `${P}module.data.aws_elasticache_replication_group.sessions`]) {
        const hit = impactOf(cmdb, origin);
        expect(hit.get(`${P}aws_instance.app.0`)).toBe('down');
        expect(hit.get(`${P}aws_lb_target_group.app`)).toBe('down');
        expect(hit.get(`${P}aws_lb.front`)).toBe('down');
      }
      // one app instance alone only degrades the target group and the load balancer
      const one = impactOf(cmdb, `${P}aws_instance.app.1`);
      expect(one.get(`${P}aws_lb.front`)).toBe('degraded');
    } finally {
      await cmdb.close();
    }
  });
});
