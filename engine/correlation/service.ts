/**
 * The store side of correlation, kept apart from the pure algorithm: reads open incidents and
 * implemented changes from the records and runs `correlate` over the mirror's impact index.
 * Changes are read defensively (record kind `change`, as engine/changes stores them): targets'
 * CIs, and the time of the transition into `implemented`, `failed` or `rolled_back`.
 */
import type { Cmdb } from '../cmdb.ts';
import type { ImpactIndex } from '../impact/index.ts';
import { INCIDENT_KIND, OPEN_STATES, type IncidentDoc } from '../incidents/model.ts';
import { listAll } from '../incidents/records.ts';
import { correlate } from './correlate.ts';
import type { CorrelateOptions, CorrelationChange, CorrelationIncident, CorrelationResult } from './types.ts';

const IMPLEMENTED = new Set(['implemented', 'failed', 'rolled_back']);

export type CorrelationRunOptions = Omit<CorrelateOptions, 'registry' | 'changes'>;

export class CorrelationService {
  constructor(readonly cmdb: Cmdb) {}

  impactIndex(): ImpactIndex {
    return this.cmdb.impactIndex();
  }

  async openIncidents(): Promise<CorrelationIncident[]> {
    return (await listAll(this.cmdb, INCIDENT_KIND))
      .map((r) => r.doc as unknown as IncidentDoc)
      .filter((d) => OPEN_STATES.includes(d.state))
      .map((d) => ({ id: d.id, cis: d.cis, openedAt: d.openedAt }));
  }

  async implementedChanges(): Promise<CorrelationChange[]> {
    const out: CorrelationChange[] = [];
    for (const rec of await listAll(this.cmdb, 'change')) {
      const doc = rec.doc as { targets?: unknown; transitions?: unknown };
      const targets = Array.isArray(doc.targets) ? doc.targets : [];
      const cis = targets.map((t) => (t && typeof t === 'object' ? (t as { ci?: unknown }).ci : undefined)).filter((c): c is string => typeof c === 'string');
      const transitions = Array.isArray(doc.transitions) ? doc.transitions : [];
      const done = transitions.find((t) => t && typeof t === 'object' && IMPLEMENTED.has(String((t as { to?: unknown }).to)));
      const at = done ? (done as { at?: unknown }).at : undefined;
      if (cis.length > 0 && typeof at === 'string' && Number.isFinite(Date.parse(at))) out.push({ id: rec.id, cis, implementedAt: at });
    }
    return out;
  }

  async run(incidents: readonly CorrelationIncident[] | 'open', options: CorrelationRunOptions = {}): Promise<CorrelationResult> {
    const list = incidents === 'open' ? await this.openIncidents() : incidents;
    const changes = await this.implementedChanges();
    return correlate(this.impactIndex(), list, { ...options, registry: this.cmdb.registry, changes });
  }
}
