/**
 * Separation of duties over HTTP (policy `separationOfDuties`, on by default): the requester is
 * the authenticated principal and never a body field, cannot vote on or approve its own change,
 * one vote per principal, and whoever approved a change does not implement it. The test policy
 * asks one change_manager approval at every risk level above low, so the rules — not the risk
 * arithmetic of the seed graph — decide each answer.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadPolicy } from '../../engine/policy/policy.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { api, apiFixture, type ApiFixture } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-sod-'));
let n = 0;
const CM = { role: 'change_manager', count: 1 };
const window = { start: '2027-01-09T22:00:00Z', end: '2027-01-10T02:00:00Z' };
const plans = { implementationPlan: 'patch and reboot', backoutPlan: 'restore the snapshot' };

async function fixture(sod?: { requesterCannotApprove: boolean; implementerNotApprover: boolean }) {
  const store = new SqliteStore(join(dir, `sod-${++n}.sqlite`));
  await store.init();
  const policy = loadPolicy({
    approvals: { low: [], medium: [CM], high: [CM], critical: [CM] },
    ...(sod ? { separationOfDuties: sod } : {}),
  });
  const fx = await apiFixture(store, { policy, authFailureLimit: false });
  const extra: Record<string, string> = {};
  for (const [name, role] of [
    ['carol', 'change_manager'],
    ['dave', 'change_manager'],
    ['erin', 'engineer'],
    ['eddie', 'engineer'],
  ] as const) {
    extra[name] = `Bearer ${(await fx.tokens.create({ name, role }, { actor: 'seed' })).token}`;
  }
  return { fx, as: extra };
}

/** A change by `who`, moved to `assessed` (and to cab_review when `cab`). */
async function changeBy(fx: ApiFixture, who: string, target: { ci: string; effect: string }, cab: boolean): Promise<string> {
  const { body: c } = await api(fx.app)
    .post('/api/v1/changes')
    .set('Authorization', who)
    .send({ title: 'work', targets: [target], window, ...plans })
    .expect(201);
  for (const to of cab ? ['submitted', 'assessed', 'cab_review'] : ['submitted', 'assessed']) {
    await api(fx.app).post(`/api/v1/changes/${c.id}/transitions`).set('Authorization', who).send({ to }).expect(200);
  }
  return c.id as string;
}

describe('separation of duties', () => {
  let fx: ApiFixture;
  let as: Record<string, string>;
  beforeEach(async () => {
    ({ fx, as } = await fixture());
  });
  afterEach(async () => {
    await fx.close();
  });

  it('takes the requester from the token and refuses a body that names one', async () => {
    const bad = await api(fx.app)
      .post('/api/v1/changes')
      .set('Authorization', as.erin!)
      .send({ title: 'x', requester: 'someone-else' })
      .expect(400);
    expect(bad.body.error.details[0]).toMatchObject({ in: 'body', code: 'unrecognized_keys' });
    const { body } = await api(fx.app).post('/api/v1/changes').set('Authorization', as.erin!).send({ title: 'x' }).expect(201);
    expect(body.requester).toBe('erin');
    const history = await api(fx.app).get(`/api/v1/changes/${body.id}/history`).set('Authorization', fx.auth.auditor).expect(200);
    expect(history.body.items[0].actor).toBe('erin');
  });

  it('refuses a vote by the requester of the change, even with a voting role, and lets another change manager approve', async () => {
    const id = await changeBy(fx, as.carol!, { ci: 'db-orders', effect: 'down' }, true);
    const own = await api(fx.app)
      .post(`/api/v1/changes/${id}/approvals`)
      .set('Authorization', as.carol!)
      .send({ decision: 'approve' })
      .expect(403);
    expect(own.body.error.details).toMatchObject({ rule: 'requesterCannotApprove', by: 'carol' });
    const ownReject = await api(fx.app)
      .post(`/api/v1/changes/${id}/approvals`)
      .set('Authorization', as.carol!)
      .send({ decision: 'reject', reason: 'never mind' })
      .expect(403);
    expect(ownReject.body.error.details.rule).toBe('requesterCannotApprove');
    const ok = await api(fx.app)
      .post(`/api/v1/changes/${id}/approvals`)
      .set('Authorization', as.dave!)
      .send({ decision: 'approve' })
      .expect(200);
    expect(ok.body).toMatchObject({ state: 'approved', approvals: [{ by: 'dave', decision: 'approve' }] });
  });

  it('counts one vote per principal: the same vote again changes nothing, a different one is refused', async () => {
    const policy = loadPolicy({
      approvals: {
        low: [],
        medium: [{ role: 'change_manager', count: 2 }],
        high: [{ role: 'change_manager', count: 2 }],
        critical: [{ role: 'change_manager', count: 2 }],
      },
    });
    const store = new SqliteStore(join(dir, `sod-${++n}.sqlite`));
    await store.init();
    const two = await apiFixture(store, { policy, authFailureLimit: false });
    try {
      const dave = `Bearer ${(await two.tokens.create({ name: 'dave', role: 'change_manager' }, { actor: 'seed' })).token}`;
      const id = await changeBy(two, two.auth.engineer, { ci: 'db-orders', effect: 'down' }, true);
      const first = await api(two.app)
        .post(`/api/v1/changes/${id}/approvals`)
        .set('Authorization', dave)
        .send({ decision: 'approve' })
        .expect(200);
      const again = await api(two.app)
        .post(`/api/v1/changes/${id}/approvals`)
        .set('Authorization', dave)
        .send({ decision: 'approve' })
        .expect(200);
      expect(again.body).toMatchObject({ state: 'cab_review', version: first.body.version, approvals: [{ by: 'dave' }] });
      const flip = await api(two.app)
        .post(`/api/v1/changes/${id}/approvals`)
        .set('Authorization', dave)
        .send({ decision: 'reject', reason: 'second thoughts' })
        .expect(409);
      expect(flip.body.error.details).toMatchObject({ by: 'dave', decision: 'approve' });
    } finally {
      await two.close();
    }
  });

  it('refuses the requester approving its own low-risk change without CAB, and lets a colleague approve it', async () => {
    const id = await changeBy(fx, as.erin!, { ci: 'srv-01', effect: 'none' }, false);
    const own = await api(fx.app)
      .post(`/api/v1/changes/${id}/transitions`)
      .set('Authorization', as.erin!)
      .send({ to: 'approved' })
      .expect(403);
    expect(own.body.error.details.rule).toBe('requesterCannotApprove');
    await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.eddie!).send({ to: 'approved' }).expect(200);
  });

  it('refuses the approver implementing the change, and lets someone else (the requester included) implement it', async () => {
    const id = await changeBy(fx, as.erin!, { ci: 'db-orders', effect: 'down' }, true);
    await api(fx.app).post(`/api/v1/changes/${id}/approvals`).set('Authorization', as.dave!).send({ decision: 'approve' }).expect(200);
    await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.dave!).send({ to: 'scheduled' }).expect(200);
    const own = await api(fx.app)
      .post(`/api/v1/changes/${id}/transitions`)
      .set('Authorization', as.dave!)
      .send({ to: 'in_progress' })
      .expect(403);
    expect(own.body.error.details).toMatchObject({ rule: 'implementerNotApprover', by: 'dave' });
    await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.erin!).send({ to: 'in_progress' }).expect(200);
    const done = await api(fx.app)
      .post(`/api/v1/changes/${id}/transitions`)
      .set('Authorization', as.dave!)
      .send({ to: 'implemented' })
      .expect(403);
    expect(done.body.error.details.rule).toBe('implementerNotApprover');
    await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.erin!).send({ to: 'implemented' }).expect(200);
  });

  it('keeps a cab_member out of writing changes and releases, and a viewer out of change history', async () => {
    await api(fx.app).post('/api/v1/changes').set('Authorization', fx.auth.cab_member).send({ title: 'x' }).expect(403);
    const { body: c } = await api(fx.app).post('/api/v1/changes').set('Authorization', as.erin!).send({ title: 'x' }).expect(201);
    await api(fx.app)
      .post('/api/v1/releases')
      .set('Authorization', fx.auth.cab_member)
      .send({ name: 'r', changes: [c.id] })
      .expect(403);
    await api(fx.app).get(`/api/v1/changes/${c.id}/history`).set('Authorization', fx.auth.viewer).expect(403);
    await api(fx.app).get(`/api/v1/changes/${c.id}`).set('Authorization', fx.auth.viewer).expect(200);
  });
});

describe('separation of duties switched off in the policy', () => {
  it('lets the requester vote and the approver implement when the organisation turns both rules off', async () => {
    const { fx, as } = await fixture({ requesterCannotApprove: false, implementerNotApprover: false });
    try {
      const id = await changeBy(fx, as.carol!, { ci: 'db-orders', effect: 'down' }, true);
      await api(fx.app).post(`/api/v1/changes/${id}/approvals`).set('Authorization', as.carol!).send({ decision: 'approve' }).expect(200);
      await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.carol!).send({ to: 'scheduled' }).expect(200);
      await api(fx.app).post(`/api/v1/changes/${id}/transitions`).set('Authorization', as.carol!).send({ to: 'in_progress' }).expect(200);
    } finally {
      await fx.close();
    }
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
