/**
 * The ITSM story end to end through the service layer, as a function of an opened Cmdb that holds
 * the demo CMDB, so it can run on both stores (and behind HTTP once the routes are mounted):
 * `srv-db-01` (the orders primary, a single point of failure) fails; monitoring logs incidents on
 * what it takes down; correlation names `srv-db-01`; a problem is created from the group, marked a
 * known error with a workaround; a new incident downstream is offered that workaround, and the
 * knowledge base suggests the published article. Returns what it saw, for assertions.
 */
import type { Cmdb } from '../../engine/cmdb.ts';
import { itsmServices } from '../../api/routes/itsm.ts';
import type { IncidentView } from '../../engine/incidents/index.ts';

export async function itsmStory(cmdb: Cmdb, start = Date.UTC(2026, 2, 14, 2, 0, 0)) {
  let clock = start + 60 * 60_000;
  const s = itsmServices(cmdb, { now: () => new Date(clock) });
  const who = { name: 'oncall', role: 'engineer' };
  const at = (m: number) => new Date(start + m * 60_000).toISOString();

  // Monitoring raises incidents as the outage propagates (providers first), one with an outage mark.
  const logged: IncidentView[] = [];
  for (const [ci, m, title] of [
    ['srv-db-01', 0, 'srv-db-01 host down'],
    ['db-orders-01', 1, 'orders database unreachable'],
    ['app-checkout', 3, 'checkout errors 500'],
    ['app-order-mgmt', 3, 'order management failing'],
    ['app-wms', 4, 'warehouse picking stalled'],
    ['svc-checkout', 5, 'checkout synthetic check failing'],
  ] as const) {
    logged.push(
      await s.incidents.create(
        {
          title,
          description: '',
          cis: [ci],
          category: 'availability',
          impact: 'high',
          urgency: 'high',
          openedAt: at(m),
          ...(ci === 'svc-checkout' ? { outage: { start: at(2) } } : {}),
        },
        who,
      ),
    );
  }
  // An unrelated incident in the same window.
  const noise = await s.incidents.create(
    {
      title: 'HR portal slow',
      description: '',
      cis: ['app-gitlab'],
      category: 'performance',
      impact: 'low',
      urgency: 'low',
      openedAt: at(4),
    },
    who,
  );

  const correlation = await s.correlation.run('open', { window: '30m' });
  const group = correlation.groups.find((g) => g.incidents.includes(logged[0]!.id))!;

  const problem = await s.problems.fromCorrelation(
    { incidents: group.incidents, candidates: group.candidates.map((c) => ({ ...c })) },
    who,
  );
  const investigating = await s.problems.transition(problem.id, { to: 'investigating' }, who);
  await s.problems.update(
    problem.id,
    {
      rca: {
        fiveWhys: ['orders DB down', 'its only host lost power supply', 'single PSU', 'legacy hardware', 'no replacement budgeted'],
        contributingFactors: ['manual failover to db-orders-02'],
        notes: '',
      },
    },
    who,
  );
  const known = await s.problems.transition(
    problem.id,
    { to: 'known_error', workaround: 'Fail over to db-orders-02 (runbook RB-17) and point app-checkout at it.' },
    who,
  );

  // Service restored two hours in: incidents resolved.
  clock = start + 120 * 60_000;
  for (const inc of logged) {
    await s.incidents.transition(inc.id, { to: 'in_progress', at: at(10) }, who);
    await s.incidents.transition(
      inc.id,
      { to: 'resolved', resolution: { code: 'workaround_applied', notes: 'failed over' }, at: at(90) },
      who,
    );
  }

  // A week later a new incident downstream of srv-db-01.
  clock = start + 7 * 86_400_000;
  const downstream = await s.incidents.create(
    {
      title: 'inventory sync failing',
      description: 'orders database timeouts',
      cis: ['app-inventory'],
      category: 'availability',
      impact: 'medium',
      urgency: 'high',
    },
    who,
  );
  const suggestions = await s.knowledge.suggestionsFor(downstream.id);
  const search = await s.knowledge.search('fail over orders');
  const report = await s.sla.report('2026-03');
  const history = await cmdb.store.history('incident', logged[0]!.id);
  return {
    logged,
    noise,
    correlation,
    group,
    problem,
    investigating,
    known,
    downstream,
    suggestions,
    search,
    report,
    history,
    incidentsAfter: await Promise.all(logged.map((i) => s.incidents.get(i.id))),
  };
}
