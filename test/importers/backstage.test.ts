import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { convertBackstage, locationTargets, parseEntityRef } from '../../engine/importers/backstage.ts';
import { InputError } from '../../engine/errors.ts';
import { edges, FIXTURES, fixtureFiles, impactOf, importDocument, sqliteCmdb, tempDir } from './helpers.ts';

const tmp = tempDir('cmdb-backstage-');
afterAll(() => tmp.cleanup());
const files = fixtureFiles('backstage');
const { document: doc, warnings } = convertBackstage(files);
const rel = new Set(edges(doc));
const ci = (id: string) => doc.cis.find((c) => c.id === id);

describe('backstage converter', () => {
  it('reads entity refs in their short and full forms', () => {
    expect(parseEntityRef('checkout-api', 'api', 'default')).toEqual({ kind: 'api', namespace: 'default', name: 'checkout-api' });
    expect(parseEntityRef('api:payments/Payments-API', 'component', 'default')).toEqual({
      kind: 'api',
      namespace: 'payments',
      name: 'payments-api',
    });
    expect(parseEntityRef('default/commerce', 'domain', 'payments')).toEqual({ kind: 'domain', namespace: 'default', name: 'commerce' });
    expect(parseEntityRef('group:shop-team', 'user', 'ns1')).toEqual({ kind: 'group', namespace: 'ns1', name: 'shop-team' });
  });

  it('maps each kind to a class', () => {
    expect(ci('backstage:component/default/web')).toMatchObject({
      class: 'ApplicationService',
      owner: 'shop-team',
      tags: ['frontend', 'react'],
      attributes: { type: 'website', lifecycle: 'production' },
    });
    expect(ci('backstage:api/default/checkout-api')?.class).toBe('Api');
    expect(ci('backstage:resource/default/orders-db')).toMatchObject({ class: 'Database', attributes: { engine: 'database' } });
    expect(ci('backstage:resource/default/session-cache')?.class).toBe('Cache');
    expect(ci('backstage:system/default/shop')).toMatchObject({
      class: 'BusinessService',
      name: 'Online shop',
      redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 1 }],
    });
    expect(ci('backstage:domain/default/commerce')?.class).toBe('BusinessDomain');
    expect(ci('backstage:group/default/shop-team')).toMatchObject({ class: 'Team', attributes: { email: 'shop-team@example.com' } });
    expect(ci('backstage:user/default/jdoe')).toBeUndefined();
    expect(warnings.find((w) => w.message.includes('user "jdoe"'))?.code).toBe('skipped');
  });

  it('turns providesApis and consumesApis into a consumer → API → provider chain', () => {
    expect(rel).toContain('backstage:api/default/checkout-api DEPENDS_ON backstage:component/default/checkout');
    expect(rel).toContain('backstage:component/default/web DEPENDS_ON backstage:api/default/checkout-api');
    expect(rel).toContain('backstage:component/default/checkout DEPENDS_ON backstage:api/payments/payments-api');
    expect(rel).toContain('backstage:api/payments/payments-api DEPENDS_ON backstage:component/payments/payments');
  });

  it('turns dependsOn, system, domain and owner into relationships', () => {
    expect(rel).toContain('backstage:component/default/checkout DEPENDS_ON backstage:resource/default/orders-db');
    expect(rel).toContain('backstage:component/default/checkout DEPENDS_ON backstage:resource/default/session-cache');
    expect(rel).toContain('backstage:component/default/checkout MEMBER_OF backstage:system/default/shop');
    expect(rel).toContain('backstage:system/default/shop MEMBER_OF backstage:domain/default/commerce');
    expect(rel).toContain('backstage:system/payments/payments MEMBER_OF backstage:domain/default/commerce');
    expect(rel).toContain('backstage:component/default/web MANAGED_BY backstage:group/default/shop-team');
  });

  it('reports refs to entities not in the input instead of aborting', () => {
    const missing = warnings.filter((w) => w.code === 'unknown_reference').map((w) => `${w.field}: ${w.message}`);
    expect(missing).toEqual([expect.stringContaining('spec.dependsOn[0]: component "payments" refers to resource:payments/ledger-db')]);
  });

  it('lists the file targets of Locations for the CLI to read, and reports a target missing from the input', () => {
    expect(locationTargets(files)).toEqual([join(FIXTURES, 'backstage', 'payments.yaml')]);
    const alone = convertBackstage(files.filter((f) => f.path.endsWith('catalog-info.yaml')));
    expect(
      alone.warnings.some((w) => w.code === 'unknown_reference' && w.message.includes('target ./payments.yaml is not in the input')),
    ).toBe(true);
  });

  it('names file, document and field of a malformed entity', () => {
    const text = 'apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\nspec:\n  dependsOn: [42]\n';
    expect(() => convertBackstage([{ path: 'c.yaml', text }])).toThrow(InputError);
    expect(() => convertBackstage([{ path: 'c.yaml', text }])).toThrow('c.yaml, document 1, field "spec.dependsOn[0]"');
    expect(() => convertBackstage([{ path: 'd.yaml', text: 'apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {}\n' }])).toThrow(
      'd.yaml, document 1, field "metadata.name"',
    );
  });

  it('an outage of the orders database takes the storefront down and degrades the shop system', async () => {
    const cmdb = await sqliteCmdb(tmp.dir);
    try {
      await importDocument(cmdb, doc);
      const hit = impactOf(cmdb, 'backstage:resource/default/orders-db');
      expect(hit.get('backstage:component/default/checkout')).toBe('down');
      expect(hit.get('backstage:api/default/checkout-api')).toBe('down');
      expect(hit.get('backstage:component/default/web')).toBe('down');
      expect(hit.get('backstage:system/default/shop')).toBe('degraded');
      expect(hit.get('backstage:domain/default/commerce')).toBe('degraded');
      expect(hit.has('backstage:component/payments/payments')).toBe(false);
      // the payments provider's outage reaches the storefront through two APIs
      expect(impactOf(cmdb, 'backstage:component/payments/payments').get('backstage:component/default/web')).toBe('down');
    } finally {
      await cmdb.close();
    }
  });
});
