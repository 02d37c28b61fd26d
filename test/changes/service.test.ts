/** ChangeService and ReleaseService on a real SQLite store (a temp file per test). */
import { afterAll, describe, expect, it } from 'vitest';
import { CmdbError, ConflictError, ForbiddenError, SemanticError } from '../../engine/errors.ts';
import type { ChangeCreate, Principal } from '../../engine/changes/model.ts';
import type { ChangeService } from '../../engine/changes/service.ts';
import { ReleaseService } from '../../engine/releases/service.ts';
import { batchOf, P, serviceOn, tmpDir, W, type NodeSpec } from './helpers.ts';

const { dir, cleanup } = tmpDir('cmdb-changes-');
afterAll(cleanup);

// shop (tier 1) → api → db → vm; blog (tier 2) → cms; lone stands alone;
// cluster needs 2 of its 3 members.
const nodes: Record<string, NodeSpec> = {
  shop: { class: 'BusinessService', criticality: 1, owner: 'web-team' },
  api: {},
  db: { class: 'Database' },
  vm: { class: 'VirtualMachine' },
  blog: { class: 'BusinessService', criticality: 2 },
  cms: {},
  lone: {},
  cluster: { class: 'Cluster', redundancy: [{ relationship: 'MEMBER_OF', minAvailable: 2 }] },
  m1: { class: 'Server' },
  m2: { class: 'Server' },
  m3: { class: 'Server' },
};
const edges: [string, string, string][] = [
  ['shop', 'DEPENDS_ON', 'api'],
  ['api', 'DEPENDS_ON', 'db'],
  ['db', 'RUNS_ON', 'vm'],
  ['blog', 'DEPENDS_ON', 'cms'],
  ['m1', 'MEMBER_OF', 'cluster'],
  ['m2', 'MEMBER_OF', 'cluster'],
  ['m3', 'MEMBER_OF', 'cluster'],
];

const sat = W('2026-12-05T22:00:00Z', '2026-12-06T02:00:00Z');
const fresh = () => serviceOn(dir, nodes, edges);

function draft(targets: ChangeCreate['targets'], extra: Partial<ChangeCreate> = {}): ChangeCreate {
  return {
    type: 'normal',
    title: 'patch',
    description: '',
    targets,
    window: sat,
    implementationPlan: 'apply patch',
    backoutPlan: 'restore snapshot',
    ...extra,
  };
}

/** Creates a change and moves it to `assessed` (or cab_review). */
async function toAssessed(service: ChangeService, c: ChangeCreate, who: Principal = P.eng) {
  const created = await service.create(c, who);
  await service.transition(created.id, { to: 'submitted' }, who);
  return service.transition(created.id, { to: 'assessed' }, who);
}
async function toCab(service: ChangeService, c: ChangeCreate) {
  const a = await toAssessed(service, c);
  return service.transition(a.id, { to: 'cab_review' }, P.eng);
}

describe('ChangeService', () => {
  it('creates changes with sequential ids and the caller as requester, and refuses an unknown target CI', async () => {
    const { service, cmdb } = await fresh();
    const a = await service.create(draft([{ ci: 'db', effect: 'down' }]), P.eng);
    const b = await service.create(draft([{ ci: 'lone', effect: 'none' }]), P.cm);
    expect([a.id, b.id]).toEqual(['CHG-000001', 'CHG-000002']);
    expect(a).toMatchObject({ state: 'draft', requester: 'erin', version: 1, approvals: [], assessment: null });
    expect(b.requester).toBe(P.cm.name);
    const err = await service.create(draft([{ ci: 'nope', effect: 'down' }]), P.eng).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SemanticError);
    expect((err as SemanticError).details).toEqual({ path: ['targets', 0, 'ci'], value: 'nope' });
    await expect(service.create(draft([]), P.viewer)).rejects.toBeInstanceOf(ForbiddenError);
    await cmdb.close();
  });

  it('records every transition with the actor and the change id in the event log', async () => {
    const { service, cmdb } = await fresh();
    const c = await service.create(draft([{ ci: 'lone', effect: 'down' }]), P.eng);
    await service.transition(c.id, { to: 'submitted' }, P.eng2);
    await service.transition(c.id, { to: 'cancelled', reason: 'not needed' }, P.cm);
    const events = await service.history(c.id);
    expect(events.map((e) => [e.actor, e.changeId, (e.after as unknown as { doc: { state: string } }).doc.state])).toEqual([
      ['erin', 'CHG-000001', 'draft'],
      ['eddie', 'CHG-000001', 'submitted'],
      ['carol', 'CHG-000001', 'cancelled'],
    ]);
    const last = await service.get(c.id);
    expect(last.transitions.map((t) => [t.from, t.to, t.by, t.reason])).toEqual([
      ['draft', 'submitted', 'eddie', undefined],
      ['submitted', 'cancelled', 'carol', 'not needed'],
    ]);
    await cmdb.close();
  });

  it('refuses submitting an incomplete change, naming what is missing', async () => {
    const { service, cmdb } = await fresh();
    const c = await service.create(
      { type: 'normal', title: 'idea', description: '', targets: [], implementationPlan: '', backoutPlan: '' },
      P.eng,
    );
    const err = (await service.transition(c.id, { to: 'submitted' }, P.eng).catch((e: unknown) => e)) as SemanticError;
    expect(err).toBeInstanceOf(SemanticError);
    expect((err.details as { path: string[] }[]).map((d) => d.path[0])).toEqual(['targets', 'window', 'implementationPlan', 'backoutPlan']);
    await cmdb.close();
  });

  it('refuses a change transition from draft to approved, listing the allowed states', async () => {
    const { service, cmdb } = await fresh();
    const c = await service.create(draft([{ ci: 'lone', effect: 'down' }]), P.eng);
    const err = (await service.transition(c.id, { to: 'approved' }, P.cm).catch((e: unknown) => e)) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.details).toEqual({ id: c.id, from: 'draft', to: 'approved', allowed: ['submitted', 'cancelled'] });
    expect((await service.get(c.id)).version).toBe(1);
    await cmdb.close();
  });

  it('cancels a scheduled change but not one in progress', async () => {
    const { service, cmdb } = await fresh();
    const low = await toAssessed(service, draft([{ ci: 'lone', effect: 'down' }]));
    expect(low.assessment!.risk.level).toBe('low');
    await service.transition(low.id, { to: 'approved' }, P.cm);
    await service.transition(low.id, { to: 'scheduled' }, P.cm);
    const low2 = await toAssessed(
      service,
      draft([{ ci: 'm3', effect: 'degraded' }], { window: W('2027-01-01T00:00:00Z', '2027-01-01T01:00:00Z') }),
    );
    await service.transition(low2.id, { to: 'approved' }, P.cm);
    await service.transition(low2.id, { to: 'scheduled' }, P.cm);
    await service.transition(low2.id, { to: 'in_progress' }, P.eng);
    const err = (await service.transition(low2.id, { to: 'cancelled' }, P.cm).catch((e: unknown) => e)) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect((err.details as { allowed: string[] }).allowed).toEqual(['implemented', 'failed', 'rolled_back']);
    expect((await service.transition(low.id, { to: 'cancelled' }, P.cm)).state).toBe('cancelled');
    await cmdb.close();
  });

  it('keeps a high-risk change in cab_review until two cab members approve; the same user twice counts once; other roles are refused', async () => {
    const { service, cmdb } = await fresh();
    const c = await toCab(service, draft([{ ci: 'db', effect: 'down' }]));
    // shop tier 1 down 40 + db, api, shop down 3 × 2 = 46
    expect(c.assessment!.risk).toMatchObject({ score: 46, level: 'high' });
    expect(c.assessment!.approvalsRequired).toEqual([{ role: 'cab_member', count: 2 }]);

    const one = await service.vote(c.id, { decision: 'approve', reason: 'ok' }, P.cab1);
    expect(one.state).toBe('cab_review');
    const again = await service.vote(c.id, { decision: 'approve', reason: 'still ok' }, P.cab1);
    expect(again).toMatchObject({ state: 'cab_review', version: one.version });
    expect(again.approvals).toHaveLength(1);
    await expect(service.vote(c.id, { decision: 'approve', reason: '' }, P.cm)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.vote(c.id, { decision: 'approve', reason: '' }, P.eng)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(service.transition(c.id, { to: 'approved' }, P.cm)).rejects.toThrow(/quorum not reached .*1\/2 cab_member/);
    await expect(service.vote(c.id, { decision: 'reject', reason: 'changed my mind' }, P.cab1)).rejects.toBeInstanceOf(ConflictError);

    const seqBefore = cmdb.seq;
    const approved = await service.vote(c.id, { decision: 'approve', reason: '' }, P.cab2);
    expect(approved.state).toBe('approved');
    expect(approved.transitions.at(-1)).toMatchObject({
      from: 'cab_review',
      to: 'approved',
      by: 'ben',
      reason: 'quorum reached (2/2 cab_member)',
    });
    const frozen = approved.frozenAssessment!;
    expect(frozen).toMatchObject({ frozenBy: 'ben', assessment: { seq: seqBefore, risk: { level: 'high' } } });
    expect(frozen.assessment.blastRadius.services.map((s) => [s.id, s.state])).toEqual([['shop', 'down']]);
    await cmdb.close();
  });

  it('keeps the frozen assessment when the graph changes after approval, while a fresh one sees the change', async () => {
    const { service, cmdb } = await fresh();
    const c = await toCab(service, draft([{ ci: 'db', effect: 'down' }]));
    await service.vote(c.id, { decision: 'approve', reason: '' }, P.cab1);
    const approved = await service.vote(c.id, { decision: 'approve', reason: '' }, P.cab2);
    await cmdb.apply(batchOf({ reports: {} }, [['reports', 'DEPENDS_ON', 'db']]), { actor: 'import' });
    const view = await service.assessment(c.id);
    expect(view.frozen).toEqual(approved.frozenAssessment);
    expect(view.frozen!.assessment.blastRadius.impacted.map((i) => i.id)).toEqual(['api', 'shop']);
    expect(view.assessment.blastRadius.impacted.map((i) => i.id)).toEqual(['api', 'reports', 'shop']);
    expect(view.assessment.seq).toBeGreaterThan(view.frozen!.assessment.seq);
    await cmdb.close();
  });

  it('lets a low-risk change and a medium-risk standard change skip CAB, but not a medium-risk normal change', async () => {
    const { service, cmdb } = await fresh();
    const low = await toAssessed(service, draft([{ ci: 'lone', effect: 'down' }]));
    // Not by its requester (separation of duties): another engineer approves it.
    expect((await service.transition(low.id, { to: 'approved' }, P.eng2)).state).toBe('approved');

    const later = W('2027-02-01T00:00:00Z', '2027-02-01T01:00:00Z');
    const normal = await toAssessed(service, draft([{ ci: 'cms', effect: 'down' }], { window: later }));
    // blog tier 2 down 25 + cms, blog down 2 × 2 = 29
    expect(normal.assessment!.risk).toMatchObject({ score: 29, level: 'medium' });
    const err = (await service.transition(normal.id, { to: 'approved' }, P.cm).catch((e: unknown) => e)) as ConflictError;
    expect(err).toBeInstanceOf(ConflictError);
    expect(err.message).toMatch(/needs CAB review \(1 change_manager\)/);

    const standard = await toAssessed(
      service,
      draft([{ ci: 'cms', effect: 'down' }], { type: 'standard', window: W('2027-03-01T00:00:00Z', '2027-03-01T01:00:00Z') }),
    );
    const ok = await service.transition(standard.id, { to: 'approved' }, P.eng);
    expect(ok.state).toBe('approved');
    expect(ok.frozenAssessment!.assessment.risk.level).toBe('medium');

    const bigStandard = await toAssessed(
      service,
      draft([{ ci: 'db', effect: 'down' }], { type: 'standard', window: W('2027-04-01T00:00:00Z', '2027-04-01T01:00:00Z') }),
    );
    await expect(service.transition(bigStandard.id, { to: 'approved' }, P.eng)).rejects.toThrow(
      /high-risk standard change needs CAB review/,
    );
    await cmdb.close();
  });

  it('blocks a normal change in a freeze at approval, and lets an emergency change pass with a recorded override', async () => {
    const { service, cmdb } = await fresh();
    await expect(
      service.createWindow(
        'freeze',
        { name: 'peak', start: sat.start, end: sat.end, scope: { global: false, services: ['shop'], cis: [] }, reason: '' },
        P.eng,
      ),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const f = await service.createWindow(
      'freeze',
      {
        name: 'peak',
        start: '2026-12-05T00:00:00.000Z',
        end: '2026-12-07T00:00:00.000Z',
        scope: { global: false, services: ['shop'], cis: [] },
        reason: 'peak season',
      },
      P.cm,
    );
    expect(f.id).toBe('FRZ-000001');

    // vm is a transitive provider of shop, so the shop freeze covers it.
    const normal = await toAssessed(service, draft([{ ci: 'vm', effect: 'degraded' }]));
    expect(normal.assessment!.freezes).toEqual([
      { window: 'FRZ-000001', name: 'peak', start: f.start, end: f.end, global: false, cis: [{ ci: 'vm', via: 'service:shop' }] },
    ]);
    await service.transition(normal.id, { to: 'cab_review' }, P.eng);
    // shop degraded 20 + 4 CIs degraded 4 + freeze 40 = 64
    expect((await service.get(normal.id)).assessment!.risk).toMatchObject({ score: 64, level: 'high' });
    await service.vote(normal.id, { decision: 'approve', reason: '' }, P.cab1);
    const blocked = (await service.vote(normal.id, { decision: 'approve', reason: '' }, P.cab2).catch((e: unknown) => e)) as ConflictError;
    expect(blocked).toBeInstanceOf(ConflictError);
    expect(blocked.message).toMatch(/blocked by freeze window FRZ-000001/);
    expect((await service.get(normal.id)).state).toBe('cab_review');

    const emergency = await toCab(service, draft([{ ci: 'vm', effect: 'degraded' }], { type: 'emergency', title: 'CVE fix' }));
    // 64 + emergency 15 = 79: critical, 3 cab_member + 1 change_manager
    expect(emergency.assessment!.risk).toMatchObject({ score: 79, level: 'critical' });
    for (const p of [P.cab1, P.cab2, P.cab3]) await service.vote(emergency.id, { decision: 'approve', reason: '' }, p);
    const passed = await service.vote(emergency.id, { decision: 'approve', reason: 'actively exploited' }, P.cm);
    expect(passed.state).toBe('approved');
    expect(passed.freezeOverride).toEqual({
      windows: ['FRZ-000001'],
      by: 'carol',
      at: '2026-12-01T09:00:00.000Z',
      reason: 'actively exploited',
    });
    expect(passed.frozenAssessment!.assessment.risk.factors.find((x) => x.id === 'freeze_windows')!.evidence[0]).toMatchObject({
      override: true,
    });
    await cmdb.close();
  });

  it('rejects with a reason and sends the change back to draft for rework with its votes cleared', async () => {
    const { service, cmdb } = await fresh();
    const c = await toCab(service, draft([{ ci: 'cms', effect: 'down' }]));
    await expect(service.vote(c.id, { decision: 'reject', reason: ' ' }, P.cm)).rejects.toBeInstanceOf(SemanticError);
    const rejected = await service.vote(c.id, { decision: 'reject', reason: 'no back-out test' }, P.cm);
    expect(rejected).toMatchObject({ state: 'rejected', approvals: [{ by: 'carol', decision: 'reject', reason: 'no back-out test' }] });
    const rework = await service.transition(c.id, { to: 'draft' }, P.eng);
    expect(rework).toMatchObject({ state: 'draft', approvals: [], assessment: null });
    await cmdb.close();
  });

  it('feeds post-implementation review outcomes into the failure rate of later changes on the same targets', async () => {
    const { service, cmdb } = await fresh();
    const run = async (
      end: 'implemented' | 'failed' | 'rolled_back',
      window: { start: string; end: string },
      reviewOutcome?: 'successful' | 'failed',
    ) => {
      // standard: pre-approved up to medium risk, which the growing failure rate reaches
      const c = await toAssessed(service, draft([{ ci: 'lone', effect: 'down' }], { window, type: 'standard' }));
      for (const to of ['approved', 'scheduled', 'in_progress', end] as const) await service.transition(c.id, { to }, P.eng);
      return service.review(c.id, { outcome: reviewOutcome, notes: 'pir' }, P.cm);
    };
    const r1 = await run('failed', W('2026-11-01T00:00:00Z', '2026-11-01T01:00:00Z'));
    expect(r1).toMatchObject({ state: 'reviewed', outcome: 'failed', review: { outcome: 'failed', notes: 'pir', by: 'carol' } });
    await run('implemented', W('2026-11-02T00:00:00Z', '2026-11-02T01:00:00Z'));
    await run('implemented', W('2026-11-03T00:00:00Z', '2026-11-03T01:00:00Z'), 'failed');
    await run('rolled_back', W('2026-11-04T00:00:00Z', '2026-11-04T01:00:00Z'));
    const next = await toAssessed(service, draft([{ ci: 'lone', effect: 'down' }]));
    const f = next.assessment!.risk.factors.find((x) => x.id === 'failure_rate')!;
    // 3 of 4 failed (the third was implemented but its review found it failed): round(30 × 0.75) = 23
    expect(f.points).toBe(23);
    expect(f.evidence[0]).toEqual({ samples: 4, failures: 3, rate: 0.75, minSamples: 1, points: 23 });
    expect((await service.transition(r1.id, { to: 'closed' }, P.cm)).state).toBe('closed');
    await cmdb.close();
  });

  it('lists conflicts with approved changes in overlapping windows, not with drafts', async () => {
    const { service, cmdb } = await fresh();
    const a = await toAssessed(service, draft([{ ci: 'm1', effect: 'down' }], { type: 'standard' }));
    await service.transition(a.id, { to: 'approved' }, P.cm);
    await service.create(draft([{ ci: 'm2', effect: 'down' }]), P.eng);
    const b = await service.create(draft([{ ci: 'cluster', effect: 'none' }]), P.eng);
    expect(await service.conflicts(b.id)).toEqual([
      {
        change: a.id,
        title: 'patch',
        state: 'approved',
        overlap: sat,
        reasons: [
          {
            kind: 'target_in_blast_radius',
            direction: 'ours_in_theirs',
            cis: ['cluster'],
            message: `cluster lies in the blast radius of ${a.id}`,
          },
        ],
      },
    ]);
    const assessed = await toAssessed(service, draft([{ ci: 'm1', effect: 'degraded' }]));
    expect(assessed.assessment!.risk.factors.find((x) => x.id === 'conflicts')!.points).toBe(15);
    await cmdb.close();
  });

  it('allows only description and assignee to change after submission, and refuses a stale version', async () => {
    const { service, cmdb } = await fresh();
    const c = await service.create(draft([{ ci: 'lone', effect: 'down' }]), P.eng);
    const edited = await service.update(c.id, { targets: [{ ci: 'cms', effect: 'degraded' }], assignee: 'erin' }, P.eng, 1);
    expect(edited).toMatchObject({ version: 2, targets: [{ ci: 'cms', effect: 'degraded' }], assignee: 'erin' });
    const stale = (await service.update(c.id, { title: 'x' }, P.eng, 1).catch((e: unknown) => e)) as CmdbError;
    expect(stale.code).toBe('precondition_failed');
    await service.transition(c.id, { to: 'submitted' }, P.eng);
    await expect(service.update(c.id, { window: null }, P.eng)).rejects.toThrow(/window can only change in draft/);
    expect((await service.update(c.id, { description: 'more detail', assignee: null }, P.eng)).assignee).toBeNull();
    await expect(service.update(c.id, { targets: [{ ci: 'ghost', effect: 'down' }] }, P.eng)).rejects.toBeInstanceOf(ConflictError);
    await cmdb.close();
  });

  it('reads open incidents and problems on impacted CIs when such records exist', async () => {
    const { service, cmdb } = await fresh();
    await cmdb.apply(
      [
        { op: 'putRecord', kind: 'incident', id: 'INC-000001', doc: { cis: ['shop'], state: 'in_progress', title: 'slow checkout' } },
        { op: 'putRecord', kind: 'incident', id: 'INC-000002', doc: { cis: ['shop'], state: 'closed' } },
        { op: 'putRecord', kind: 'problem', id: 'PRB-000001', doc: { rootCause: 'db', state: 'known_error' } },
      ],
      { actor: 'itsm' },
    );
    const c = await toAssessed(service, draft([{ ci: 'db', effect: 'degraded' }]));
    const f = (id: string) => c.assessment!.risk.factors.find((x) => x.id === id)!;
    expect(f('open_incidents')).toMatchObject({ points: 5, evidence: [{ incident: 'INC-000001', cis: ['shop'] }] });
    expect(f('open_problems')).toMatchObject({ points: 5, evidence: [{ problem: 'PRB-000001', rootCause: 'db' }] });
    await cmdb.close();
  });

  it('stores a recomputed assessment on request without moving the state', async () => {
    const { service, cmdb } = await fresh();
    const c = await toAssessed(service, draft([{ ci: 'lone', effect: 'down' }]));
    await cmdb.apply(batchOf({ shop2: { class: 'BusinessService', criticality: 1 } }, [['shop2', 'DEPENDS_ON', 'lone']]), {
      actor: 'import',
    });
    const again = await service.reassess(c.id, P.eng);
    expect(again.state).toBe('assessed');
    expect(again.assessment.risk.level).toBe('high');
    expect((await service.get(c.id)).assessment!.risk.level).toBe('high');
    await cmdb.close();
  });
});

describe('ReleaseService', () => {
  it('plans a release provider-first and combines impact: two members together breach the cluster each alone only degrades', async () => {
    const { service, cmdb } = await fresh();
    const releases = new ReleaseService(cmdb, service);
    const a = await toAssessed(service, draft([{ ci: 'm1', effect: 'down' }]));
    const b = await toAssessed(
      service,
      draft([
        { ci: 'm2', effect: 'down' },
        { ci: 'cluster', effect: 'none' },
      ]),
    );
    expect(a.assessment!.blastRadius.impacted).toMatchObject([{ id: 'cluster', state: 'degraded' }]);
    await expect(releases.create({ name: 'r', description: '', changes: ['CHG-000099'] }, P.eng)).rejects.toBeInstanceOf(SemanticError);
    const rel = await releases.create({ name: 'cluster patch', description: '', changes: [a.id, b.id] }, P.eng);
    expect(rel.id).toBe('REL-000001');
    const view = await releases.plan(rel.id);
    expect(view.plan.steps.map((s) => [s.cis, s.changes])).toEqual([
      [['m1'], [a.id]],
      [['m2'], [b.id]],
      [['cluster'], [b.id]],
    ]);
    expect(view.plan.steps[2]!.after).toEqual([1, 2]);
    expect(view.assessment.blastRadius.impacted).toMatchObject([{ id: 'cluster', state: 'down' }]);
    // the release's own changes do not conflict with each other
    expect(view.assessment.conflicts).toEqual([]);
    expect(view.changes.map((c) => [c.id, c.level])).toEqual([
      [a.id, 'medium'],
      [b.id, 'medium'],
    ]);
    expect((await releases.list({ limit: 10 })).items.map((r) => r.id)).toEqual(['REL-000001']);
    await cmdb.close();
  });
});
