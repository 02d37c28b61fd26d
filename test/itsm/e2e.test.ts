/** End to end on a real SQLite store holding the demo CMDB (see e2e.ts for the story). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { Cmdb } from '../../engine/cmdb.ts';
import { importParsed, readImportFiles } from '../../engine/io/import.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { itsmServices } from '../../api/routes/itsm.ts';
import { registry } from './helpers.ts';
import { itsmStory } from './e2e.ts';

const DEMO = fileURLToPath(new URL('../../fixtures/demo/cmdb.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cmdb-itsm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function demoCmdb(): Promise<Cmdb> {
  const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `itsm-${++n}.sqlite`)), registry });
  await importParsed(cmdb, await readImportFiles([DEMO]), { actor: 'test' });
  return cmdb;
}

describe('ITSM end to end on SQLite', () => {
  it('correlates an outage to srv-db-01, records the problem and offers its workaround downstream', async () => {
    const cmdb = await demoCmdb();
    try {
      const r = await itsmStory(cmdb);
      expect(r.logged.map((i) => i.priority)).toEqual(['P1', 'P1', 'P1', 'P1', 'P1', 'P1']);
      expect(r.group.candidates[0]!.id).toBe('srv-db-01');
      expect(r.group.incidents.sort()).toEqual(r.logged.map((i) => i.id).sort());
      // The unrelated incident is a group of its own, behind the outage.
      expect(r.correlation.unexplained).toEqual([]);
      expect(r.correlation.groups.map((g) => g.incidents)).toEqual([r.group.incidents, [r.noise.id]]);
      expect(r.correlation.groups[1]!.basis).toBe('single');
      expect(r.correlation.groups[1]!.candidates[0]!.id).toBe('app-gitlab');
      expect(r.correlation.groups[0]!.confidence).toBeGreaterThan(r.correlation.groups[1]!.confidence);
      expect(r.problem).toMatchObject({ state: 'new', rootCause: 'srv-db-01', incidents: r.logged.map((i) => i.id).sort() });
      expect(r.incidentsAfter.every((i) => i.problem === r.problem.id && i.state === 'resolved')).toBe(true);
      expect(r.known.state).toBe('known_error');
      expect(r.known.articles).toHaveLength(1);
      expect(r.downstream.knownErrors).toEqual([
        {
          problem: r.problem.id,
          title: r.problem.title,
          rootCause: 'srv-db-01',
          workaround: expect.stringContaining('db-orders-02'),
          via: 'provider',
        },
      ]);
      expect(r.suggestions[0]).toMatchObject({ article: r.known.articles[0] });
      expect(r.suggestions[0]!.reasons.map((x) => x.kind)).toContain('known_error');
      expect(r.search[0]!.article.id).toBe(r.known.articles[0]);
      // Every transition is an event with the actor.
      expect(r.history.length).toBe(4); // create, link to problem, in_progress, resolved
      expect(r.history.every((e) => e.actor === 'oncall')).toBe(true);
      // The outage marked on svc-checkout (start 02:02, resolved 03:30) is 88 minutes of March.
      const checkout = r.report.services.find((x) => x.service === 'svc-checkout')!;
      expect(checkout).toMatchObject({ outageMinutes: 88, target: 99.95, targetSource: 'attribute', met: false });
      expect(r.report.services.find((x) => x.service === 'svc-payments')).toMatchObject({ outageMinutes: 0, availability: 100, met: true });
    } finally {
      await cmdb.close();
    }
  });

  it('refuses illegal incident transitions and resolution without a code, and recomputes priority', async () => {
    const cmdb = await demoCmdb();
    try {
      const s = itsmServices(cmdb);
      const who = { name: 'desk', role: 'engineer' };
      const inc = await s.incidents.create(
        { title: 'x', description: '', cis: ['app-checkout'], category: 'general', impact: 'low', urgency: 'low' },
        who,
      );
      expect(inc).toMatchObject({ state: 'new', priority: 'P5' });
      await expect(s.incidents.transition(inc.id, { to: 'closed' }, who)).rejects.toThrow(/cannot go from new to closed/);
      await expect(s.incidents.transition(inc.id, { to: 'resolved' }, who)).rejects.toThrow(/resolution code/);
      await expect(s.incidents.transition(inc.id, { to: 'assigned' }, who)).rejects.toThrow(/assignee or an assignment group/);
      const hold = await s.incidents.transition(inc.id, { to: 'on_hold', reason: 'waiting for vendor' }, who);
      expect(hold.respondedAt).toBeNull();
      const up = await s.incidents.update(inc.id, { impact: 'high', urgency: 'high' }, who);
      expect(up.priority).toBe('P1');
      const resolved = await s.incidents.transition(inc.id, { to: 'resolved', resolution: { code: 'fixed', notes: '' } }, who);
      const reopened = await s.incidents.transition(inc.id, { to: 'in_progress' }, who);
      expect(reopened).toMatchObject({ reopenCount: 1, resolution: null, resolvedAt: null });
      expect(resolved.state).toBe('resolved');
      await expect(
        s.incidents.create({ title: 'x', description: '', cis: ['no-such-ci'], category: 'general', impact: 'low', urgency: 'low' }, who),
      ).rejects.toThrow(/CI "no-such-ci" not found/);
      await expect(
        s.problems.transition(
          (await s.problems.create({ title: 'p', description: '', incidents: [], changes: [], articles: [] }, who)).id,
          { to: 'known_error' },
          who,
        ),
      ).rejects.toThrow(/root-cause CI/);
    } finally {
      await cmdb.close();
    }
  });
});
