/** The change and release routes in-process (supertest) through the real app, with a bearer token per test user. */
import type express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { changeCommand } from '../../api/commands/change.ts';
import { CliContext } from '../../api/commands/context.ts';
import { TokenService } from '../../engine/auth/tokens.ts';
import type { Cmdb } from '../../engine/cmdb.ts';
import type { ChangeService } from '../../engine/changes/service.ts';
import { serviceOn, tmpDir, W } from './helpers.ts';

const { dir, cleanup } = tmpDir('cmdb-changes-api-');
let cmdb: Cmdb;
let service: ChangeService;
let app: express.Express;

const USERS = ['erin/engineer', 'vic/viewer', 'carol/change_manager', 'ana/cab_member', 'ben/cab_member'] as const;
const bearer = new Map<string, string>();
/** The Authorization header of a test user `name/role` (a real token each). */
const as = (user: (typeof USERS)[number]) => ({ Authorization: bearer.get(user)! });

beforeAll(async () => {
  ({ cmdb, service } = await serviceOn(dir, { shop: { class: 'BusinessService', criticality: 1 }, db: { class: 'Database' }, lone: {} }, [
    ['shop', 'DEPENDS_ON', 'db'],
  ]));
  const tokens = new TokenService(cmdb);
  for (const user of USERS) {
    const [name, role] = user.split('/') as [string, string];
    bearer.set(user, `Bearer ${(await tokens.create({ name, role }, { actor: 'seed' })).token}`);
  }
  app = createApp({ cmdb, tokens, rateLimit: false, now: service.now });
});
afterAll(async () => {
  await cmdb.close();
  cleanup();
});

const sat = W('2026-12-05T22:00:00Z', '2026-12-06T02:00:00Z');
const body = {
  title: 'patch db',
  targets: [{ ci: 'db', effect: 'down' }],
  window: sat,
  implementationPlan: 'apt upgrade',
  backoutPlan: 'snapshot',
};

describe('changes API', () => {
  it('creates a change with 201, a Location and an ETag, and reads it back', async () => {
    const res = await request(app).post('/api/v1/changes').set(as('erin/engineer')).send(body).expect(201);
    expect(res.headers.location).toBe(`/api/v1/changes/${res.body.id}`);
    expect(res.headers.etag).toBe('"1"');
    const got = await request(app).get(`/api/v1/changes/${res.body.id}`).set(as('vic/viewer')).expect(200);
    expect(got.body).toMatchObject({ id: res.body.id, state: 'draft', requester: 'erin' });
    const list = await request(app).get('/api/v1/changes?state=draft').set(as('vic/viewer')).expect(200);
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(res.body.id);
  });

  it('answers 400 with zod issues for a malformed body, 422 for an unknown CI, 403 for a viewer, 404 for an unknown change', async () => {
    const bad = await request(app)
      .post('/api/v1/changes')
      .set(as('erin/engineer'))
      .send({ ...body, window: { start: 'soon', end: 'later' } })
      .expect(400);
    expect(bad.body.error.code).toBe('invalid_input');
    expect(bad.body.error.details[0].path).toEqual(['window', 'start']);
    const unknown = await request(app)
      .post('/api/v1/changes')
      .set(as('erin/engineer'))
      .send({ ...body, targets: [{ ci: 'ghost' }] })
      .expect(422);
    expect(unknown.body.error.message).toBe('create change: target CI "ghost" not found');
    await request(app).post('/api/v1/changes').set(as('vic/viewer')).send(body).expect(403);
    await request(app).get('/api/v1/changes/CHG-999999').set(as('vic/viewer')).expect(404);
  });

  it('refuses a change transition from draft to approved with 409 and the allowed states', async () => {
    const { body: c } = await request(app).post('/api/v1/changes').set(as('erin/engineer')).send(body).expect(201);
    const res = await request(app)
      .post(`/api/v1/changes/${c.id}/transitions`)
      .set(as('carol/change_manager'))
      .send({ to: 'approved' })
      .expect(409);
    expect(res.body.error.details.allowed).toEqual(['submitted', 'cancelled']);
  });

  it('honours If-Match on PATCH: a stale version is 412, the current one succeeds with the next ETag', async () => {
    const { body: c } = await request(app).post('/api/v1/changes').set(as('erin/engineer')).send(body).expect(201);
    await request(app).patch(`/api/v1/changes/${c.id}`).set(as('erin/engineer')).set('If-Match', '"7"').send({ title: 'x' }).expect(412);
    const ok = await request(app)
      .patch(`/api/v1/changes/${c.id}`)
      .set(as('erin/engineer'))
      .set('If-Match', '"1"')
      .send({ title: 'patch db v2' })
      .expect(200);
    expect(ok.headers.etag).toBe('"2"');
    await request(app)
      .patch(`/api/v1/changes/${c.id}`)
      .set(as('erin/engineer'))
      .set('If-Match', 'garbage')
      .send({ title: 'x' })
      .expect(400);
  });

  it('runs a change through CAB: assessment, wrong role 403, quorum, conflicts, freeze windows and a release plan', async () => {
    const { body: c } = await request(app).post('/api/v1/changes').set(as('erin/engineer')).send(body).expect(201);
    const url = `/api/v1/changes/${c.id}`;
    for (const to of ['submitted', 'assessed', 'cab_review'])
      await request(app).post(`${url}/transitions`).set(as('erin/engineer')).send({ to }).expect(200);
    const a = await request(app).get(`${url}/assessment`).set(as('vic/viewer')).expect(200);
    expect(a.body.assessment.risk.level).toBe('high');
    expect(a.body.frozen).toBeNull();
    await request(app).post(`${url}/approvals`).set(as('erin/engineer')).send({ decision: 'approve' }).expect(403);
    await request(app).post(`${url}/approvals`).set(as('ana/cab_member')).send({ decision: 'reject' }).expect(400);
    await request(app).post(`${url}/approvals`).set(as('ana/cab_member')).send({ decision: 'approve' }).expect(200);
    const done = await request(app)
      .post(`${url}/approvals`)
      .set(as('ben/cab_member'))
      .send({ decision: 'approve', reason: 'lgtm' })
      .expect(200);
    expect(done.body.state).toBe('approved');
    expect(done.body.frozenAssessment.assessment.seq).toBeGreaterThan(0);

    const { body: other } = await request(app)
      .post('/api/v1/changes')
      .set(as('erin/engineer'))
      .send({ ...body, targets: [{ ci: 'shop', effect: 'none' }] })
      .expect(201);
    const conflicts = await request(app).get(`/api/v1/changes/${other.id}/conflicts`).set(as('vic/viewer')).expect(200);
    expect(conflicts.body.conflicts[0]).toMatchObject({
      change: c.id,
      reasons: [{ kind: 'target_in_blast_radius', direction: 'ours_in_theirs', cis: ['shop'] }],
    });

    await request(app)
      .post('/api/v1/freeze-windows')
      .set(as('erin/engineer'))
      .send({ name: 'x', ...sat, scope: { global: true } })
      .expect(403);
    const fw = await request(app)
      .post('/api/v1/freeze-windows')
      .set(as('carol/change_manager'))
      .send({ name: 'year end', ...sat, scope: { global: true } })
      .expect(201);
    expect(fw.body).toMatchObject({ id: 'FRZ-000001', kind: 'freeze', scope: { global: true, services: [], cis: [] } });
    expect((await request(app).get('/api/v1/freeze-windows').set(as('vic/viewer')).expect(200)).body.items).toHaveLength(1);

    const rel = await request(app)
      .post('/api/v1/releases')
      .set(as('erin/engineer'))
      .send({ name: 'r1', changes: [c.id, other.id] })
      .expect(201);
    const plan = await request(app).get(`/api/v1/releases/${rel.body.id}/plan`).set(as('vic/viewer')).expect(200);
    expect(plan.body.plan.steps.map((s: { cis: string[] }) => s.cis)).toEqual([['db'], ['shop']]);
    expect((await request(app).get('/api/v1/releases').set(as('vic/viewer')).expect(200)).body.items).toHaveLength(1);
  });
});

describe('cmdb change CLI', () => {
  it('creates, lists and shows changes, with --json', async () => {
    let out = '';
    // The context hands the commands our open Cmdb (and leaves it open); the caller is the local user "erin".
    const ctx = new CliContext({
      globals: () => ({ store: 'sqlite:unused' }),
      io: { stdout: (t) => (out += t), stderr: () => {}, stderrIsTTY: false, env: {}, user: 'erin' },
      openCmdb: async () => cmdb,
    });
    const cli = () => changeCommand(ctx).exitOverride();
    await cli().parseAsync(
      [
        'create',
        '--title',
        'cli change',
        '--ci',
        'lone:degraded',
        '--start',
        '2027-01-10T01:00:00+01:00',
        '--end',
        '2027-01-10T03:00:00+01:00',
        '--plan',
        'p',
        '--backout',
        'b',
        '--json',
      ],
      { from: 'user' },
    );
    const created = JSON.parse(out) as { id: string; targets: unknown; requester: string };
    expect(created).toMatchObject({
      requester: 'local:erin',
      targets: [{ ci: 'lone', effect: 'degraded' }],
      window: { start: '2027-01-10T00:00:00.000Z', end: '2027-01-10T02:00:00.000Z' },
    });
    out = '';
    await cli().parseAsync(['transition', created.id, 'submitted'], { from: 'user' });
    expect(out).toBe(`${created.id} is now submitted\n`);
    out = '';
    await cli().parseAsync(['show', created.id], { from: 'user' });
    expect(out).toContain('type normal, state submitted');
    out = '';
    await cli().parseAsync(['assess', created.id], { from: 'user' });
    expect(out).toMatch(/^risk low \(score 1\)/);
  });
});
