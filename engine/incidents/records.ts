/**
 * Record plumbing shared by the ITSM services (incidents, problems, articles): id allocation from a
 * counter record, optimistic writes, paging through every record of a kind. Same conventions as the
 * change service: the counter is record `sequence/<kind>` written with `expectedVersion`, so two
 * writers (even two processes) never get the same id; the loser retries with the next number.
 */
import type { Cmdb } from '../cmdb.ts';
import { CmdbError, ConflictError, NotFoundError } from '../errors.ts';
import type { ApplyResult, Mutation, StoredRecord, WriteContext } from '../store/port.ts';

export const SEQUENCE_KIND = 'sequence';
const PAGE = 1000;
const ID_ATTEMPTS = 20;

export function formatId(prefix: string, n: number): string {
  return `${prefix}-${String(n).padStart(6, '0')}`;
}

export function recordOf(result: ApplyResult, kind: string, id: string): StoredRecord | undefined {
  for (let i = result.events.length - 1; i >= 0; i--) {
    const e = result.events[i]!;
    if (e.entity === kind && e.id === id) return (e.after as StoredRecord | null) ?? undefined;
  }
  return undefined;
}

/**
 * Creates record `kind` with the next `PREFIX-000123` id; `extra` mutations (links on other
 * records) commit in the same batch.
 */
export async function createRecord(cmdb: Cmdb, kind: string, prefix: string, ctx: WriteContext, build: (id: string) => Record<string, unknown>, extra: (id: string) => Promise<Mutation[]> | Mutation[] = () => []): Promise<StoredRecord> {
  for (let attempt = 1; ; attempt++) {
    const counter = await cmdb.store.getRecord(SEQUENCE_KIND, kind);
    let n = typeof counter?.doc.next === 'number' ? counter.doc.next : 1;
    while (await cmdb.store.getRecord(kind, formatId(prefix, n))) n++;
    const id = formatId(prefix, n);
    const batch: Mutation[] = [
      { op: 'putRecord', kind: SEQUENCE_KIND, id: kind, doc: { next: n + 1 }, expectedVersion: counter?.version ?? 0 },
      { op: 'putRecord', kind, id, doc: build(id), expectedVersion: 0 },
      ...(await extra(id)),
    ];
    try {
      const result = await cmdb.apply(batch, ctx);
      return recordOf(result, kind, id) ?? (await cmdb.store.getRecord(kind, id))!;
    } catch (err) {
      if (err instanceof ConflictError && attempt < ID_ATTEMPTS) continue;
      throw err;
    }
  }
}

/** Loads a record or throws `<op>: <kind> "<id>" not found`; checks an If-Match version when given. */
export async function loadRecord(cmdb: Cmdb, kind: string, id: string, op: string, expectedVersion?: number): Promise<StoredRecord> {
  const rec = await cmdb.store.getRecord(kind, id);
  if (!rec) throw new NotFoundError(`${op}: ${kind} "${id}" not found`, { kind, id });
  if (expectedVersion !== undefined && rec.version !== expectedVersion) {
    throw new CmdbError('precondition_failed', `${op}: ${id} is at version ${rec.version}, not ${expectedVersion}`, { id, expectedVersion, actualVersion: rec.version });
  }
  return rec;
}

export async function listAll(cmdb: Cmdb, kind: string): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await cmdb.store.listRecords(kind, { after, limit: PAGE });
    out.push(...page);
    if (page.length < PAGE) return out;
    after = page[page.length - 1]!.id;
  }
}

/** A record as answered: the document plus the record's system fields. */
export function viewOf<T>(rec: StoredRecord): T & { version: number; createdAt: string; updatedAt: string } {
  return { ...(rec.doc as T), id: rec.id, version: rec.version, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
}
