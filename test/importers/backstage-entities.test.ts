/**
 * The Backstage converter on small inline catalogs: classes by kind and type, the attributes and
 * names it keeps, every relationship field with its default kind and namespace, entities it skips,
 * Location targets, duplicates, progress, and the refusals of malformed entities.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../engine/errors.ts';
import { convertBackstage, entityId, locationTargets, parseEntityRef } from '../../engine/importers/backstage.ts';

const V = 'apiVersion: backstage.io/v1alpha1';
const entity = (kind: string, name: string, spec = '', metadata = '') =>
  `${V}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${metadata}${spec === '' ? '' : `spec:\n${spec}`}`;
const catalog = (...docs: string[]) => convertBackstage([{ path: '/cat/catalog-info.yaml', text: docs.join('\n---\n') }]);
const edgesOf = (r: ReturnType<typeof catalog>) => r.document.relationships.map((x) => `${x.from} ${x.type} ${x.to}`);

describe('backstage entities as CIs', () => {
  it('classes components by type and resources by their type, and keeps a resource type as its engine', () => {
    const r = catalog(
      entity('Component', 'svc', '  type: service\n'),
      entity('Component', 'lib', '  type: library\n'),
      entity('Component', 'bare'),
      entity('Resource', 'q', '  type: Kafka-Topic\n'),
      entity('Resource', 'r', '  type: redis\n'),
      entity('Resource', 'bucket', '  type: s3-bucket\n'),
    );
    expect(r.document.cis.map((c) => [c.id, c.class, c.attributes])).toEqual([
      ['backstage:component/default/svc', 'ApplicationService', { type: 'service' }],
      ['backstage:component/default/lib', 'Application', { type: 'library' }],
      ['backstage:component/default/bare', 'Application', {}],
      ['backstage:resource/default/q', 'MessageQueue', { type: 'Kafka-Topic', engine: 'Kafka-Topic' }],
      ['backstage:resource/default/r', 'Cache', { type: 'redis', engine: 'redis' }],
      ['backstage:resource/default/bucket', 'Resource', { type: 's3-bucket' }],
    ]);
  });

  it('keeps title as name, description, lifecycle, a namespace other than default, distinct tags and a group email', () => {
    const r = catalog(
      entity(
        'Component',
        'Web',
        '  lifecycle: production\n  owner: group:Ops/Platform\n',
        '  namespace: Shop\n  title: The Web\n  description: storefront\n  tags: [a, "b c", a, 7, "  "]\n',
      ),
      entity('Group', 'team', '  profile:\n    email: team@example.com\n'),
      entity('Group', 'quiet', '  profile: {}\n'),
      entity('Domain', 'dom'),
    );
    expect(r.document.cis).toEqual([
      {
        id: 'backstage:component/shop/web',
        class: 'Application',
        name: 'The Web',
        attributes: { lifecycle: 'production', description: 'storefront', namespace: 'shop' },
        tags: ['a', 'b-c'],
        owner: 'platform',
      },
      { id: 'backstage:group/default/team', class: 'Team', name: 'team', attributes: { email: 'team@example.com' } },
      { id: 'backstage:group/default/quiet', class: 'Team', name: 'quiet', attributes: {} },
      {
        id: 'backstage:domain/default/dom',
        class: 'BusinessDomain',
        name: 'dom',
        attributes: {},
        redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }],
      },
    ]);
  });

  it('skips users, unknown kinds and documents of other tools, saying why; empty documents are ignored', () => {
    const r = catalog(
      entity('User', 'jane'),
      entity('Template', 't'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }',
      '',
      'kind: Thing',
    );
    expect(r.document.cis).toEqual([]);
    expect(r.warnings.map((w) => [w.document, w.code, w.message])).toEqual([
      ['document 3', 'skipped', 'not a Backstage entity (apiVersion "v1")'],
      ['document 5', 'skipped', 'not a Backstage entity (apiVersion null)'],
      ['document 1', 'skipped', 'user "jane" is not imported (people own CIs; they are not configuration items)'],
      ['document 2', 'skipped', 'template "t" is not imported (no class for it)'],
    ]);
  });

  it('keeps the first of two entities with one kind, namespace and name, in any case', () => {
    const r = catalog(entity('Component', 'web', '  type: service\n'), entity('component', 'WEB'));
    expect(r.document.cis.map((c) => c.class)).toEqual(['ApplicationService']);
    expect(r.warnings).toEqual([
      {
        file: '/cat/catalog-info.yaml',
        document: 'document 2',
        code: 'duplicate',
        message: 'component "default/WEB" appears twice; the first one is kept',
      },
    ]);
  });

  it('reports progress entity by entity', () => {
    const seen: [number, number][] = [];
    convertBackstage([{ path: 'c.yaml', text: [entity('Component', 'a'), entity('User', 'u')].join('\n---\n') }], {
      onProgress: (d, t) => seen.push([d, t]),
    });
    expect(seen).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });
});

describe('backstage resource types and kept fields', () => {
  it('classes every resource type it knows, in any case', () => {
    const types = {
      database: 'Database',
      db: 'Database',
      postgres: 'Database',
      PostgreSQL: 'Database',
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
    const r = catalog(...Object.keys(types).map((t, i) => entity('Resource', `r${i}`, `  type: ${t}\n`)));
    expect(Object.fromEntries(r.document.cis.map((c) => [c.attributes!.type, c.class]))).toEqual(types);
  });

  it('adds no attribute keys for fields an entity leaves out, and cuts an owner to 200 characters', () => {
    const r = catalog(entity('Component', 'c', `  owner: ${'o'.repeat(250)}\n`), entity('Group', 'g', '  profile: { email: "" }\n'));
    expect(r.document.cis.map((c) => Object.keys(c.attributes!))).toEqual([[], []]);
    expect(r.document.cis[0]!.owner).toHaveLength(200);
  });

  it('takes relationships only from entities it imports', () => {
    const r = catalog(entity('User', 'jane', '  dependsOn: [component:web]\n  memberOf: [team]\n'), entity('Component', 'web'));
    expect(r.document.relationships).toEqual([]);
  });

  it('reads a dependsOn ref without a kind as a component', () => {
    const r = catalog(entity('Component', 'a', '  dependsOn: [b]\n'), entity('Component', 'b'));
    expect(edgesOf(r)).toEqual(['backstage:component/default/a DEPENDS_ON backstage:component/default/b']);
  });
});

describe('backstage relationships', () => {
  it('reads each relationship field with its default kind, in the referring namespace, one ref or a list', () => {
    const r = catalog(
      entity(
        'Component',
        'app',
        '  dependsOn: resource:db\n  consumesApis: [pay]\n  system: shop\n  subcomponentOf: core\n  owner: team\n',
        '  namespace: ns\n',
      ),
      entity('Component', 'core', '  providesApis: pay\n', '  namespace: ns\n'),
      entity('Resource', 'db', '  system: shop\n', '  namespace: ns\n'),
      entity('API', 'pay', '', '  namespace: ns\n'),
      entity('System', 'shop', '  domain: default/biz\n', '  namespace: ns\n'),
      entity('Domain', 'biz', '  subdomainOf: top\n  system: nope\n'),
      entity('Domain', 'top'),
      entity('Group', 'team', '  system: shop\n', '  namespace: ns\n'),
    );
    expect(edgesOf(r)).toEqual([
      'backstage:component/ns/app DEPENDS_ON backstage:resource/ns/db',
      'backstage:component/ns/app DEPENDS_ON backstage:api/ns/pay',
      'backstage:component/ns/app MEMBER_OF backstage:system/ns/shop',
      'backstage:component/ns/app MEMBER_OF backstage:component/ns/core',
      'backstage:component/ns/app MANAGED_BY backstage:group/ns/team',
      'backstage:api/ns/pay DEPENDS_ON backstage:component/ns/core',
      'backstage:resource/ns/db MEMBER_OF backstage:system/ns/shop',
      'backstage:system/ns/shop MEMBER_OF backstage:domain/default/biz',
      'backstage:domain/default/biz MEMBER_OF backstage:domain/default/top',
    ]);
    // A Domain's `system` is read like any entity's; it names nothing here.
    expect(r.warnings.map((w) => [w.field, w.message])).toEqual([
      ['spec.system', 'domain "biz" refers to system:default/nope, which is not in the input'],
    ]);
  });

  it('reads domain only on systems and subdomainOf only on domains', () => {
    const r = catalog(entity('Component', 'c', '  domain: d\n  subdomainOf: d\n'), entity('Domain', 'd'));
    expect(edgesOf(r)).toEqual([]);
    expect(r.warnings).toEqual([]);
  });

  it('records an owner that is not in the input as owner only, without a relationship', () => {
    const r = catalog(entity('Component', 'c', '  owner: user:jane\n'));
    expect(r.document.cis[0]!.owner).toBe('jane');
    expect(r.document.relationships).toEqual([]);
  });

  it('refuses a ref that is not a non-empty string, naming the field', () => {
    expect(() => catalog(entity('Component', 'c', '  system: "  "\n'))).toThrow(
      'convert backstage: /cat/catalog-info.yaml, document 1, field "spec.system": must be an entity ref such as "component:default/name"',
    );
  });
});

describe('backstage refs, ids and Locations', () => {
  it('reads a ref with surrounding spaces, and a colon or slash at the start as part of the name', () => {
    expect(parseEntityRef('  Component:NS/Web ', 'api', 'x')).toEqual({ kind: 'component', namespace: 'ns', name: 'web' });
    expect(parseEntityRef(':web', 'api', 'x')).toEqual({ kind: 'api', namespace: 'x', name: ':web' });
    expect(parseEntityRef('/web', 'api', 'x')).toEqual({ kind: 'api', namespace: 'x', name: '/web' });
    expect(entityId('Component', 'Default', 'My App')).toBe('backstage:component/default/my_app');
  });

  it('lists file targets relative to the Location, and reports remote targets and missing files', () => {
    const files = [
      {
        path: '/cat/catalog-info.yaml',
        text: entity('Location', 'all', '  target: ./a.yaml\n  targets: [b.yaml, "https://x/c.yaml", "  ", 3]\n'),
      },
      { path: '/cat/a.yaml', text: entity('Component', 'a') },
    ];
    expect(locationTargets(files)).toEqual(['/cat/a.yaml', '/cat/b.yaml']);
    // Only Locations have targets; a Location may name one target alone.
    expect(
      locationTargets([
        {
          path: '/cat/c.yaml',
          text: [entity('Location', 'one', '  target: ../x.yaml\n'), entity('Component', 'c', '  target: ./y.yaml\n')].join('\n---\n'),
        },
      ]),
    ).toEqual(['/x.yaml']);
    const r = convertBackstage(files);
    expect(r.document.cis.map((c) => c.id)).toEqual(['backstage:component/default/a']);
    expect(r.warnings.map((w) => [w.field, w.code, w.message])).toEqual([
      ['spec.targets', 'unknown_reference', 'Location "all" target b.yaml is not in the input'],
      ['spec.targets', 'skipped', 'Location "all" target https://x/c.yaml is remote: fetch it and pass the file'],
    ]);
  });
});

describe('malformed backstage entities', () => {
  const refused = (text: string) => {
    try {
      convertBackstage([{ path: 'c.yaml', text }]);
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as Error).message;
    }
    throw new Error('not refused');
  };

  it('refuses invalid YAML, a non-mapping, and an entity without kind, metadata or name, or with a spec that is not a mapping', () => {
    expect(refused('a: [1\n')).toMatch(/^convert backstage: c\.yaml, document 1: not valid YAML: \w+ \w+/);
    expect(refused('- 1\n')).toBe('convert backstage: c.yaml, document 1: expected an entity (a mapping with apiVersion, kind, metadata)');
    expect(refused(`${V}\nmetadata: { name: a }\n`)).toBe(
      'convert backstage: c.yaml, document 1, field "kind": missing: every entity needs a kind',
    );
    expect(refused(`${V}\nkind: Component\n`)).toBe(
      'convert backstage: c.yaml, document 1, field "metadata": missing: a Component needs metadata',
    );
    expect(refused(`${V}\nkind: Component\nmetadata: { name: " " }\n`)).toBe(
      'convert backstage: c.yaml, document 1, field "metadata.name": missing: a Component needs a name',
    );
    expect(refused(`${V}\nkind: Component\nmetadata: { name: a }\nspec: [1]\n`)).toBe(
      'convert backstage: c.yaml, document 1, field "spec": must be a mapping',
    );
  });
});
