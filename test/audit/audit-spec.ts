/**
 * The audit on a real store (SQLite in audit.test.ts, Neo4j in audit.neo4j.test.ts): the demo's
 * seeded defects through the HTTP API, runs stored and read back as a trend, reports, who may do
 * what. Store-specific tampering tests pass a `tamper` that edits an event in the database directly.
 */
import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import request from 'supertest';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { GraphStore } from '../../engine/store/port.ts';
import { importParsed, readImportFiles } from '../../engine/io/import.ts';
import { apiFixture, type ApiFixture } from '../api/harness.ts';
import { DEMO_DEFECTS } from './demo-defects.ts';

const DEMO = join(import.meta.dirname, '../../fixtures/demo/cmdb.json');

export interface AuditStoreHarness {
  create(): Promise<GraphStore>;
}

export function auditSuite(name: string, harness: () => AuditStoreHarness): void {
  describe(`audit over HTTP on ${name}`, () => {
    let fx: ApiFixture;
    beforeAll(async () => {
      fx = await apiFixture(await harness().create(), { now: () => new Date('2026-11-01T00:00:00Z') }, false);
      await importParsed(fx.cmdb, await readImportFiles([DEMO]), { actor: 'demo-loader' });
    }, 120_000);
    afterAll(async () => fx?.close());

    it('lets an auditor run the audit and finds exactly the demo defects, with seq, rule-set hash and log head', async () => {
      const res = await request(fx.app).post('/api/v1/audit/runs').set('Authorization', fx.auth.auditor).send({});
      expect(res.status).toBe(201);
      expect(res.body.findings.map((f: { rule: string; ci?: string; relationship?: string }) => [f.rule, f.ci ?? f.relationship])).toEqual(
        DEMO_DEFECTS,
      );
      expect(res.body).toMatchObject({ seq: fx.cmdb.seq - 1, summary: { findings: 10 }, actor: 'auditor-user' });
      expect(res.body.ruleSetHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.logHead.seq).toBe(res.body.seq);
    });

    it('keeps every run, so the trend of the scores can be read, and renders a stored run as HTML, CSV and JSON', async () => {
      const rules = { builtins: { orphan: false } };
      const second = await request(fx.app).post('/api/v1/audit/runs').set('Authorization', fx.auth.auditor).send({ rules });
      expect(second.status).toBe(201);
      expect(second.body.findings.some((f: { rule: string }) => f.rule === 'orphan')).toBe(false);
      const trend = await request(fx.app).get('/api/v1/audit/runs').set('Authorization', fx.auth.auditor);
      expect(trend.status).toBe(200);
      expect(trend.body.runs.length).toBeGreaterThanOrEqual(2);
      const last = trend.body.runs.at(-1);
      expect(last).toMatchObject({ id: second.body.id, summary: { findings: 8 } });
      expect(trend.body.runs.at(-2).summary.findings).toBe(10);

      const html = await request(fx.app)
        .get(`/api/v1/audit/runs/${second.body.id}/report?format=html`)
        .set('Authorization', fx.auth.auditor);
      expect(html.status).toBe(200);
      expect(html.headers['content-type']).toMatch(/text\/html/);
      expect(html.headers['x-content-sha256']).toBe(createHash('sha256').update(html.text).digest('hex'));
      expect(html.text.indexOf('Summary')).toBeLessThan(html.text.indexOf('Findings by rule'));
      expect(html.text).toContain(second.body.ruleSetHash);
      expect(html.text).toContain('srv-db-01');
      expect(html.text).not.toMatch(/<script|<link|src="http/);
      const csv = await request(fx.app).get(`/api/v1/audit/runs/${second.body.id}/report?format=csv`).set('Authorization', fx.auth.auditor);
      expect(csv.text.trim().split('\n')).toHaveLength(1 + 8);
      const json = await request(fx.app)
        .get(`/api/v1/audit/runs/${second.body.id}/report?format=json`)
        .set('Authorization', fx.auth.auditor);
      expect(JSON.parse(json.text).contentHash).toMatch(/^[0-9a-f]{64}$/);
      expect(csv.text).toContain(JSON.parse(json.text).contentHash);
    });

    it('refuses viewers and engineers, and lets only an admin replace the stored rule file', async () => {
      for (const role of ['viewer', 'engineer'] as const)
        expect((await request(fx.app).post('/api/v1/audit/runs').set('Authorization', fx.auth[role]).send({})).status).toBe(403);
      const body = {
        builtins: { stale: { days: 30 } },
        rules: [
          {
            id: 'db-has-port',
            description: 'databases declare a port',
            scope: { classes: ['Database'] },
            condition: { attribute: 'port', exists: true },
          },
        ],
      };
      expect((await request(fx.app).put('/api/v1/audit/rules').set('Authorization', fx.auth.auditor).send(body)).status).toBe(403);
      const put = await request(fx.app).put('/api/v1/audit/rules').set('Authorization', fx.auth.admin).send(body);
      expect(put.status).toBe(200);
      const got = await request(fx.app).get('/api/v1/audit/rules').set('Authorization', fx.auth.auditor);
      expect(got.body.ruleSetHash).toBe(put.body.ruleSetHash);
      const run = await request(fx.app).post('/api/v1/audit/runs').set('Authorization', fx.auth.auditor).send({ store: false });
      expect(run.status).toBe(200);
      expect(run.body.ruleSetHash).toBe(put.body.ruleSetHash);
      expect(run.body.rules.map((r: { id: string }) => r.id)).toContain('db-has-port');
    });

    it('refuses a bad rule file naming the rule and the field, and stores nothing', async () => {
      const seq = fx.cmdb.seq;
      const bad = await request(fx.app)
        .put('/api/v1/audit/rules')
        .set('Authorization', fx.auth.admin)
        .send({ rules: [{ id: 'x', description: 'd', scope: { classes: ['Nope'] }, condition: { tag: 't' } }] });
      expect(bad.status).toBe(422);
      expect(bad.body.error.message).toMatch(/rule "x", field "scope.classes": unknown class "Nope"/);
      expect(fx.cmdb.seq).toBe(seq);
    });
  });
}
