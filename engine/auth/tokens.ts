/**
 * API bearer tokens, stored as records of kind `token` in whichever store is configured, so they
 * follow the data (SQLite file or Neo4j) and their creation and revocation are in the event log.
 *
 * Only a SHA-256 of the secret is stored; the plaintext is returned once, at creation. The record
 * id is derived from the hash (`tok_` + 16 hex), so a token presented by a client is found with
 * one keyed read — which also makes tokens created by another process (the CLI) usable at once.
 * Lookups go through an in-memory cache keyed by hash; entries older than `ttlMs` are re-read. A
 * token event the owner's mirror applies drops that token's entry (`TokenBackend.onCommitted`), so
 * with the API following the log a revocation made by another process takes effect within the follow
 * interval; `ttlMs` remains the bound when nothing follows the log (in-process: immediately).
 * While the store is unreachable, a live token verified within `staleMs` keeps working (reads go
 * on from the mirror); older ones and unknown ones do not. Unknown tokens are cached apart, in a
 * smaller map, so a flood of random tokens never evicts the live ones.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ConflictError, InputError, NotFoundError, StoreUnavailableError, zodIssues } from '../errors.ts';
import type { ApplyResult, ChangeEvent, GraphStore, Mutation, StoredRecord, WriteContext } from '../store/port.ts';
import { Records } from '../records/index.ts';

export const ROLES = ['viewer', 'engineer', 'change_manager', 'cab_member', 'auditor', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

export const TOKEN_KIND = 'token';
const TOKEN_PREFIX = 'cmdb_';
/** `cmdb_` + 43 base64url characters (32 random bytes). */
const TOKEN_SHAPE = /^cmdb_[A-Za-z0-9_-]{43}$/;

export const TokenName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, 'must start with a letter or digit and contain only letters, digits and . _ @ -');

export const TokenDoc = z
  .object({
    name: TokenName,
    role: Role,
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    createdAt: z.string(),
    createdBy: z.string(),
    revokedAt: z.string().nullable(),
  })
  .strict();
export type TokenDoc = z.infer<typeof TokenDoc>;

/** What may be shown about a token: everything but the hash. */
export interface TokenInfo {
  id: string;
  name: string;
  role: Role;
  createdAt: string;
  createdBy: string;
  revokedAt: string | null;
  version: number;
}

/** What the token service needs from the CMDB facade (kept narrow for tests). */
export interface TokenBackend {
  store: Pick<GraphStore, 'getRecord' | 'listRecords'>;
  apply(batch: readonly Mutation[], ctx: WriteContext): Promise<ApplyResult>;
  /**
   * Committed events as the owner applies them (`Cmdb.onCommitted`: its own writes and, while it
   * follows the log, other processes'). When given, a token created or revoked elsewhere drops out
   * of the cache at once instead of after `ttlMs`.
   */
  onCommitted?(listener: (events: readonly ChangeEvent[]) => void): () => void;
}

export function hashToken(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

export function tokenIdOf(hash: string): string {
  return `tok_${hash.slice(0, 16)}`;
}

function info(rec: StoredRecord): TokenInfo {
  const doc = TokenDoc.parse(rec.doc);
  return {
    id: rec.id,
    name: doc.name,
    role: doc.role,
    createdAt: doc.createdAt,
    createdBy: doc.createdBy,
    revokedAt: doc.revokedAt,
    version: rec.version,
  };
}

interface CacheEntry {
  token: TokenInfo | null;
  at: number;
}

export interface TokenCacheOptions {
  /** How long a verification is trusted before the store is asked again (default 30 s). */
  ttlMs?: number;
  /** While the store is down, how old a verification may be and still count (default 15 min). */
  staleMs?: number;
  /** Live tokens kept (default 10,000); the least recently verified goes first. */
  maxCache?: number;
  /** Unknown / revoked tokens remembered (default 1,000). */
  maxNegative?: number;
}

export class TokenService {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly negative = new Map<string, CacheEntry>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly maxCache: number;
  private readonly maxNegative: number;
  /** Token records: ids derive from the hash (`tokenIdOf`), never from a counter. */
  private readonly records: Records;

  constructor(
    private readonly backend: TokenBackend,
    opts: TokenCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 30_000;
    this.staleMs = Math.max(opts.staleMs ?? 15 * 60_000, this.ttlMs);
    this.maxCache = opts.maxCache ?? 10_000;
    this.maxNegative = opts.maxNegative ?? 1_000;
    this.records = new Records(backend, TOKEN_KIND);
    backend.onCommitted?.((events) => this.forget(events));
  }

  /** Drops the cached verdict on every token these events create, change or revoke. */
  private forget(events: readonly ChangeEvent[]): void {
    for (const e of events) {
      if (e.entity !== TOKEN_KIND) continue;
      const hashes = [e.before, e.after].map((r) => (r as StoredRecord | null)?.doc?.hash).filter((h) => typeof h === 'string');
      // A token event without a readable hash names no entry: forget them all rather than trust a stale one.
      if (hashes.length === 0) this.clearCache();
      for (const h of hashes) {
        this.cache.delete(h);
        this.negative.delete(h);
      }
    }
  }

  private remember(hash: string, token: TokenInfo | null, at: number): void {
    const map = token ? this.cache : this.negative;
    const max = token ? this.maxCache : this.maxNegative;
    (token ? this.negative : this.cache).delete(hash);
    map.delete(hash);
    // Maps iterate in insertion order: the first key is the least recently verified.
    if (map.size >= max) map.delete(map.keys().next().value!);
    map.set(hash, { token, at });
  }

  /** Creates a token; the plaintext is in the answer and nowhere else. Names are unique. */
  async create(input: { name: string; role: string }, ctx: WriteContext): Promise<{ token: string; info: TokenInfo }> {
    const name = TokenName.safeParse(input.name);
    if (!name.success)
      throw new InputError(
        `token create: invalid name "${input.name}"`,
        zodIssues(name.error.issues.map((i) => ({ ...i, path: ['name', ...i.path] }))),
      );
    const role = Role.safeParse(input.role);
    if (!role.success)
      throw new InputError(
        `token create: unknown role "${input.role}" (one of ${ROLES.join(', ')})`,
        zodIssues(role.error.issues.map((i) => ({ ...i, path: ['role', ...i.path] }))),
      );
    if ((await this.list()).some((t) => t.name === name.data))
      throw new ConflictError(`token create: a token named "${name.data}" already exists`, { name: name.data });
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const hash = hashToken(token);
    const doc: TokenDoc = {
      name: name.data,
      role: role.data,
      hash,
      createdAt: new Date().toISOString(),
      createdBy: ctx.actor,
      revokedAt: null,
    };
    const id = tokenIdOf(hash);
    const res = await this.backend.apply([{ op: 'putRecord', kind: TOKEN_KIND, id, doc, expectedVersion: 0 }], ctx);
    const rec = res.events[0]?.after as StoredRecord | undefined;
    const created = rec ? info(rec) : { id, ...doc, version: 1 };
    this.remember(hash, created, Date.now());
    return { token, info: stripHash(created) };
  }

  /** Every token, revoked ones included (they stay for the audit trail), ordered by id. */
  async list(): Promise<TokenInfo[]> {
    return (await this.records.all()).map(info);
  }

  /** Revokes by id or by name; revoking twice is refused so a typo does not go unnoticed. */
  async revoke(idOrName: string, ctx: WriteContext): Promise<TokenInfo> {
    const all = await this.list();
    const found = all.find((t) => t.id === idOrName) ?? all.find((t) => t.name === idOrName);
    if (!found) throw new NotFoundError(`token revoke: no token with id or name "${idOrName}"`, { token: idOrName });
    if (found.revokedAt !== null)
      throw new ConflictError(`token revoke: token "${found.name}" was already revoked at ${found.revokedAt}`, { id: found.id });
    const rec = await this.records.get(found.id);
    if (!rec) throw new NotFoundError(`token revoke: token "${idOrName}" not found`, { token: idOrName });
    const doc = TokenDoc.parse(rec.doc);
    const revoked: TokenDoc = { ...doc, revokedAt: new Date().toISOString() };
    await this.backend.apply([{ op: 'putRecord', kind: TOKEN_KIND, id: rec.id, doc: revoked, expectedVersion: rec.version }], ctx);
    this.cache.delete(doc.hash);
    this.negative.delete(doc.hash);
    return { ...found, revokedAt: revoked.revokedAt, version: rec.version + 1 };
  }

  /**
   * The live token a client presented, or undefined (unknown, malformed or revoked). Malformed
   * strings are refused before hashing or any store read.
   */
  async verify(plaintext: string): Promise<TokenInfo | undefined> {
    if (!TOKEN_SHAPE.test(plaintext)) return undefined;
    const hash = hashToken(plaintext);
    const now = Date.now();
    const hit = this.cache.get(hash) ?? this.negative.get(hash);
    if (hit && now - hit.at < this.ttlMs) return hit.token ?? undefined;
    let rec: StoredRecord | undefined;
    try {
      rec = await this.records.get(tokenIdOf(hash));
    } catch (err) {
      // Store unreachable: a token verified recently keeps working, so reads from the mirror go on.
      if (hit && err instanceof StoreUnavailableError && (hit.token === null || now - hit.at < this.staleMs)) return hit.token ?? undefined;
      throw err;
    }
    let token: TokenInfo | null = null;
    if (rec) {
      const doc = TokenDoc.safeParse(rec.doc);
      if (doc.success && sameHex(doc.data.hash, hash) && doc.data.revokedAt === null) token = info(rec);
    }
    this.remember(hash, token, now);
    return token ?? undefined;
  }

  /** Forgets cached lookups (e.g. after another process revoked tokens). */
  clearCache(): void {
    this.cache.clear();
    this.negative.clear();
  }
}

function stripHash(t: TokenInfo & { hash?: string }): TokenInfo {
  const { hash: _h, ...rest } = t;
  return rest;
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
