/**
 * The store side of correlation (moved out of engine/correlation, which reads only the index it is
 * handed): gathers what `correlate` needs from the records — the open incidents (or the given
 * ones), the incident history for chronic-noise awareness and the implemented changes — and runs
 * it over the CMDB's one impact index (`cmdb.impactIndex()`).
 *
 * - History: every incident record (any state) opened within `historyLookback` (default 30 days)
 *   before the latest correlated incident, except the correlated ones themselves.
 * - Changes are read defensively (record kind `change`, as engine/changes stores them): targets'
 *   CIs, and the time of the transition into `implemented`, `failed` or `rolled_back`.
 * - Alert evidence stored on an incident (severity, signal, anomaly score, observers) is passed on.
 */
import type { Cmdb } from '../cmdb.ts';
import {
  correlate,
  parseDuration,
  toMillis,
  type CorrelateOptions,
  type CorrelationChange,
  type CorrelationIncident,
  type CorrelationResult,
  type HistoricalIncident,
} from '../correlation/index.ts';
import type { ImpactIndex } from '../impact/index.ts';
import { INCIDENT_KIND, OPEN_STATES, type IncidentDoc } from './model.ts';
import { listAll } from './records.ts';

const IMPLEMENTED = new Set(['implemented', 'failed', 'rolled_back']);

export type CorrelationRunOptions = Omit<CorrelateOptions, 'registry' | 'changes' | 'history'> & {
  /** How far back the incident history for chronic noise reaches (default 30d). */
  historyLookback?: number | string;
};

export class CorrelationService {
  constructor(readonly cmdb: Cmdb) {}

  impactIndex(): ImpactIndex {
    return this.cmdb.impactIndex();
  }

  private async incidentDocs(): Promise<IncidentDoc[]> {
    return (await listAll(this.cmdb, INCIDENT_KIND)).map((r) => r.doc as unknown as IncidentDoc);
  }

  async openIncidents(): Promise<CorrelationIncident[]> {
    return (await this.incidentDocs()).filter((d) => OPEN_STATES.includes(d.state)).map(toCorrelation);
  }

  /** Incidents other than `exclude` opened in the `lookback` before `until` (ms). */
  async history(until: number, lookback: number, exclude: ReadonlySet<string>, docs?: IncidentDoc[]): Promise<HistoricalIncident[]> {
    const from = until - lookback;
    return (docs ?? (await this.incidentDocs()))
      .filter((d) => !exclude.has(d.id))
      .filter((d) => {
        const t = Date.parse(d.openedAt);
        return Number.isFinite(t) && t >= from && t <= until;
      })
      .map((d) => ({
        cis: d.cis,
        openedAt: d.openedAt,
        ...(d.signal !== undefined && { signal: d.signal }),
        ...(d.observedBy !== undefined && { observedBy: d.observedBy }),
      }));
  }

  async implementedChanges(): Promise<CorrelationChange[]> {
    const out: CorrelationChange[] = [];
    for (const rec of await listAll(this.cmdb, 'change')) {
      const doc = rec.doc as { targets?: unknown; transitions?: unknown };
      const targets = Array.isArray(doc.targets) ? doc.targets : [];
      const cis = targets
        .map((t) => (t && typeof t === 'object' ? (t as { ci?: unknown }).ci : undefined))
        .filter((c): c is string => typeof c === 'string');
      const transitions = Array.isArray(doc.transitions) ? doc.transitions : [];
      const done = transitions.find((t) => t && typeof t === 'object' && IMPLEMENTED.has(String((t as { to?: unknown }).to)));
      const at = done ? (done as { at?: unknown }).at : undefined;
      if (cis.length > 0 && typeof at === 'string' && Number.isFinite(Date.parse(at))) out.push({ id: rec.id, cis, implementedAt: at });
    }
    return out;
  }

  async run(incidents: readonly CorrelationIncident[] | 'open', options: CorrelationRunOptions = {}): Promise<CorrelationResult> {
    const { historyLookback, ...rest } = options;
    const lookback = parseDuration(historyLookback ?? '30d', 'correlate: historyLookback');
    const docs = await this.incidentDocs();
    const list = incidents === 'open' ? docs.filter((d) => OPEN_STATES.includes(d.state)).map(toCorrelation) : incidents;
    let until = Number.NEGATIVE_INFINITY;
    for (const i of list) until = Math.max(until, toMillis(i.openedAt, `correlate: incident "${i.id}" openedAt`));
    const history = list.length === 0 ? [] : await this.history(until, lookback, new Set(list.map((i) => i.id)), docs);
    const changes = await this.implementedChanges();
    return correlate(this.impactIndex(), list, { ...rest, registry: this.cmdb.registry, changes, history });
  }
}

function toCorrelation(d: IncidentDoc): CorrelationIncident {
  return {
    id: d.id,
    cis: d.cis,
    openedAt: d.openedAt,
    ...(d.severity !== undefined && { severity: d.severity }),
    ...(d.signal !== undefined && { signal: d.signal }),
    ...(d.anomalyScore !== undefined && { anomalyScore: d.anomalyScore }),
    // A later edit of `cis` may have named an observer: it is read without that observer, not refused.
    ...(d.observedBy !== undefined && { observedBy: d.observedBy.filter((o) => !d.cis.includes(o)) }),
  };
}
