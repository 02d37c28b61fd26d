/**
 * api/services.ts: one place wires the services, so the app and the CLI apply the same policy,
 * priority matrix and SLA policy — read from the organisation's files named by the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { InputError } from '../../engine/errors.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { createServices, loadServiceConfig } from '../../api/services.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-services-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('createServices', () => {
  it('reads the change policy, priority matrix and SLA policy named by the environment, and hands the same ones to every service', async () => {
    const policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify({ separationOfDuties: { implementerNotApprover: false } }));
    const matrixFile = join(dir, 'matrix.json');
    writeFileSync(
      matrixFile,
      JSON.stringify({
        high: { high: 'P1', medium: 'P1', low: 'P2' },
        medium: { high: 'P2', medium: 'P3', low: 'P4' },
        low: { high: 'P3', medium: 'P4', low: 'P5' },
      }),
    );
    const config = loadServiceConfig({ CMDB_POLICY: policyFile, CMDB_PRIORITY_MATRIX: matrixFile });
    expect(config.policy.separationOfDuties).toEqual({ requesterCannotApprove: true, implementerNotApprover: false });
    expect(config.matrix.high.medium).toBe('P1');

    const store = new SqliteStore(join(dir, 's.sqlite'));
    await store.init();
    const cmdb = await Cmdb.open({ store, registry: Registry.load() });
    try {
      const s = createServices({ cmdb, ...config });
      expect(s.changes.policy).toBe(config.policy);
      expect(s.incidents.matrix).toBe(config.matrix);
      expect(s.config).toEqual(config);
      await cmdb.apply(
        [
          {
            op: 'upsertCI',
            ci: {
              id: 'db',
              class: 'Database',
              name: 'db',
              status: 'in_service',
              environment: 'production',
              criticality: 2,
              attributes: {},
              tags: [],
              redundancy: [],
            },
          },
        ],
        { actor: 't' },
      );
      const inc = await s.incidents.create(
        { title: 'slow', description: '', cis: ['db'], category: 'general', impact: 'high', urgency: 'medium' },
        { name: 'erin', role: 'engineer' },
      );
      expect(inc.priority).toBe('P1');
    } finally {
      await cmdb.close();
    }
  });

  it('refuses an unreadable or invalid policy file at start-up, naming it', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ separationOfDuties: { requesterCannotApprove: 'sometimes' } }));
    expect(() => loadServiceConfig({ CMDB_POLICY: bad })).toThrow(InputError);
    expect(() => loadServiceConfig({ CMDB_POLICY: bad })).toThrow(/bad\.json/);
    expect(() => loadServiceConfig({ CMDB_SLA_POLICY: join(dir, 'missing.json') })).toThrow(/missing\.json/);
  });
});
