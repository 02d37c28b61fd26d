/**
 * SLA use cases: timers of one or all open incidents, and the monthly availability report per
 * business service.
 *
 * Which outages count against a service: an incident whose `outage` names services counts for
 * those; otherwise for every business service that is the incident's CI or depends on it *and*
 * that the blast radius of the incident's CIs (all down) takes down — so an outage of one host of
 * an HA cluster, which only degrades the service, does not eat its availability budget. Intervals
 * of all counting incidents are merged, so overlapping outages count once.
 */
import type { Cmdb } from '../cmdb.ts';
import { NotFoundError } from '../errors.ts';
import { blastRadius } from '../impact/index.ts';
import { INCIDENT_KIND, OPEN_STATES, type IncidentDoc } from '../incidents/model.ts';
import { Records } from '../records/index.ts';
import { monthBounds, monthlyAvailability, type Availability, type Interval } from './availability.ts';
import { defaultSlaPolicy, type SlaPolicy } from './policy.ts';
import { incidentSla, type IncidentSla } from './timers.ts';

export interface SlaServiceDeps {
  cmdb: Cmdb;
  policy?: SlaPolicy;
  now?: () => Date;
}

export interface ServiceAvailability extends Availability {
  service: string;
  name: string;
  targetSource: 'attribute' | 'default';
  incidents: string[];
}

export interface SlaReport {
  month: string;
  generatedAt: string;
  policyVersion: string;
  services: ServiceAvailability[];
  incidents: {
    total: number;
    responseBreached: number;
    resolutionBreached: number;
    byPriority: Record<string, { total: number; resolutionBreached: number }>;
  };
}

export class SlaService {
  readonly cmdb: Cmdb;
  readonly policy: SlaPolicy;
  readonly now: () => Date;
  private readonly incidents: Records;

  constructor({ cmdb, policy, now }: SlaServiceDeps) {
    this.cmdb = cmdb;
    this.policy = policy ?? defaultSlaPolicy();
    this.now = now ?? (() => new Date());
    this.incidents = new Records(cmdb, INCIDENT_KIND, 'INC');
  }

  async incident(id: string): Promise<IncidentSla> {
    const rec = await this.incidents.get(id);
    if (!rec) throw new NotFoundError(`sla: incident "${id}" not found`, { id });
    return incidentSla(rec.doc as unknown as IncidentDoc, this.policy, this.now());
  }

  /** Timers of every open incident, breached first, then at risk, then by time left. */
  async open(): Promise<IncidentSla[]> {
    const now = this.now();
    const rank = { breached: 0, at_risk: 1, within: 2 } as const;
    return (await this.incidents.all())
      .map((r) => r.doc as unknown as IncidentDoc)
      .filter((d) => OPEN_STATES.includes(d.state))
      .map((d) => incidentSla(d, this.policy, now))
      .sort(
        (a, b) =>
          rank[a.resolution.status] - rank[b.resolution.status] ||
          a.resolution.remainingMinutes - b.resolution.remainingMinutes ||
          (a.incident < b.incident ? -1 : 1),
      );
  }

  async report(month: string): Promise<SlaReport> {
    const bounds = monthBounds(month);
    const now = this.now();
    const incidents = (await this.incidents.all()).map((r) => r.doc as unknown as IncidentDoc);
    const index = this.cmdb.impactIndex();
    const registry = this.cmdb.registry;

    const services: { id: string; name: string; target: number; source: 'attribute' | 'default' }[] = [];
    const targets = await Promise.all(
      index.nodeIds
        .filter((id, v) => registry.isA(index.attrs[v]!.class, 'BusinessService'))
        .map(async (id) => {
          const ci = await this.cmdb.store.getCI(id);
          const t = ci?.attributes.availabilityTarget;
          return {
            id,
            name: ci?.name ?? id,
            target: typeof t === 'number' ? t : this.policy.defaultAvailabilityTarget,
            source: typeof t === 'number' ? ('attribute' as const) : ('default' as const),
          };
        }),
    );
    services.push(...targets.sort((a, b) => (a.id < b.id ? -1 : 1)));

    const byService = new Map<string, { intervals: Interval[]; incidents: string[] }>(
      services.map((s) => [s.id, { intervals: [], incidents: [] }]),
    );
    for (const inc of incidents) {
      if (!inc.outage) continue;
      const start = Date.parse(inc.outage.start);
      const end = inc.outage.end ? Date.parse(inc.outage.end) : Number.POSITIVE_INFINITY;
      if (end <= bounds.start || start >= bounds.end) continue;
      let hit: string[];
      if (inc.outage.services && inc.outage.services.length > 0) hit = inc.outage.services;
      else {
        const origins = inc.cis.filter((c) => index.idToIndex.has(c)).map((ci) => ({ ci, effect: 'down' as const }));
        if (origins.length === 0) continue;
        const br = blastRadius(index, registry, origins);
        hit = br.services.filter((s) => s.state === 'down').map((s) => s.id);
      }
      for (const s of hit) {
        const entry = byService.get(s);
        if (!entry) continue;
        entry.intervals.push({ start, end });
        entry.incidents.push(inc.id);
      }
    }
    const nowMs = now.getTime();
    const out: ServiceAvailability[] = services.map((s) => {
      const e = byService.get(s.id)!;
      return {
        service: s.id,
        name: s.name,
        targetSource: s.source,
        incidents: e.incidents.sort(),
        ...monthlyAvailability(month, e.intervals, s.target, nowMs),
      };
    });

    const opened = incidents.filter((i) => {
      const t = Date.parse(i.openedAt);
      return t >= bounds.start && t < bounds.end;
    });
    const byPriority: Record<string, { total: number; resolutionBreached: number }> = {};
    let responseBreached = 0;
    let resolutionBreached = 0;
    for (const inc of opened) {
      const sla = incidentSla(inc, this.policy, now);
      const p = (byPriority[inc.priority] ??= { total: 0, resolutionBreached: 0 });
      p.total++;
      if (sla.response.status === 'breached') responseBreached++;
      if (sla.resolution.status === 'breached') {
        resolutionBreached++;
        p.resolutionBreached++;
      }
    }
    return {
      month,
      generatedAt: now.toISOString(),
      policyVersion: this.policy.version,
      services: out,
      incidents: { total: opened.length, responseBreached, resolutionBreached, byPriority },
    };
  }
}
