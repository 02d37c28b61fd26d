/**
 * The Terraform converter on small hand-written states: what each cloud's resources become (class,
 * name, the declared attributes), ids and addresses of keyed instances, dependencies and load
 * balancer joins that point nowhere, and the refusals of malformed state, each naming its place.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/errors.ts';
import { convertTerraform } from '../../engine/importers/terraform.ts';

type Resource = Record<string, unknown>;
const state = (resources: Resource[], extra: Record<string, unknown> = { lineage: 'abcdef12-3456' }) =>
  JSON.stringify({ version: 4, ...extra, resources });
const managed = (type: string, name: string, instances: Record<string, unknown>[], more: Resource = {}): Resource => ({
  mode: 'managed',
  type,
  name,
  instances,
  ...more,
});
const convert = (resources: Resource[], options = {}, extra?: Record<string, unknown>) =>
  convertTerraform([{ path: 's.tfstate', text: state(resources, extra) }], options);
const one = (type: string, attributes: Record<string, unknown>) => convert([managed(type, 'x', [{ attributes }])]).document.cis[0]!;

describe('terraform resources as CIs', () => {
  it('reads Azure and Google virtual machines: name, host name, address, region and resource id', () => {
    expect(
      one('azurerm_linux_virtual_machine', {
        id: '/subscriptions/s/vm1',
        name: 'vm1',
        computer_name: 'vm1-host',
        private_ip_address: '10.1.0.4',
        location: 'westeurope',
      }),
    ).toEqual({
      id: 'tf:abcdef12/azurerm_linux_virtual_machine.x',
      class: 'VirtualMachine',
      name: 'vm1',
      attributes: {
        terraformAddress: 'azurerm_linux_virtual_machine.x',
        terraformType: 'azurerm_linux_virtual_machine',
        cloudProvider: 'azurerm',
        resourceId: '/subscriptions/s/vm1',
        region: 'westeurope',
        hostname: 'vm1-host',
        ip: '10.1.0.4',
      },
    });
    const gce = one('google_compute_instance', {
      self_link: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b/instances/g1',
      id: 'projects/p/zones/europe-west1-b/instances/g1',
      name: 'g1',
      zone: 'europe-west1-b',
      labels: { Name: 'labelled' },
    });
    expect(gce).toMatchObject({
      name: 'labelled',
      attributes: {
        resourceId: 'https://www.googleapis.com/compute/v1/projects/p/zones/europe-west1-b/instances/g1',
        region: 'europe-west1-b',
        hostname: 'g1',
      },
    });
    expect(one('aws_instance', { hostname: 'h', availability_zone: 'eu-west-1a' }).attributes).toMatchObject({
      hostname: 'h',
      region: 'eu-west-1a',
    });
  });

  it('takes the region from an ARN when nothing names it, and no region from an ARN without one', () => {
    expect(one('aws_s3_bucket', { arn: 'arn:aws:s3:eu-central-1:1:bucket' }).attributes).toMatchObject({ region: 'eu-central-1' });
    expect(one('aws_s3_bucket', { arn: 'arn:aws:iam::123:role/r' }).attributes).not.toHaveProperty('region');
  });

  it('names a CI by its Name tag, name, identifier, cluster or group id, bucket, or else its address, cut to 500 characters', () => {
    const name = (attributes: Record<string, unknown>) => one('aws_s3_bucket', attributes).name;
    expect(name({ tags: { Name: 'tagged' }, name: 'n' })).toBe('tagged');
    expect(name({ tags: { Name: '  ' }, name: 'n' })).toBe('n');
    expect(name({ identifier: 'ident', bucket: 'b' })).toBe('ident');
    expect(name({ cluster_id: 'cl', bucket: 'b' })).toBe('cl');
    expect(name({ replication_group_id: 'rg', bucket: 'b' })).toBe('rg');
    expect(name({ bucket: 'b' })).toBe('b');
    expect(name({})).toBe('aws_s3_bucket.x');
    expect(name({ name: 'n'.repeat(600) })).toHaveLength(500);
  });

  it('reads databases, caches and queues: engine (the type when unnamed), version and a numeric port', () => {
    expect(one('google_sql_database_instance', { database_version: 'POSTGRES_15', port: '5432' }).attributes).toMatchObject({
      engine: 'POSTGRES_15',
      port: 5432,
    });
    for (const port of ['x', 'x5432', '5432x', [5432]])
      expect(one('aws_db_instance', { engine: 'mysql', port }).attributes, JSON.stringify(port)).not.toHaveProperty('port');
    expect(one('aws_db_instance', { engine: 'mysql', port: 3306 }).attributes).toMatchObject({ port: 3306 });
    expect(one('google_redis_instance', { redis_version: 'REDIS_7_0', port: 6379 }).attributes).toEqual(
      expect.objectContaining({ engine: 'google_redis_instance', version: 'REDIS_7_0' }),
    );
    expect(one('google_redis_instance', { port: 6379 }).attributes).not.toHaveProperty('port');
    expect(one('aws_mq_broker', { engine_type: 'x', version: '5.17' }).attributes).toMatchObject({
      engine: 'aws_mq_broker',
      version: '5.17',
    });
  });

  it('reads network ranges from AWS, Google and Azure resources', () => {
    expect(one('google_compute_subnetwork', { ip_cidr_range: '10.2.0.0/20' }).attributes).toMatchObject({ cidr: '10.2.0.0/20' });
    expect(one('azurerm_virtual_network', { address_space: ['10.3.0.0/16'] }).attributes).toMatchObject({ cidr: '10.3.0.0/16' });
    expect(one('azurerm_subnet', { address_prefixes: ['10.3.1.0/24'] }).attributes).toMatchObject({ cidr: '10.3.1.0/24' });
    expect(one('azurerm_subnet', {}).attributes).not.toHaveProperty('cidr');
  });

  it('reads load balancer addresses, cluster versions and endpoints, and certificate names', () => {
    expect(one('google_compute_forwarding_rule', { ip_address: '34.1.2.3' }).attributes).toMatchObject({ vip: '34.1.2.3' });
    expect(one('azurerm_lb', {}).attributes).not.toHaveProperty('vip');
    expect(one('aws_eks_cluster', { version: '1.29', endpoint: 'https://eks' }).attributes).toMatchObject({
      version: '1.29',
      apiEndpoint: 'https://eks',
    });
    expect(one('azurerm_kubernetes_cluster', { kubernetes_version: '1.28', fqdn: 'aks.example' }).attributes).toMatchObject({
      version: '1.28',
      apiEndpoint: 'aks.example',
    });
    expect(one('google_container_cluster', { master_version: '1.27' }).attributes).toMatchObject({ version: '1.27' });
    expect(one('aws_eks_cluster', {}).attributes).not.toHaveProperty('apiEndpoint');
    expect(one('aws_acm_certificate', { domain_name: 'shop.example' }).attributes).toMatchObject({ commonName: 'shop.example' });
    expect(one('aws_acm_certificate', {}).attributes).not.toHaveProperty('commonName');
  });

  it('gives unmapped types the class of "*" when the mapping has one, and says so once per type', () => {
    const r = convert(
      [
        managed('aws_kms_key', 'a', [{ attributes: {} }]),
        managed('aws_kms_key', 'b', [{ attributes: {} }]),
        managed('aws_iam_role', 'c', [{ attributes: {} }]),
      ],
      { mapping: { '*': 'Application' } },
    );
    expect(r.document.cis.map((c) => c.class)).toEqual(['Application', 'Application', 'Application']);
    expect(r.warnings.filter((w) => w.code === 'unmapped_type').map((w) => w.message)).toEqual([
      'resource type aws_kms_key (2) has no class in the mapping: imported as Application',
      'resource type aws_iam_role (1) has no class in the mapping: imported as Application',
    ]);
    expect(r.warnings[0]!.file).toBe('s.tfstate');
  });
});

describe('terraform ids, dependencies and joins', () => {
  it('ids keyed instances by their key and keeps the address as Terraform writes it; no lineage, no prefix segment', () => {
    const r = convert(
      [
        managed('aws_instance', 'web', [{ index_key: 'blue', attributes: {} }, { index_key: 2, attributes: {} }, { attributes: {} }], {
          module: 'module.app',
        }),
      ],
      {},
      {},
    );
    expect(r.document.cis.map((c) => [c.id, c.attributes!.terraformAddress, c.tags])).toEqual([
      ['tf:module.app.aws_instance.web.blue', 'module.app.aws_instance.web["blue"]', ['module.app']],
      ['tf:module.app.aws_instance.web.2', 'module.app.aws_instance.web[2]', ['module.app']],
      ['tf:module.app.aws_instance.web', 'module.app.aws_instance.web', ['module.app']],
    ]);
  });

  it('cuts a module tag to the 100 characters a tag may have, keeping the whole module path in the attributes', () => {
    const module = `module.${'deep.'.repeat(30)}leaf`;
    const [ci] = convert([managed('aws_instance', 'web', [{ attributes: {} }], { module })], {}, {}).document.cis;
    expect(ci!.tags).toEqual([module.slice(0, 100)]);
    expect(ci!.attributes!.terraformModule).toBe(module);
  });

  it('keeps the first of two instances with one address and warns about the second', () => {
    const r = convert([
      managed('aws_instance', 'a', [{ attributes: { name: 'first' } }]),
      managed('aws_instance', 'a', [{ attributes: { name: 'second' } }]),
    ]);
    expect(r.document.cis.map((c) => c.name)).toEqual(['first']);
    expect(r.warnings).toContainEqual(
      expect.objectContaining({
        code: 'duplicate',
        document: 'resources[1].instances[0]',
        message: 'aws_instance.a appears twice; the first one is kept',
      }),
    );
  });

  it('depends on every instance of a resource named with or without an index, drops data sources in modules, and warns about the unknown', () => {
    const r = convert([
      managed('aws_subnet', 's', [
        { index_key: 0, attributes: {} },
        { index_key: 1, attributes: {} },
      ]),
      { mode: 'data', type: 'aws_ami', name: 'img', module: 'module.m', instances: [] },
      managed('aws_instance', 'vm', [{ attributes: {}, dependencies: ['aws_subnet.s[0]', 'module.m.data.aws_ami.img', 'aws_vpc.gone'] }]),
    ]);
    const named = convert([
      managed('aws_subnet', 's', [{ index_key: 'blue', attributes: {} }]),
      managed('aws_instance', 'vm', [
        { attributes: {}, dependencies: ['aws_subnet.s["blue"]', 'module.network.data.aws_ami.img', 'module.net["eu"].data.aws_ami.img'] },
      ]),
    ]);
    expect(named.document.relationships.map((x) => x.to)).toEqual(['tf:abcdef12/aws_subnet.s.blue']);
    expect(named.warnings).toEqual([]);
    expect(r.document.relationships.map((x) => `${x.from} ${x.type} ${x.to}`)).toEqual([
      'tf:abcdef12/aws_instance.vm DEPENDS_ON tf:abcdef12/aws_subnet.s.0',
      'tf:abcdef12/aws_instance.vm DEPENDS_ON tf:abcdef12/aws_subnet.s.1',
    ]);
    expect(r.warnings).toContainEqual({
      file: 's.tfstate',
      document: 'resources[2].instances[0]',
      field: 'dependencies[2]',
      code: 'unknown_reference',
      message: 'aws_instance.vm depends on aws_vpc.gone, which is not in the state',
    });
  });

  it('routes a listener to each target group it forwards to, and warns about a join whose ends are not in the state', () => {
    const r = convert([
      managed('aws_lb', 'front', [{ attributes: { arn: 'arn:lb' } }]),
      managed('aws_lb_target_group', 'blue', [{ attributes: { arn: 'arn:tg-blue' } }]),
      managed('aws_lb_target_group', 'green', [{ attributes: { arn: 'arn:tg-green' } }]),
      managed('aws_instance', 'vm', [{ attributes: { id: 'i-1' } }]),
      managed('aws_lb_listener', 'l', [
        {
          attributes: {
            load_balancer_arn: 'arn:lb',
            default_action: [{ target_group_arn: 'arn:tg-blue' }, { type: 'fixed-response' }, 'junk', { target_group_arn: 'arn:tg-green' }],
          },
        },
      ]),
      managed('aws_alb_target_group_attachment', 'a', [{ attributes: { target_group_arn: 'arn:tg-blue', target_id: 'i-1' } }]),
      managed('aws_lb_target_group_attachment', 'b', [{ attributes: { target_group_arn: 'arn:tg-green', target_id: 'i-404' } }]),
      managed('aws_alb_listener', 'm', [{ attributes: { load_balancer_arn: 'arn:lb', default_action: 'not a list' } }]),
    ]);
    const P = 'tf:abcdef12/';
    expect(r.document.relationships.map((x) => `${x.from} ${x.type} ${x.to}`)).toEqual([
      `${P}aws_lb.front ROUTES_TO ${P}aws_lb_target_group.blue`,
      `${P}aws_lb.front ROUTES_TO ${P}aws_lb_target_group.green`,
      `${P}aws_lb_target_group.blue ROUTES_TO ${P}aws_instance.vm`,
    ]);
    expect(r.document.cis.find((c) => c.id === `${P}aws_lb.front`)!.redundancy).toEqual([{ relationship: 'ROUTES_TO', minAvailable: 1 }]);
    expect(r.document.cis.find((c) => c.id === `${P}aws_lb_target_group.green`)!.redundancy).toBeUndefined();
    expect(r.warnings.filter((w) => w.code === 'unknown_reference').map((w) => w.message)).toEqual([
      'aws_lb_target_group_attachment.b joins arn:tg-green and i-404, not both in the state',
    ]);
    // Listeners and attachments, aws_alb_* aliases included, are edges, not CIs.
    expect(r.document.cis.map((c) => c.id)).toEqual([
      `${P}aws_lb.front`,
      `${P}aws_lb_target_group.blue`,
      `${P}aws_lb_target_group.green`,
      `${P}aws_instance.vm`,
    ]);
  });

  it('routes an aws_alb_listener like an aws_lb_listener, skipping actions that are not objects and a default_action that is not a list', () => {
    const r = convert([
      managed('aws_lb', 'front', [{ attributes: { arn: 'arn:lb' } }]),
      managed('aws_lb_target_group', 'blue', [{ attributes: { arn: 'arn:tg-blue' } }]),
      managed('aws_alb_listener', 'l', [
        { attributes: { load_balancer_arn: 'arn:lb', default_action: [null, 7, { target_group_arn: 'arn:tg-blue' }] } },
      ]),
      managed('aws_lb_listener', 'n', [{ attributes: { load_balancer_arn: 'arn:lb', default_action: 7 } }]),
    ]);
    expect(r.document.relationships.map((x) => `${x.from} ${x.type} ${x.to}`)).toEqual([
      'tf:abcdef12/aws_lb.front ROUTES_TO tf:abcdef12/aws_lb_target_group.blue',
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('joins only by string ids: a numeric id in the state matches no attachment', () => {
    const r = convert([
      managed('aws_lb_target_group', 'tg', [{ attributes: { arn: 'arn:tg' } }]),
      managed('aws_instance', 'vm', [{ attributes: { id: 5 } }]),
      managed('aws_lb_target_group_attachment', 'a', [{ attributes: { target_group_arn: 'arn:tg', target_id: 5 } }]),
    ]);
    expect(r.document.relationships).toEqual([]);
    expect(r.warnings.map((w) => w.message)).toEqual(['aws_lb_target_group_attachment.a joins arn:tg and 5, not both in the state']);
  });

  it('makes no edge and no warning for a dependency on a listener or an attachment: they are edges, not CIs', () => {
    const r = convert([
      managed('aws_lb', 'front', [{ attributes: { arn: 'arn:lb' } }]),
      managed('aws_lb_listener', 'http', [{ attributes: { load_balancer_arn: 'arn:lb', default_action: [] } }]),
      managed('aws_ecs_service', 'api', [{ attributes: {}, dependencies: ['aws_lb_listener.http', 'aws_lb.front'] }]),
    ]);
    expect(r.document.relationships.map((x) => `${x.from} ${x.type} ${x.to}`)).toEqual([
      'tf:abcdef12/aws_ecs_service.api DEPENDS_ON tf:abcdef12/aws_lb.front',
    ]);
    expect(r.warnings.filter((w) => w.code === 'unknown_reference')).toEqual([]);
  });

  it('reports progress resource by resource, per file', () => {
    const seen: [number, number][] = [];
    convert([managed('aws_vpc', 'a', []), { mode: 'data', type: 'aws_ami', name: 'b', instances: [] }], {
      onProgress: (d: number, t: number) => seen.push([d, t]),
    });
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});

describe('terraform details a reader relies on', () => {
  it('drops dependencies on data sources at any module depth, and resolves one on a resource in an indexed module', () => {
    const r = convert([
      managed('aws_subnet', 's', [{ attributes: {} }], { module: 'module.net["eu"]' }),
      managed('aws_instance', 'vm', [
        {
          attributes: {},
          dependencies: [
            'data.aws_ami.img',
            'module.a.module.b.data.aws_ami.img',
            'module.a["k"].data.aws_ami.img',
            'module.net["eu"].aws_subnet.s',
          ],
        },
      ]),
    ]);
    expect(r.document.relationships.map((x) => x.to)).toEqual(['tf:abcdef12/module.net_eu_.aws_subnet.s']);
    expect(r.warnings).toEqual([]);
  });

  it('adds no attribute keys for what a resource leaves out', () => {
    const keys = (type: string) => Object.keys(one(type, {}).attributes!);
    const base = ['terraformAddress', 'terraformType', 'cloudProvider'];
    expect(keys('aws_instance')).toEqual(base);
    expect(keys('aws_db_instance')).toEqual([...base, 'engine']);
    expect(keys('aws_eks_cluster')).toEqual(base);
  });

  it('never joins through an empty id', () => {
    const r = convert([
      managed('aws_lb_target_group', 'tg', [{ attributes: { arn: 'arn:tg' } }]),
      managed('aws_instance', 'vm', [{ attributes: { id: '', arn: '' } }]),
      managed('aws_lb_target_group_attachment', 'a', [{ attributes: { target_group_arn: 'arn:tg', target_id: '' } }]),
    ]);
    expect(r.document.relationships).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual(['unknown_reference']);
  });

  it('says nothing about data sources when there are none, and names every file in a summary warning', () => {
    const files = [
      { path: 'a.tfstate', text: state([managed('aws_kms_key', 'k', [{ attributes: {} }])]) },
      { path: 'b.tfstate', text: state([{ mode: 'data', type: 'aws_ami', name: 'i', instances: [] }], { lineage: 'ffffffff' }) },
    ];
    expect(convertTerraform(files.slice(0, 1)).warnings.map((w) => w.code)).toEqual(['unmapped_type']);
    expect(convertTerraform(files).warnings.map((w) => [w.code, w.file])).toEqual([
      ['skipped', 'a.tfstate, b.tfstate'],
      ['unmapped_type', 'a.tfstate, b.tfstate'],
    ]);
  });
});

describe('malformed terraform state', () => {
  const refused = (text: string) => {
    try {
      convertTerraform([{ path: 's.tfstate', text }]);
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('refuses what is not a version 4 state object, naming the file and field', () => {
    expect(refused('{')).toMatch(/^convert terraform: s\.tfstate: not valid JSON: /);
    expect(refused('[]')).toBe('convert terraform: s.tfstate: expected a state object');
    expect(refused('{"resources":[]}')).toBe(
      'convert terraform: s.tfstate, field "version": state format version null is not supported (expected 4: terraform ≥ 0.12)',
    );
    expect(refused('{"version":4}')).toBe('convert terraform: s.tfstate, field "resources": missing: a state needs a resources array');
  });

  it('refuses malformed resources and instances, naming where', () => {
    expect(refused(state(['x' as never]))).toBe('convert terraform: s.tfstate, resources[0]: expected a resource object');
    for (const f of ['mode', 'type', 'name']) {
      const r: Resource = { mode: 'managed', type: 't', name: 'n', instances: [] };
      delete r[f];
      expect(refused(state([r]))).toBe(`convert terraform: s.tfstate, resources[0], field "${f}": missing: every resource needs a ${f}`);
    }
    expect(refused(state([{ mode: 'imported', type: 't', name: 'n' }]))).toBe(
      'convert terraform: s.tfstate, resources[0], field "mode": must be "managed" or "data", not "imported"',
    );
    expect(refused(state([{ mode: 'managed', type: 't', name: 'n' }]))).toBe(
      'convert terraform: s.tfstate, resources[0], field "instances": missing: a resource needs an instances array',
    );
    expect(refused(state([managed('t', 'n', [{}, 7 as never])]))).toBe(
      'convert terraform: s.tfstate, resources[0].instances[1]: expected an instance object',
    );
    expect(refused(state([managed('t', 'n', [{ attributes: [] }])]))).toBe(
      'convert terraform: s.tfstate, resources[0].instances[0], field "attributes": must be an object',
    );
    expect(refused(state([managed('t', 'n', [{ dependencies: ['a', 1] }])]))).toBe(
      'convert terraform: s.tfstate, resources[0].instances[0], field "dependencies": must be an array of resource addresses',
    );
  });
});
