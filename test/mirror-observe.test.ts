/**
 * `Mirror.observe` listeners must not throw, and when one does anyway it is the listener's bug, not
 * the write's: the mirror still reflects the events, the other listeners still hear them, the
 * committed write still answers success, and the error is logged (with the project's logger, pino,
 * or the log the mirror was opened with). Real SQLite for the write path.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { CliContext } from '../api/commands/context.ts';
import { startServer } from '../api/serve.ts';
import { Cmdb } from '../engine/cmdb.ts';
import { Registry } from '../engine/model/registry.ts';
import { SqliteStore } from '../engine/store/sqlite-store.ts';
import { Mirror, type MirrorLog } from '../engine/mirror/mirror.ts';
import type { ChangeEvent } from '../engine/store/port.ts';
import { ci } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'cmdb-mirror-observe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const registry = Registry.load();
let n = 0;

function capture(): MirrorLog & { entries: { obj: Record<string, unknown>; msg: string }[] } {
  const entries: { obj: Record<string, unknown>; msg: string }[] = [];
  return { entries, error: (obj, msg) => entries.push({ obj, msg }) };
}

const event = (seq: number, id: string): ChangeEvent => ({
  seq,
  at: '2026-01-01T00:00:00.000Z',
  actor: 't',
  op: 'create',
  entity: 'ci',
  id,
  before: null,
  after: {
    ...ci({ id, class: 'Server', name: id }),
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  },
});

describe('Mirror.observe with a throwing listener', () => {
  it('applies the events, tells the other listeners before and after it, and logs the error with the seq range', () => {
    const log = capture();
    const mirror = new Mirror({ log });
    const heard: string[] = [];
    mirror.observe((es) => heard.push(`before:${es.map((e) => e.seq).join(',')}`));
    mirror.observe(() => {
      throw new Error('listener bug');
    });
    mirror.observe((es) => heard.push(`after:${es.map((e) => e.seq).join(',')}`));
    mirror.applyEvents([event(1, 'srv-1'), event(2, 'srv-2')]);
    expect(mirror.seq).toBe(2);
    expect(mirror.graph.hasNode('srv-1') && mirror.graph.hasNode('srv-2')).toBe(true);
    expect(heard).toEqual(['before:1,2', 'after:1,2']);
    expect(log.entries).toHaveLength(1);
    expect(log.entries[0]!.msg).toBe('mirror: a committed-events listener threw; the mirror and the other listeners went on');
    expect((log.entries[0]!.obj.err as Error).message).toBe('listener bug');
    expect(log.entries[0]!.obj).toMatchObject({ fromSeq: 1, toSeq: 2 });
    // The next batch goes through the same way: the listener stays subscribed, its owner unsubscribes it.
    mirror.applyEvents([event(3, 'srv-3')]);
    expect(heard).toEqual(['before:1,2', 'after:1,2', 'before:3', 'after:3']);
    expect(log.entries).toHaveLength(2);
  });

  it('logs a thrown non-Error value as it was thrown', () => {
    const log = capture();
    const mirror = new Mirror({ log });
    mirror.observe(() => {
      throw 'a string';
    });
    mirror.applyEvents([event(1, 'srv-1')]);
    expect(log.entries[0]!.obj.err).toBe('a string');
  });

  it('writes to stderr through pino when the mirror was given no log', () => {
    const mirror = new Mirror();
    mirror.observe(() => {
      throw new Error('unlogged bug');
    });
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      mirror.applyEvents([event(1, 'srv-1')]);
    } finally {
      spy.mockRestore();
    }
    expect(mirror.seq).toBe(1);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ level: 50, name: 'cmdb', msg: expect.stringContaining('listener threw') });
    expect((logged[0]!.err as { message: string }).message).toBe('unlogged bug');
  });

  it('keeps a CMDB write successful and the mirror in step with the store when an onCommitted listener throws (real SQLite)', async () => {
    const log = capture();
    const cmdb = await Cmdb.open({ store: new SqliteStore(join(dir, `observe-${++n}.sqlite`)), registry, log });
    try {
      const heard: number[] = [];
      cmdb.onCommitted(() => {
        throw new Error('cache bug');
      });
      cmdb.onCommitted((es) => heard.push(...es.map((e) => e.seq)));
      const first = await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'app-1', class: 'Application', name: 'one' }) }], { actor: 't' });
      const second = await cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'app-2', class: 'Application', name: 'two' }) }], { actor: 't' });
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(await cmdb.store.lastSeq()).toBe(second.seq);
      expect(cmdb.mirror.seq).toBe(second.seq);
      expect(cmdb.mirror.graph.hasNode('app-1') && cmdb.mirror.graph.hasNode('app-2')).toBe(true);
      expect(heard).toEqual([first.seq, second.seq]);
      expect(log.entries.map((e) => (e.obj.err as Error).message)).toEqual(['cache bug', 'cache bug']);
    } finally {
      await cmdb.close();
    }
  });

  it("logs a throwing listener with the server's own logger under cmdb serve, and the server's writes go on", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
    const ctx = new CliContext({
      globals: () => ({ store: `sqlite:${join(dir, `serve-${++n}.sqlite`)}` }),
      io: { stdout: () => {}, stderr: () => {}, stderrIsTTY: false, env: process.env, user: 'observe-test' },
    });
    const running = await startServer(ctx, { port: 0, host: '127.0.0.1', demo: false, auth: true, rateLimit: 0, followMs: 100 }, log);
    try {
      running.cmdb.onCommitted(() => {
        throw new Error('server cache bug');
      });
      const r = await running.cmdb.apply([{ op: 'upsertCI', ci: ci({ id: 'app-1', class: 'Application', name: 'one' }) }], { actor: 't' });
      expect(running.cmdb.mirror.seq).toBe(r.seq);
      const logged = lines.filter((l) => l.level === 50);
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ msg: expect.stringContaining('listener threw'), fromSeq: r.seq, toSeq: r.seq });
    } finally {
      await running.shutdown('test');
    }
  });
});
