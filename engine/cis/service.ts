/**
 * CIService: the CI use cases the HTTP API and the CLI share — create, replace (PUT), JSON Merge
 * Patch (RFC 7396) and delete with an optional cascade over the CI's relationships — each one
 * `cmdb.apply` batch with optimistic concurrency on the version read. They lived in the route
 * handlers; here they are testable without HTTP and usable from any caller.
 *
 * Preconditions: `expected` is what a caller's `If-Match` named (a list of versions, or `any`).
 * A stale one is `precondition_failed` before anything is written; a write landing between the
 * read and the commit makes the store refuse the batch (`conflict`, or `precondition_failed` when
 * the caller had named a version — it is then the caller's precondition that failed).
 */
import type { Cmdb } from '../cmdb.ts';
import { CmdbError, ConflictError, InputError, NotFoundError, StoreUnavailableError, zodIssues } from '../errors.ts';
import { CI_STATUSES, CIInput, ClassId, ENVIRONMENTS, RedundancyRule, Tag, toCIData, type CI } from '../model/ci.ts';
import { mergePatch } from '../model/merge-patch.ts';
import { deleteCIBatch, mirrorCI, relationshipsOf, type MirrorCI } from '../queries/cis.ts';
import type { ApplyResult, WriteContext } from '../store/port.ts';
import { z } from 'zod';

/** What a write expects of the current version (from `If-Match`); undefined: whatever is current. */
export type Expected = { any: true } | { any: false; versions: readonly number[] } | undefined;

export class PreconditionError extends CmdbError {
  constructor(message: string, details?: unknown) {
    super('precondition_failed', message, details);
  }
}

/**
 * A merge patch on a CI: the client fields, each optional; `null` removes a key (an optional
 * field then takes its default, a required one — class, name — is refused by the final check).
 * `attributes` merges key by key; arrays (tags, redundancy) replace. `id` may be repeated but not
 * changed; `version`, `createdAt`, `updatedAt` are ignored (If-Match carries the precondition).
 */
export const CIMergePatch = z
  .object({
    id: z.string().optional(),
    class: ClassId.nullable(),
    name: z.string().min(1).max(500).nullable(),
    status: z.enum(CI_STATUSES).nullable(),
    environment: z.enum(ENVIRONMENTS).nullable(),
    criticality: z.number().int().min(1).max(4).nullable(),
    owner: z.string().min(1).max(200).nullable(),
    attributes: z.record(z.string(), z.unknown()).nullable(),
    tags: z.array(Tag).nullable(),
    redundancy: z.array(RedundancyRule).nullable(),
    version: z.unknown(),
    createdAt: z.unknown(),
    updatedAt: z.unknown(),
  })
  .partial()
  .strict()
  .describe('JSON Merge Patch (RFC 7396) over the CI: `null` removes a key, `attributes` merges key by key, arrays replace');
export type CIMergePatch = z.infer<typeof CIMergePatch>;

const SYSTEM_FIELDS = ['version', 'createdAt', 'updatedAt'] as const;

export class CIService {
  constructor(private readonly cmdb: Cmdb) {}

  /** The stored CI, or NotFoundError. */
  async get(op: string, id: string): Promise<CI> {
    const ci = await this.cmdb.store.getCI(id);
    if (!ci) throw new NotFoundError(`${op}: CI "${id}" not found`, { id });
    return ci;
  }

  /** The stored CI; when the store is unreachable, the mirror's attributes of a CI it holds. */
  async read(id: string): Promise<{ source: 'store'; ci: CI } | { source: 'mirror'; ci: MirrorCI }> {
    try {
      return { source: 'store', ci: await this.get('getCI', id) };
    } catch (e) {
      if (!(e instanceof StoreUnavailableError) || !this.cmdb.mirror.graph.hasNode(id)) throw e;
      return { source: 'mirror', ci: mirrorCI(this.cmdb.mirror, id) };
    }
  }

  async create(input: z.output<typeof CIInput>, ctx: WriteContext): Promise<CI> {
    const ci = toCIData(input);
    const result = await this.cmdb.apply([{ op: 'upsertCI', ci, expectedVersion: 0 }], ctx).catch((e: unknown) => {
      if (e instanceof ConflictError)
        throw new ConflictError(`createCI: CI "${ci.id}" already exists`, { id: ci.id, reason: 'duplicate_id' });
      throw e;
    });
    return result.events[0]!.after as CI;
  }

  /** PUT: every client field replaced; omitted ones take their defaults. */
  async replace(id: string, input: z.output<typeof CIInput>, ctx: WriteContext, expected?: Expected): Promise<CI> {
    const op = 'replaceCI';
    if (input.id !== id)
      throw new InputError(`${op}: body id "${input.id}" differs from the URL id "${id}"`, [
        { in: 'body', path: ['id'], code: 'invalid_value', message: 'must equal the id in the URL' },
      ]);
    const before = await this.get(op, id);
    checkExpected(op, expected, `CI "${id}"`, before.version);
    const result = await guarded(op, expected, () =>
      this.cmdb.apply([{ op: 'upsertCI', ci: toCIData(input), expectedVersion: before.version }], ctx),
    );
    return (result.events[0]?.after as CI | undefined) ?? before;
  }

  /** PATCH: RFC 7396 over the stored CI's client fields; the result is validated as a whole CI. */
  async patch(id: string, patch: CIMergePatch, ctx: WriteContext, expected?: Expected): Promise<CI> {
    const op = 'patchCI';
    if (patch.id !== undefined && patch.id !== id)
      throw new InputError(`${op}: body id "${patch.id}" differs from the URL id "${id}" (a CI's id cannot change)`, [
        { in: 'body', path: ['id'], code: 'invalid_value', message: 'must equal the id in the URL' },
      ]);
    const before = await this.get(op, id);
    checkExpected(op, expected, `CI "${id}"`, before.version);
    const clean: Record<string, unknown> = { ...patch };
    for (const f of SYSTEM_FIELDS) delete clean[f];
    const merged = mergePatch(toCIData(CIInput.parse(before)), clean);
    const parsed = CIInput.safeParse(merged);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const field = first && first.path.length > 0 ? ` "${first.path.join('.')}"` : '';
      throw new InputError(
        `${op}: the patched CI "${id}" is invalid${field}: ${first?.message ?? 'invalid'}`,
        zodIssues(parsed.error.issues).map((i) => ({ in: 'body', ...i })),
      );
    }
    const result = await guarded(op, expected, () =>
      this.cmdb.apply([{ op: 'upsertCI', ci: toCIData(parsed.data), expectedVersion: before.version }], ctx),
    );
    return (result.events[0]?.after as CI | undefined) ?? before;
  }

  /**
   * Deletes a CI; with `cascade` its relationships go in the same atomic batch. Without it a CI
   * that still has relationships is refused with the list (the store would refuse too, less clearly).
   */
  async delete(
    id: string,
    opts: { cascade: boolean },
    ctx: WriteContext,
    expected?: Expected,
  ): Promise<{ id: string; relationshipsDeleted: string[]; seq: number }> {
    const op = 'deleteCI';
    const before = await this.get(op, id);
    checkExpected(op, expected, `CI "${id}"`, before.version);
    const attached = relationshipsOf(this.cmdb.mirror, id);
    if (attached.length > 0 && !opts.cascade) {
      throw new ConflictError(
        `${op}: CI "${id}" still has ${attached.length} relationship(s) (e.g. "${attached[0]}"); delete them first or use ?cascade=true`,
        {
          id,
          reason: 'has_relationships',
          relationships: attached.slice(0, 50),
          count: attached.length,
        },
      );
    }
    const batch = deleteCIBatch(this.cmdb.mirror, id, { cascade: opts.cascade, expectedVersion: before.version });
    const result: ApplyResult = await guarded(op, expected, () => this.cmdb.apply(batch, ctx));
    return { id, relationshipsDeleted: batch.flatMap((m) => (m.op === 'deleteRelationship' ? [m.id] : [])), seq: result.seq };
  }
}

/** Refuses a stale expectation before anything is sent to the store. */
export function checkExpected(op: string, expected: Expected, what: string, version: number): void {
  if (!expected || expected.any) return;
  if (!expected.versions.includes(version)) {
    throw new PreconditionError(
      `${op}: ${what} is at version ${version}, not ${expected.versions.join(' or ')} (If-Match); nothing was written`,
      { expected: expected.versions, actual: version },
    );
  }
}

/**
 * The version read goes to the store as `expectedVersion`, so a write landing in between fails
 * there: with a named expectation that is the caller's precondition failing; without, a plain
 * conflict the caller may retry.
 */
export async function guarded<T>(op: string, expected: Expected, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (err instanceof ConflictError && expected) throw new PreconditionError(`${op}: ${err.message}; nothing was written`, err.details);
    throw err;
  }
}
