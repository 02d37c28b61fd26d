/**
 * The record layer (engine/records) on a real SQLite-backed Cmdb: id allocation with its counter,
 * optimistic writes, loads with If-Match, and keyset paging with filters across store pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { ConflictError, InputError, NotFoundError } from '../../engine/errors.ts';
import { Registry } from '../../engine/model/registry.ts';
import { PAGE, Records, SEQUENCE_KIND, formatId, recordOf, viewOf, type RecordHost } from '../../engine/records/index.ts';
import type { Mutation, WriteContext } from '../../engine/store/port.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;
const actor = { actor: 'tester' };

describe('Records', () => {
  let cmdb: Cmdb;
  let tickets: Records;
  beforeEach(async () => {
    cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `r-${++n}.sqlite`)), registry });
    tickets = new Records(cmdb, 'ticket', 'TCK');
  });
  afterEach(() => cmdb.close());

  it('creates records with consecutive zero-padded ids and counts them in the sequence record', async () => {
    const a = await tickets.create(actor, (id) => ({ id, title: 'a' }));
    const b = await tickets.create(actor, (id) => ({ id, title: 'b' }));
    expect([a.id, b.id]).toEqual(['TCK-000001', 'TCK-000002']);
    expect(a).toMatchObject({ kind: 'ticket', version: 1, doc: { id: 'TCK-000001', title: 'a' } });
    expect((await cmdb.store.getRecord(SEQUENCE_KIND, 'ticket'))?.doc).toEqual({ next: 3 });
  });

  it('skips an id that exists without the counter (an imported record) instead of overwriting it', async () => {
    await cmdb.apply([{ op: 'putRecord', kind: 'ticket', id: formatId('TCK', 1), doc: { title: 'imported' } }], actor);
    const created = await tickets.create(actor, (id) => ({ id, title: 'new' }));
    expect(created.id).toBe('TCK-000002');
    expect((await tickets.get('TCK-000001'))?.doc).toEqual({ title: 'imported' });
  });

  it('gives concurrent creators distinct ids (the loser of a counter race retries with the next id)', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, (_, i) => tickets.create(actor, (id) => ({ id, i }))));
    expect(new Set(made.map((r) => r.id)).size).toBe(8);
    expect(made.map((r) => r.id).sort()).toEqual(Array.from({ length: 8 }, (_, i) => formatId('TCK', i + 1)));
  });

  it('commits extra mutations in the creating batch and passes the new id to a context function', async () => {
    const rec = await tickets.create(
      (id) => ({ actor: 'tester', changeId: id }),
      (id) => ({ id }),
      (id) => [{ op: 'putRecord', kind: 'note', id: 'n1', doc: { about: id } }],
    );
    expect((await cmdb.store.getRecord('note', 'n1'))?.doc).toEqual({ about: rec.id });
    const history = await cmdb.store.history('ticket', rec.id);
    expect(history.map((e) => e.changeId)).toEqual([rec.id]);
  });

  it('loads with clear errors: not found names the operation (and the kind unless told not to), a stale If-Match is precondition_failed', async () => {
    const rec = await tickets.create(actor, (id) => ({ id }));
    await expect(tickets.load('TCK-999999', { op: 'ticket update' })).rejects.toThrow(
      new NotFoundError('ticket update: ticket "TCK-999999" not found', { kind: 'ticket', id: 'TCK-999999' }),
    );
    await expect(tickets.load('TCK-999999', { op: 'ticket', named: false })).rejects.toThrow('ticket: "TCK-999999" not found');
    await expect(tickets.load(rec.id, { op: 'ticket update', expectedVersion: 2 })).rejects.toMatchObject({
      code: 'precondition_failed',
      message: `ticket update: ${rec.id} is at version 1, not 2`,
    });
    expect((await tickets.load(rec.id, { op: 'ticket update', expectedVersion: 1 })).version).toBe(1);
  });

  it('writes over the version read and refuses a write based on a stale read', async () => {
    const rec = await tickets.create(actor, (id) => ({ id, state: 'new' }));
    const written = await tickets.write(rec, { id: rec.id, state: 'open' }, actor);
    expect(written).toMatchObject({ version: 2, doc: { state: 'open' } });
    await expect(tickets.write(rec, { id: rec.id, state: 'closed' }, actor)).rejects.toBeInstanceOf(ConflictError);
    expect((await tickets.get(rec.id))?.doc).toEqual({ id: rec.id, state: 'open' });
  });

  it('answers a filtered page that spans several store pages, with the cursor of the next answer page', async () => {
    const count = PAGE + 250;
    const batch = Array.from({ length: count }, (_, i) => ({
      op: 'putRecord' as const,
      kind: 'ticket',
      id: formatId('TCK', i + 1),
      doc: { odd: i % 2 === 1 },
    }));
    await cmdb.apply(batch, actor);
    expect((await tickets.all()).length).toBe(count);
    const view = (r: { id: string; doc: Record<string, unknown> }) => ({ id: r.id, odd: r.doc.odd === true });
    // Odd records are every other one: 600 of them need more than one store page of 1,000.
    const first = await tickets.list({ limit: 600 }, view, (v) => v.odd);
    expect(first.items.length).toBe(600);
    expect(first.items.every((v) => v.odd)).toBe(true);
    expect(first.next).toBe(first.items[599]!.id);
    const rest = await tickets.list({ after: first.next!, limit: 600 }, view, (v) => v.odd);
    expect(rest.items.length).toBe(count / 2 - 600);
    expect(rest.next).toBeNull();
    expect(rest.items[0]!.id > first.next!).toBe(true);
  });

  it('answers the stored record unchanged when a write repeats the stored document', async () => {
    const rec = await tickets.create(actor, (id) => ({ id, state: 'new' }));
    const again = await tickets.write(rec, { id: rec.id, state: 'new' }, actor);
    expect(again).toMatchObject({ id: rec.id, version: 1, doc: { id: rec.id, state: 'new' } });
    expect(await cmdb.store.history('ticket', rec.id)).toHaveLength(1);
  });

  it('commits extra mutations in the same batch as a write', async () => {
    const rec = await tickets.create(actor, (id) => ({ id }));
    await tickets.write(rec, { id: rec.id, linked: true }, actor, [{ op: 'putRecord', kind: 'note', id: 'n2', doc: { about: rec.id } }]);
    expect((await cmdb.store.getRecord('note', 'n2'))?.doc).toEqual({ about: rec.id });
    // A refused extra mutation takes the write down with it.
    await expect(
      tickets.write({ id: rec.id, version: 2 }, { id: rec.id, linked: false }, actor, [{ op: 'deleteRecord', kind: 'note', id: 'none' }]),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await tickets.get(rec.id))?.doc).toEqual({ id: rec.id, linked: true });
  });

  it('refuses to allocate ids for a kind without a prefix', async () => {
    const tokens = new Records(cmdb, 'token');
    await expect(tokens.nextId()).rejects.toThrow('records: kind "token" has no id prefix, so it does not allocate ids');
  });

  it('starts counting at 1 when the counter record holds no number, and claims the counter at the version it read', async () => {
    await cmdb.apply([{ op: 'putRecord', kind: SEQUENCE_KIND, id: 'ticket', doc: { next: 'seven' } }], actor);
    const { id, claim } = await tickets.nextId();
    expect(id).toBe('TCK-000001');
    expect(claim).toEqual({ op: 'putRecord', kind: SEQUENCE_KIND, id: 'ticket', doc: { next: 2 }, expectedVersion: 1 });
    const fresh = new Records(cmdb, 'other', 'OTH');
    expect((await fresh.nextId()).claim).toMatchObject({ doc: { next: 2 }, expectedVersion: 0 });
  });

  it('does not retry a create refused for another reason than a lost id race, and leaves the counter where it was', async () => {
    await tickets.create(actor, (id) => ({ id }));
    await expect(
      tickets.create(
        actor,
        (id) => ({ id }),
        () => [{ op: 'deleteRecord', kind: 'note', id: 'missing' }],
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      tickets.create(
        actor,
        (id) => ({ id }),
        () => [{ op: 'putRecord', kind: 'Bad', id: 'x', doc: {} }],
      ),
    ).rejects.toBeInstanceOf(InputError);
    expect((await cmdb.store.getRecord(SEQUENCE_KIND, 'ticket'))?.doc).toEqual({ next: 2 });
    expect((await tickets.create(actor, (id) => ({ id }))).id).toBe('TCK-000002');
  });

  it('gives up with a conflict after 20 attempts when another writer takes every id first', async () => {
    let attempts = 0;
    // A competitor that, before each of our batches, creates the very record we are about to create.
    const host: RecordHost = {
      store: cmdb.store,
      async apply(batch: readonly Mutation[], ctx: WriteContext) {
        attempts++;
        const mine = batch[1] as Extract<Mutation, { op: 'putRecord' }>;
        await cmdb.apply([{ op: 'putRecord', kind: 'ticket', id: mine.id, doc: { by: 'competitor' } }], { actor: 'other' });
        return cmdb.apply(batch, ctx);
      },
    };
    const contested = new Records(host, 'ticket', 'TCK');
    await expect(contested.create(actor, (id) => ({ id }))).rejects.toBeInstanceOf(ConflictError);
    expect(attempts).toBe(20);
    expect((await tickets.all()).every((r) => r.doc.by === 'competitor')).toBe(true);
  });

  it('answers a record as its document plus id, version and timestamps, the system fields winning', async () => {
    const rec = await tickets.create(actor, () => ({ id: 'spoofed', version: 99, title: 't' }));
    expect(viewOf(rec)).toEqual({ id: 'TCK-000001', version: 1, title: 't', createdAt: rec.createdAt, updatedAt: rec.updatedAt });
  });

  it('answers the last page without a cursor when it holds exactly the limit, and every record without a filter', async () => {
    await cmdb.apply(
      Array.from({ length: 5 }, (_, i) => ({ op: 'putRecord' as const, kind: 'ticket', id: formatId('TCK', i + 1), doc: {} })),
      actor,
    );
    const view = (r: { id: string }) => ({ id: r.id });
    expect(await tickets.list({ limit: 5 }, view)).toEqual({ items: [1, 2, 3, 4, 5].map((i) => ({ id: formatId('TCK', i) })), next: null });
    expect(await tickets.list({ limit: 2, after: formatId('TCK', 2) }, view)).toEqual({
      items: [{ id: 'TCK-000003' }, { id: 'TCK-000004' }],
      next: 'TCK-000004',
    });
    expect(await tickets.list({ limit: 4, after: formatId('TCK', 4) }, view)).toEqual({ items: [{ id: 'TCK-000005' }], next: null });
    expect(await tickets.list({ limit: 3 }, view, () => false)).toEqual({ items: [], next: null });
  });

  it('reads every record of a kind that fills store pages exactly', async () => {
    await cmdb.apply(
      Array.from({ length: PAGE }, (_, i) => ({ op: 'putRecord' as const, kind: 'ticket', id: formatId('TCK', i + 1), doc: {} })),
      actor,
    );
    const all = await tickets.all();
    expect(all.length).toBe(PAGE);
    expect(all.at(-1)!.id).toBe(formatId('TCK', PAGE));
    const pages: number[] = [];
    for await (const page of tickets.pages(formatId('TCK', 10))) pages.push(page.length);
    expect(pages).toEqual([PAGE - 10]);
  });

  it('never gives a new record the id of a deleted one', async () => {
    await tickets.create(actor, (id) => ({ id }));
    const second = await tickets.create(actor, (id) => ({ id }));
    await cmdb.apply([{ op: 'deleteRecord', kind: 'ticket', id: second.id }], actor);
    expect((await tickets.create(actor, (id) => ({ id }))).id).toBe('TCK-000003');
  });

  it('puts the kind, id and versions in the details of its load errors', async () => {
    const rec = await tickets.create(actor, (id) => ({ id }));
    await expect(tickets.load('TCK-999999', { op: 'ticket', named: false })).rejects.toMatchObject({ details: { id: 'TCK-999999' } });
    await expect(tickets.load(rec.id, { op: 'ticket update', expectedVersion: 3 })).rejects.toMatchObject({
      details: { id: rec.id, expectedVersion: 3, actualVersion: 1 },
    });
  });

  it('answers the record as a batch last wrote it, and nothing for a record the batch deleted or did not write', async () => {
    const result = await cmdb.apply(
      [
        { op: 'putRecord', kind: 'ticket', id: 'T1', doc: { n: 1 } },
        { op: 'putRecord', kind: 'note', id: 'T2', doc: { n: 9 } },
        { op: 'putRecord', kind: 'ticket', id: 'T2', doc: { n: 2 } },
        { op: 'putRecord', kind: 'ticket', id: 'T1', doc: { n: 3 } },
        { op: 'putRecord', kind: 'ticket', id: 'T3', doc: { n: 4 } },
        { op: 'deleteRecord', kind: 'ticket', id: 'T3' },
      ],
      actor,
    );
    expect(recordOf(result, 'ticket', 'T1')).toMatchObject({ version: 2, doc: { n: 3 } });
    expect(recordOf(result, 'ticket', 'T2')).toMatchObject({ kind: 'ticket', doc: { n: 2 } });
    expect(recordOf(result, 'note', 'T2')).toMatchObject({ kind: 'note', doc: { n: 9 } });
    expect(recordOf(result, 'ticket', 'T3')).toBeUndefined();
    expect(recordOf(result, 'ticket', 'T4')).toBeUndefined();
    expect(recordOf(result, 'note', 'T1')).toBeUndefined();
    const single = await cmdb.apply([{ op: 'putRecord', kind: 'ticket', id: 'T9', doc: { n: 9 } }], actor);
    expect(recordOf(single, 'ticket', 'T9')).toMatchObject({ version: 1, doc: { n: 9 } });
  });

  it('gives a cursor to an answer page that ends exactly at a store page boundary when more records follow', async () => {
    await cmdb.apply(
      Array.from({ length: PAGE + 5 }, (_, i) => ({ op: 'putRecord' as const, kind: 'ticket', id: formatId('TCK', i + 1), doc: {} })),
      actor,
    );
    const page = await tickets.list({ limit: PAGE }, (r) => ({ id: r.id }));
    expect(page.items.length).toBe(PAGE);
    expect(page.next).toBe(formatId('TCK', PAGE));
    const rest = await tickets.list({ limit: PAGE, after: page.next! }, (r) => ({ id: r.id }));
    expect(rest).toEqual({ items: [1, 2, 3, 4, 5].map((i) => ({ id: formatId('TCK', PAGE + i) })), next: null });
  });
});
