/**
 * The persona stories through the real app (createApp, bearer tokens) on the demo CMDB, shared by
 * both stores: the engineer on call asks what an outage takes down, the CAB runs a change through
 * assessment, conflicts, freezes and quorum.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readImportFiles, importParsed } from '../../engine/io/import.ts';
import type { GraphStore } from '../../engine/store/port.ts';
import { api, apiFixture, type ApiFixture } from './harness.ts';

const DEMO = fileURLToPath(new URL('../../fixtures/demo/cmdb.json', import.meta.url));
interface Story {
  id: string;
  question: string;
  origins: { id: string; effect: 'down' | 'degraded' }[];
  services: Record<string, 'down' | 'degraded'>;
  down: string[];
  degraded: string[];
  unaffected: string[];
  impactedCount: { down: number; degraded: number };
}
const STORIES = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/demo/stories.json', import.meta.url)), 'utf8')) as { stories: Story[] }
).stories.filter((s) => Array.isArray(s.origins));

export function personaSuite(name: string, createStore: () => Promise<GraphStore>): void {
  describe(`persona stories over HTTP on the demo CMDB (${name})`, () => {
    let fx: ApiFixture;
    /** A critical-risk change needs 3 cab_member votes and 1 change_manager vote (default policy). */
    let board: string[];
    beforeAll(async () => {
      fx = await apiFixture(await createStore(), { now: () => new Date('2026-11-20T12:00:00Z') }, false);
      await importParsed(fx.cmdb, await readImportFiles([DEMO]), { actor: 'demo-loader' });
      board = [fx.auth.cab_member];
      for (const name of ['cab-2', 'cab-3'])
        board.push(`Bearer ${(await fx.tokens.create({ name, role: 'cab_member' }, { actor: 'test' })).token}`);
      board.push(fx.auth.change_manager);
    }, 120_000);
    afterAll(async () => {
      await fx?.close();
    });

    it.each(STORIES.map((s) => [s.question, s] as const))('on call: %s', async (_q, story) => {
      const res = await api(fx.app)
        .post('/api/v1/impact')
        .set('Authorization', fx.auth.viewer)
        .send({ origins: story.origins.map((o) => ({ ci: o.id, effect: o.effect })) })
        .expect(200);
      const states = new Map<string, string>((res.body.impacted as { id: string; state: string }[]).map((c) => [c.id, c.state]));
      expect(Object.fromEntries((res.body.services as { id: string; state: string }[]).map((s) => [s.id, s.state]))).toEqual(
        story.services,
      );
      for (const id of story.down) expect([id, states.get(id)]).toEqual([id, 'down']);
      for (const id of story.degraded) expect([id, states.get(id)]).toEqual([id, 'degraded']);
      for (const id of story.unaffected) expect(states.has(id)).toBe(false);
      expect({ down: res.body.counts.down, degraded: res.body.counts.degraded }).toEqual(story.impactedCount);
      expect(res.body.seq).toBe(fx.cmdb.seq);
    });

    it('on call: "what does srv-db-01 affect?" answers with depth, the explaining path and the tier-1 services down', async () => {
      const res = await api(fx.app).get('/api/v1/cis/srv-db-01/impact').set('Authorization', fx.auth.viewer).expect(200);
      const db = res.body.impacted.find((c: { id: string }) => c.id === 'db-orders-01');
      expect(db).toMatchObject({ state: 'down', depth: 1, via: [{ from: 'db-orders-01', type: 'RUNS_ON', to: 'srv-db-01' }] });
      expect(res.body.services.find((s: { id: string }) => s.id === 'svc-checkout')).toMatchObject({
        state: 'down',
        criticality: 1,
        owner: expect.any(String),
      });
      const shallow = await api(fx.app).get('/api/v1/cis/srv-db-01/impact?depth=1').set('Authorization', fx.auth.viewer).expect(200);
      expect(shallow.body.impacted.every((c: { depth: number }) => c.depth <= 1)).toBe(true);
      expect(shallow.body.impacted.length).toBeLessThan(res.body.impacted.length);
    });

    it('on call: "what does checkout depend on?" and its single points of failure', async () => {
      const deps = await api(fx.app).get('/api/v1/cis/svc-checkout/dependencies').set('Authorization', fx.auth.viewer).expect(200);
      expect(deps.body.dependencies.map((d: { id: string }) => d.id)).toEqual(
        expect.arrayContaining(['app-checkout', 'db-orders-01', 'srv-db-01']),
      );
      const spof = await api(fx.app).get('/api/v1/cis/svc-checkout/spof').set('Authorization', fx.auth.viewer).expect(200);
      const ids = spof.body.spofs.map((s: { id: string }) => s.id);
      expect(ids).toEqual(expect.arrayContaining(['srv-db-01', 'san-east-01']));
      expect(ids).not.toContain('esx-east-01');
    });

    it('refuses bad impact questions with the error shape, never a 500', async () => {
      const missing = await api(fx.app).get('/api/v1/cis/no-such-ci/impact').set('Authorization', fx.auth.viewer).expect(404);
      expect(missing.body.error.message).toBe('impact: CI "no-such-ci" not found');
      await api(fx.app).get('/api/v1/cis/srv-db-01/impact?mode=gone').set('Authorization', fx.auth.viewer).expect(400);
      await api(fx.app).get('/api/v1/cis/srv-db-01/impact?types=LIKES').set('Authorization', fx.auth.viewer).expect(400);
      await api(fx.app).post('/api/v1/impact').set('Authorization', fx.auth.viewer).send({ origins: [] }).expect(400);
      await api(fx.app).get('/api/v1/cis/srv-db-01/impact').expect(401);
    });

    it('CAB: patching one ESX host of the payments cluster is assessed, conflicts with an overlapping change, and needs the CAB quorum', async () => {
      const window = { start: '2026-12-05T22:00:00Z', end: '2026-12-06T02:00:00Z' };
      const create = (title: string, targets: { ci: string; effect: string }[], type = 'normal') =>
        api(fx.app)
          .post('/api/v1/changes')
          .set('Authorization', fx.auth.engineer)
          .send({ title, type, targets, window, implementationPlan: 'patch and reboot', backoutPlan: 'roll back the host image' });
      const { body: patch } = await create('patch esx-east-02', [{ ci: 'esx-east-02', effect: 'down' }]).expect(201);
      const url = `/api/v1/changes/${patch.id}`;

      const illegal = await api(fx.app)
        .post(`${url}/transitions`)
        .set('Authorization', fx.auth.engineer)
        .send({ to: 'approved' })
        .expect(409);
      expect(illegal.body.error.details.allowed).toEqual(['submitted', 'cancelled']);
      for (const to of ['submitted', 'assessed', 'cab_review'])
        await api(fx.app).post(`${url}/transitions`).set('Authorization', fx.auth.engineer).send({ to }).expect(200);

      const { body: assessment } = await api(fx.app).get(`${url}/assessment`).set('Authorization', fx.auth.viewer).expect(200);
      const factors = assessment.assessment.risk.factors as { id?: string; name?: string; points: number }[];
      expect(assessment.assessment.risk.score).toBe(factors.reduce((sum, f) => sum + f.points, 0));
      expect(JSON.stringify(assessment.assessment)).toContain('svc-payments');

      const { body: other } = await create('re-cable rack-east-a2', [{ ci: 'esxc-east-01', effect: 'degraded' }]).expect(201);
      const conflicts = await api(fx.app).get(`/api/v1/changes/${other.id}/conflicts`).set('Authorization', fx.auth.viewer).expect(200);
      expect(conflicts.body.conflicts).toEqual([]);

      expect(assessment.assessment.risk.level).toBe('critical');
      await api(fx.app).post(`${url}/approvals`).set('Authorization', fx.auth.viewer).send({ decision: 'approve' }).expect(403);
      await api(fx.app).post(`${url}/approvals`).set('Authorization', fx.auth.admin).send({ decision: 'approve' }).expect(403);
      const states: string[] = [];
      let seqBeforeVote = 0;
      for (const who of board) {
        seqBeforeVote = fx.cmdb.seq;
        states.push(
          (
            await api(fx.app)
              .post(`${url}/approvals`)
              .set('Authorization', who)
              .send({ decision: 'approve', reason: 'window agreed' })
              .expect(200)
          ).body.state,
        );
      }
      expect(states).toEqual(['cab_review', 'cab_review', 'cab_review', 'approved']);
      const { body: approved } = await api(fx.app).get(url).set('Authorization', fx.auth.viewer).expect(200);
      // Frozen: the blast radius the CAB approved, with the graph sequence it was computed on.
      expect(approved.frozenAssessment.assessment.seq).toBe(seqBeforeVote);
      expect(approved.frozenAssessment.assessment.blastRadius.services.map((s: { id: string }) => s.id)).toEqual(
        expect.arrayContaining(['svc-payments', 'svc-checkout']),
      );
      const now = await api(fx.app).get(`/api/v1/changes/${other.id}/conflicts`).set('Authorization', fx.auth.viewer).expect(200);
      expect(now.body.conflicts.map((c: { change: string }) => c.change)).toEqual([patch.id]);
      // Before / after with actors is the audit trail: viewers lack history:read, auditors have it.
      await api(fx.app).get(`${url}/history`).set('Authorization', fx.auth.viewer).expect(403);
      const history = await api(fx.app).get(`${url}/history`).set('Authorization', fx.auth.auditor).expect(200);
      expect(JSON.stringify(history.body)).toContain('engineer-user');
    });

    it('on call: a burst of incidents after srv-db-01 fails is correlated to it, becomes a known error, and its workaround is offered downstream', async () => {
      const t0 = Date.UTC(2026, 10, 20, 2, 0, 0);
      const at = (m: number) => new Date(t0 + m * 60_000).toISOString();
      const ids: string[] = [];
      for (const [ci, m, title] of [
        ['srv-db-01', 0, 'srv-db-01 host down'],
        ['db-orders-01', 1, 'orders database unreachable'],
        ['app-checkout', 3, 'checkout errors 500'],
        ['app-order-mgmt', 3, 'order management failing'],
        ['svc-checkout', 5, 'checkout synthetic check failing'],
      ] as const) {
        const res = await api(fx.app)
          .post('/api/v1/incidents')
          .set('Authorization', fx.auth.engineer)
          .send({ title, description: '', cis: [ci], category: 'availability', impact: 'high', urgency: 'high', openedAt: at(m) })
          .expect(201);
        expect(res.body.priority).toBe('P1');
        ids.push(res.body.id);
      }
      await api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', fx.auth.viewer)
        .send({ title: 'x', description: '', cis: ['srv-db-01'], category: 'availability', impact: 'low', urgency: 'low' })
        .expect(403);

      const correlation = await api(fx.app)
        .post('/api/v1/correlate')
        .set('Authorization', fx.auth.viewer)
        .send({ window: '30m' })
        .expect(200);
      const group = correlation.body.groups.find((g: { incidents: string[] }) => g.incidents.includes(ids[0]!));
      expect(group.incidents.sort()).toEqual([...ids].sort());
      expect(group.candidates[0].id).toBe('srv-db-01');

      const { body: problem } = await api(fx.app)
        .post('/api/v1/problems/from-correlation')
        .set('Authorization', fx.auth.engineer)
        .send({ incidents: group.incidents, candidates: group.candidates })
        .expect(201);
      expect(problem).toMatchObject({ rootCause: 'srv-db-01', state: 'new' });
      await api(fx.app)
        .post(`/api/v1/problems/${problem.id}/transitions`)
        .set('Authorization', fx.auth.engineer)
        .send({ to: 'investigating' })
        .expect(200);
      const workaround = 'Fail over to db-orders-02 (runbook RB-17) and point app-checkout at it.';
      await api(fx.app)
        .post(`/api/v1/problems/${problem.id}/transitions`)
        .set('Authorization', fx.auth.engineer)
        .send({ to: 'known_error', workaround })
        .expect(200);

      const { body: downstream } = await api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', fx.auth.engineer)
        .send({
          title: 'inventory sync failing',
          description: 'orders database timeouts',
          cis: ['app-inventory'],
          category: 'availability',
          impact: 'medium',
          urgency: 'high',
        })
        .expect(201);
      expect(downstream.knownErrors).toEqual([
        expect.objectContaining({ problem: problem.id, rootCause: 'srv-db-01', workaround, via: 'provider' }),
      ]);
      const suggestions = await api(fx.app)
        .get(`/api/v1/incidents/${downstream.id}/suggestions`)
        .set('Authorization', fx.auth.viewer)
        .expect(200);
      expect(suggestions.body.knownErrors[0].problem).toBe(problem.id);
      const article = suggestions.body.articles[0];
      expect(article.reasons).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'known_error', detail: problem.id })]));
      const { body: published } = await api(fx.app)
        .get(`/api/v1/articles/${article.article}`)
        .set('Authorization', fx.auth.viewer)
        .expect(200);
      expect(JSON.stringify(published)).toContain('RB-17');
      const unrelated = await api(fx.app)
        .post('/api/v1/incidents')
        .set('Authorization', fx.auth.engineer)
        .send({ title: 'HR portal slow', description: '', cis: ['app-gitlab'], category: 'performance', impact: 'low', urgency: 'low' })
        .expect(201);
      expect(unrelated.body.knownErrors).toEqual([]);
    });

    it('CAB: a freeze window on a service blocks a normal change on anything it depends on; an emergency change passes with a recorded override', async () => {
      const window = { start: '2026-12-24T08:00:00Z', end: '2026-12-24T12:00:00Z' };
      await api(fx.app)
        .post('/api/v1/freeze-windows')
        .set('Authorization', fx.auth.change_manager)
        .send({ name: 'christmas trading', ...window, scope: { services: ['svc-checkout'] } })
        .expect(201);
      const run = async (type: string) => {
        const { body: c } = await api(fx.app)
          .post('/api/v1/changes')
          .set('Authorization', fx.auth.engineer)
          .send({
            title: `${type} db patch`,
            type,
            targets: [{ ci: 'srv-db-01', effect: 'down' }],
            window,
            implementationPlan: 'p',
            backoutPlan: 'b',
          })
          .expect(201);
        const url = `/api/v1/changes/${c.id}`;
        for (const to of ['submitted', 'assessed', 'cab_review'])
          await api(fx.app).post(`${url}/transitions`).set('Authorization', fx.auth.engineer).send({ to }).expect(200);
        for (const who of board.slice(0, -1))
          await api(fx.app).post(`${url}/approvals`).set('Authorization', who).send({ decision: 'approve', reason: 'needed' }).expect(200);
        // The vote that reaches quorum is where the freeze is checked.
        return {
          last: await api(fx.app)
            .post(`${url}/approvals`)
            .set('Authorization', board.at(-1)!)
            .send({ decision: 'approve', reason: 'needed' }),
          url,
        };
      };
      const normal = await run('normal');
      expect(normal.last.status).toBe(409);
      expect(normal.last.body.error.message).toMatch(/freeze/i);
      expect((await api(fx.app).get(normal.url).set('Authorization', fx.auth.viewer)).body.state).toBe('cab_review');
      const emergency = await run('emergency');
      expect(emergency.last.status).toBe(200);
      expect(emergency.last.body.state).toBe('approved');
      expect(emergency.last.body.freezeOverride).toMatchObject({ windows: [expect.any(String)], by: 'change_manager-user' });
    });
  });
}
