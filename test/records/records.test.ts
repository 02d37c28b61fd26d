/**
 * The record layer (engine/records) on a real SQLite-backed Cmdb: id allocation with its counter,
 * optimistic writes, loads with If-Match, and keyset paging with filters across store pages.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cmdb } from '../../engine/cmdb.ts';
import { ConflictError, NotFoundError } from '../../engine/errors.ts';
import { Registry } from '../../engine/model/registry.ts';
import { PAGE, Records, SEQUENCE_KIND, formatId } from '../../engine/records/index.ts';
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
});
