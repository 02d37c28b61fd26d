/**
 * Baselines: a named snapshot of the whole graph at a seq (every hop, no cap), stored as a
 * `baseline` record holding the seq, the log head hash at that seq, the SHA-256 of the graph's
 * content and the description of its replay checkpoint. The checkpoint (the full documents at that
 * seq, checkpoints.ts) is written to the store beside the graph before the record, so the record's
 * creation event — hash-chained — vouches for its bytes; as-of reads at or after the seq start from
 * it (past-graphs.ts). The content hash proves a later rebuild is the graph that was baselined.
 * Diffs are attribute by attribute, between two baselines or a baseline and now (decisions.md).
 */
import type { Cmdb } from '../cmdb.ts';
import { ConflictError, InputError, NotFoundError } from '../errors.ts';
import { diffSnapshots, snapshotHash, type Snapshot, type SnapshotDiff } from '../audit/snapshot.ts';
import { logHead } from './log.ts';
import { BASELINE, encodeCheckpoint, type CheckpointMeta } from './checkpoints.ts';

export { BASELINE };
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export interface Baseline {
  name: string;
  seq: number;
  createdAt: string;
  actor: string;
  description?: string;
  /** Hash of the event at `seq` (null before the chain existed or for an empty log). */
  logHash: string | null;
  contentHash: string;
  counts: { cis: number; relationships: number };
  /** The replay checkpoint written with it (absent on baselines made before checkpoints existed). */
  checkpoint?: CheckpointMeta;
}

export class BaselineService {
  constructor(
    private readonly cmdb: Cmdb,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async create(name: string, actor: string, options: { seq?: number; description?: string } = {}): Promise<Baseline> {
    if (!NAME.test(name))
      throw new InputError(`baseline: name "${name}" must be letters, digits, . _ - (at most 100, starting with a letter or digit)`, [
        { path: ['name'], code: 'invalid_format', message: 'bad baseline name' },
      ]);
    if (await this.cmdb.store.getRecord(BASELINE, name))
      throw new ConflictError(`baseline: "${name}" already exists (baselines are never overwritten)`, { name, reason: 'duplicate_id' });
    const head = await logHead(this.cmdb.store);
    const seq = options.seq ?? head?.seq ?? 0;
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > (head?.seq ?? 0))
      throw new InputError(`baseline: seq ${seq} must be between 0 and the log's end (${head?.seq ?? 0})`, { seq, last: head?.seq ?? 0 });
    const snap = await this.cmdb.snapshotAt(seq);
    const checkpoint = encodeCheckpoint({ ...snap, seq });
    const hashAt =
      seq === head?.seq ? head.hash : (((await this.cmdb.store.eventsAfter(seq - 1, 1))[0] as { hash?: string } | undefined)?.hash ?? null);
    const baseline: Baseline = {
      name,
      seq,
      createdAt: this.clock().toISOString(),
      actor,
      ...(options.description ? { description: options.description } : {}),
      logHash: seq === 0 ? null : hashAt,
      contentHash: snapshotHash(snap),
      counts: { cis: snap.cis.size, relationships: snap.relationships.size },
      checkpoint: checkpoint.meta,
    };
    // Checkpoint first: a record without its checkpoint would be refused at every read; a checkpoint
    // without its record (the write below failed) is never looked up.
    await this.cmdb.store.putCheckpoint({ name, seq, parts: checkpoint.parts });
    await this.cmdb.apply(
      [{ op: 'putRecord', kind: BASELINE, id: name, doc: baseline as unknown as Record<string, unknown>, expectedVersion: 0 }],
      { actor },
    );
    return baseline;
  }

  async get(name: string): Promise<Baseline> {
    const rec = await this.cmdb.store.getRecord(BASELINE, name);
    if (!rec) throw new NotFoundError(`baseline: "${name}" not found`, { name });
    return rec.doc as unknown as Baseline;
  }

  async list(): Promise<Baseline[]> {
    const out: Baseline[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.cmdb.store.listRecords(BASELINE, { ...(after !== undefined ? { after } : {}), limit: 500 });
      out.push(...page.map((r) => r.doc as unknown as Baseline));
      if (page.length < 500) return out.sort((a, b) => a.seq - b.seq || (a.name < b.name ? -1 : 1));
      after = page[page.length - 1]!.id;
    }
  }

  /** What changed from baseline `name` to baseline `to` (default: now). */
  async diff(name: string, to?: string): Promise<SnapshotDiff & { baseline: string; toBaseline: string | null }> {
    const a = await this.get(name);
    const b = to !== undefined ? await this.get(to) : undefined;
    const now = await this.cmdb.store.lastSeq();
    const sa = await this.cmdb.snapshotAt(a.seq);
    const sb = await this.cmdb.snapshotAt(b ? b.seq : now);
    const checks: [Baseline, Snapshot][] = [[a, sa], ...(b ? [[b, sb] as [Baseline, Snapshot]] : [])];
    for (const [base, snap] of checks) {
      if (snapshotHash(snap) !== base.contentHash) {
        throw new ConflictError(
          `baseline: the event log no longer rebuilds baseline "${base.name}" (content hash differs at seq ${base.seq}); run \`cmdb log verify\``,
          { name: base.name, seq: base.seq },
        );
      }
    }
    return { baseline: a.name, toBaseline: b?.name ?? null, ...diffSnapshots(sa, sb) };
  }
}
