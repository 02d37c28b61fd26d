/**
 * The demo CMDB's seeded data-quality defects (fixtures/demo/README.md): the default rule set finds
 * every one and nothing else. The audit clock is pinned to 2026-11-01: after cert-partner-edi's
 * expiry (2026-08-31) and more than 30 days before cert-sso-nwo's (2026-12-15), which the README
 * says is not a defect (docs/decisions.md, "Configuration audit").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { importParsed, readImportFiles } from '../../engine/io/import.ts';
import { AuditService, type AuditRun } from '../../engine/verification/audit-service.ts';
import { DEMO_DEFECTS } from './demo-defects.ts';

const DEMO = join(import.meta.dirname, '../../fixtures/demo/cmdb.json');
const DEMO_CLOCK = new Date('2026-11-01T00:00:00Z');

describe('audit of the demo CMDB', () => {
  let dir: string;
  let cmdb: Cmdb;
  let run: AuditRun;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'cmdb-audit-demo-'));
    cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, 'demo.sqlite')), registry: Registry.load() });
    await importParsed(cmdb, await readImportFiles([DEMO]), { actor: 'demo-loader' });
    run = await new AuditService(cmdb).run({ actor: 'auditor', now: DEMO_CLOCK, store: false });
  });
  afterAll(async () => {
    await cmdb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every seeded defect and nothing else', () => {
    expect(run.findings.map((f) => [f.rule, f.ci ?? f.relationship])).toEqual(DEMO_DEFECTS);
  });

  it('explains each defect with its evidence', () => {
    const by = (rule: string) => run.findings.find((f) => f.rule === rule)!;
    expect(by('duplicate').evidence).toMatchObject({ original: 'srv-db-02', key: { serialNumber: 'CZJ2440D9K' } });
    expect(by('dependency-cycle').evidence.cycle).toEqual(['app-inventory', 'app-order-mgmt']);
    expect(by('single-point-of-failure').evidence).toMatchObject({ service: 'svc-checkout', kind: 'hard' });
    expect(by('single-point-of-failure').evidence.path!.at(-1)).toMatchObject({ to: 'srv-db-01' });
    const cert = by('certificate-expiry');
    expect(cert.severity).toBe('error');
    expect(cert.evidence.path![0]).toEqual({ from: 'as-partner-edi', type: 'DEPENDS_ON', to: 'cert-partner-edi' });
    expect((cert.evidence.services as { state: string }[]).every((s) => s.state === 'down')).toBe(true);
  });

  it('scores the estate below 100 in each category the defects touch', () => {
    expect(run.summary).toMatchObject({ cis: 371, findings: 10, bySeverity: { error: 5, warning: 5, info: 0 } });
    expect(run.summary.completeness).toBe(99.5);
    expect(run.byClass.Server!.completeness).toBeLessThan(100);
    expect(run.byClass.BusinessService).toMatchObject({ score: 100 });
  });

  it('flags cert-sso-nwo once the clock is within 30 days of its expiry', async () => {
    const later = await new AuditService(cmdb).run({ actor: 'auditor', now: new Date('2026-11-23T00:00:00Z'), store: false });
    expect(later.findings.filter((f) => f.rule === 'certificate-expiry').map((f) => [f.ci, f.severity])).toEqual([
      ['cert-partner-edi', 'error'],
      ['cert-sso-nwo', 'warning'],
    ]);
  });

  it('widened to applications, databases and caches, the unsupported rule finds only the tooling and standby replicas the README calls normal estate', async () => {
    // The default scope is application services (decisions.md); widened, the rule must not turn up
    // a production data store or application the demo forgot to wire to its service.
    const widened = await new AuditService(cmdb).run({
      actor: 'auditor',
      now: DEMO_CLOCK,
      store: false,
      rules: { version: 1, builtins: { unsupported: { classes: ['ApplicationService', 'Application', 'Database', 'Cache'] } }, rules: [] },
    });
    expect(widened.findings.filter((f) => f.rule === 'unsupported').map((f) => f.ci)).toEqual([
      'app-gitlab',
      'app-logging',
      'app-monitoring',
      'app-rancher',
      'app-vcenter',
      'db-catalog-02',
      'db-payments-02',
    ]);
  });
});
