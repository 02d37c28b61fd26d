/**
 * Unauthorised-change detection over the stored log: every CI or relationship event in a period
 * that no change authorised at its time (engine/audit/authorisation.ts), with who, what and when.
 */
import type { GraphStore } from '../store/port.ts';
import { InputError } from '../errors.ts';
import { unauthorisedEvents, type AuditEvent, type ChangeDoc, type UnauthorisedEvent } from '../audit/authorisation.ts';

const PAGE = 10_000;

export async function findUnauthorised(
  store: GraphStore,
  since: string,
  until?: string,
): Promise<{ since: string; until: string | null; events: UnauthorisedEvent[] }> {
  const from = Date.parse(since);
  const to = until === undefined ? Number.POSITIVE_INFINITY : Date.parse(until);
  if (Number.isNaN(from)) throw new InputError(`audit unauthorised: --since "${since}" is not an ISO time`);
  if (Number.isNaN(to)) throw new InputError(`audit unauthorised: --until "${until}" is not an ISO time`);
  const changes = new Map<string, ChangeDoc>();
  let after: string | undefined;
  for (;;) {
    const page = await store.listRecords('change', { ...(after !== undefined ? { after } : {}), limit: 1000 });
    for (const r of page) changes.set(r.id, r.doc as unknown as ChangeDoc);
    if (page.length < 1000) break;
    after = page[page.length - 1]!.id;
  }
  const inPeriod: AuditEvent[] = [];
  let seq = 0;
  for (;;) {
    const page = await store.eventsAfter(seq, PAGE);
    if (page.length === 0) break;
    for (const e of page) {
      const t = Date.parse(e.at);
      if (t >= from && t < to && (e.entity === 'ci' || e.entity === 'relationship')) inPeriod.push(e as AuditEvent);
    }
    seq = page[page.length - 1]!.seq;
  }
  return { since, until: until ?? null, events: unauthorisedEvents(inPeriod, changes) };
}
