/**
 * Identification: which CI in a set is the same real thing as a given CI (DESIGN.md
 * "Reconciliation", "Importers"). Pure: no store, no I/O; an index over a set of CIs is an
 * instance the caller builds and owns. Used by the importers (a CI seen by two sources is one CI)
 * and by the audit's reconciliation and duplicate rule.
 *
 * Rules, all from the class registry's `identificationKeys`:
 * - **Effective keys** of a class are its ancestors' keys, root first, then its own, without
 *   repeats. The root `ConfigurationItem` declares the globally unique ids (ServiceNow `sys_id`,
 *   Kubernetes `uid`, cloud resource id), so they are tried before any class-specific key.
 * - **A key field** is `id`, `name` or `environment` (the CI's own fields) or else an attribute.
 *   Values are compared trimmed and case-insensitively (host names, serial numbers and sys_ids
 *   are case-insensitive in practice); a missing, empty or non-scalar value means the CI does not
 *   have that key.
 * - **Which keys may join two CIs**: only those declared by a class that both CIs are — the
 *   effective keys of their nearest common ancestor. Two `Server`s may match on `serialNumber`, a
 *   `Server` and a `KubernetesNode` too; a `Database` and an `Application` called "orders" never
 *   match on `name` (their common ancestor is the root, which has no `name` key); the root's ids
 *   join any two classes.
 * - **The first key both CIs have decides**: keys are tried in order; a candidate that has an
 *   earlier usable key with a *different* value is not the same thing (two records with different
 *   sys_ids are two records, whatever their names say).
 * - **Never merged silently**: one candidate is a `match`; two or more are `ambiguous` and the
 *   caller reports them as candidate duplicates instead of picking one.
 * - A CI with the same `id` is the same CI (ids are the CMDB's own key); that is tried first.
 */
import type { CIData } from './ci.ts';
import type { Registry } from './registry.ts';

/** Fields of the CI itself; every other key field names an attribute. */
const CI_FIELDS = new Set(['id', 'name', 'environment']);

/** The minimum a CI needs for identification, so callers may pass stored or parsed CIs. */
export type IdentifiableCI = Pick<CIData, 'id' | 'class' | 'name' | 'environment' | 'attributes'>;

export interface IdentificationKey {
  /** Field names, as declared. */
  fields: readonly string[];
  /** The class that declares the key (the nearest ancestor, when inherited). */
  declaredBy: string;
}

/** One identification key with a CI's values for it. */
export interface KeyValues {
  fields: readonly string[];
  /** Normalised values, one per field. */
  values: string[];
}

export type MatchResult<T extends IdentifiableCI = IdentifiableCI> =
  { kind: 'match'; ci: T; key: readonly string[] } | { kind: 'ambiguous'; candidates: T[]; key: readonly string[] } | { kind: 'none' };

/** CIs of a set that identify as one thing, with the key that joins them. */
export interface DuplicateGroup<T extends IdentifiableCI = IdentifiableCI> {
  key: readonly string[];
  values: string[];
  /** In id order. */
  cis: T[];
}

/** A key's fields (or a CI's values for them) as one string: the bucket key of the index. */
export const signature = (fields: readonly string[]): string => fields.join('\u0000');

/**
 * Effective identification keys of a class, strongest first (see the header).
 * Unknown classes have none: the registry refuses them elsewhere.
 */
export function identificationKeys(registry: Registry, cls: string): IdentificationKey[] {
  const chain: string[] = [];
  for (let c = registry.classDef(cls); c; c = c.parent ? registry.classDef(c.parent) : undefined) chain.unshift(c.id);
  const out: IdentificationKey[] = [];
  const seen = new Set<string>();
  for (const id of chain) {
    for (const fields of registry.classDef(id)!.identificationKeys) {
      const sig = signature(fields);
      if (seen.has(sig)) continue;
      seen.add(sig);
      out.push({ fields, declaredBy: id });
    }
  }
  return out;
}

/** A field's normalised value, or undefined when the CI does not have it. */
export function fieldValue(ci: IdentifiableCI, field: string): string | undefined {
  const raw: unknown = CI_FIELDS.has(field) ? ci[field as 'id' | 'name' | 'environment'] : ci.attributes[field];
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (typeof raw !== 'string') return undefined;
  const v = raw.trim().toLowerCase();
  return v === '' ? undefined : v;
}

/** The CI's normalised values for one key, or undefined when any field is missing. */
export function keyValues(ci: IdentifiableCI, fields: readonly string[]): string[] | undefined {
  const values: string[] = [];
  for (const f of fields) {
    const v = fieldValue(ci, f);
    if (v === undefined) return undefined;
    values.push(v);
  }
  return values;
}

/**
 * The CI's values for one key as one string (the bucket key of the index), or undefined when any
 * field is missing — `signature(keyValues(…))` without the intermediate array; single-field keys
 * (most of them) need no join at all.
 */
export function keyString(ci: IdentifiableCI, fields: readonly string[]): string | undefined {
  // Stryker disable next-line ConditionalExpression: equivalent — one value joined alone is that value (the join is skipped for speed)
  if (fields.length === 1) return fieldValue(ci, fields[0]!);
  const values = keyValues(ci, fields);
  return values === undefined ? undefined : signature(values);
}

/**
 * A 32-bit FNV-1a hash of a string's UTF-16 code units: what `keyHash` computes of a key string
 * without building it.
 */
export function stringHash(s: string, h = FNV_OFFSET): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/**
 * `stringHash(keyString(ci, fields))`, or undefined exactly when keyString is, computed from the
 * raw values: an ASCII string is trimmed and lower-cased while it is hashed (no new strings), any
 * other value goes through fieldValue. Equal key strings hash equal, so a hash seen once proves a
 * value unique under that key; two CIs hashing equal are only candidates (strings decide).
 */
export function keyHash(ci: IdentifiableCI, fields: readonly string[]): number | undefined {
  let h = FNV_OFFSET;
  for (let f = 0; f < fields.length; f++) {
    const field = fields[f]!;
    const raw: unknown = CI_FIELDS.has(field) ? ci[field as 'id' | 'name' | 'environment'] : ci.attributes[field];
    if (f > 0) h = Math.imul(h, FNV_PRIME); // the separator, code unit 0: h ^ 0 === h
    // Stryker disable next-line ConditionalExpression,StringLiteral: equivalent — without the ASCII fast path every value goes through fieldValue and stringHash, which hash alike (pinned: keyHash === stringHash(keyString))
    const next = typeof raw === 'string' ? asciiHash(raw, h) : undefined;
    // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent — the fieldValue path below computes the same hash
    if (next !== undefined) {
      if (next === EMPTY) return undefined;
      h = next;
      continue;
    }
    const v = fieldValue(ci, field);
    if (v === undefined) return undefined;
    h = stringHash(v, h);
  }
  return h;
}

/** `asciiHash`'s answer for a string that trims to nothing (not a valid hash: hashes are int32). */
const EMPTY = 2 ** 32;

/**
 * Folds `raw.trim().toLowerCase()` into `h` when `raw` is ASCII (where trim strips only tab, line
 * feed, vertical tab, form feed, carriage return and space, and toLowerCase maps only A–Z); EMPTY
 * when that is ''; undefined for a string with any other code unit (the caller normalises it).
 */
// Stryker disable next-line BlockStatement: equivalent — undefined sends every string through fieldValue, which hashes alike
function asciiHash(raw: string, h: number): number | undefined {
  let lo = 0;
  let hi = raw.length - 1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — more strings through the fieldValue path (DEL, or all), which hashes alike
  for (let i = 0; i <= hi; i++) if (raw.charCodeAt(i) > 127) return undefined;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — the end trim and the charCodeAt past the end (NaN, not a space) stop where this would
  while (lo <= hi && isAsciiSpace(raw.charCodeAt(lo))) lo++;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — with lo past hi the reads are NaN (not a space); lo at hi is a non-space after the first trim
  while (hi >= lo && isAsciiSpace(raw.charCodeAt(hi))) hi--;
  if (lo > hi) return EMPTY;
  for (let i = lo; i <= hi; i++) {
    const c = raw.charCodeAt(i);
    h = Math.imul(h ^ (c >= 65 && c <= 90 ? c + 32 : c), FNV_PRIME);
  }
  return h;
}

function isAsciiSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * The first position seen per key hash (open addressing over two typed arrays, grown at half
 * full): no string and no Map entry per CI, where a `Map<string, number>` of a million key
 * strings is most of a pass's time and memory. `add` answers the earlier position with the same
 * hash, or -1.
 */
export class FirstByHash {
  private hashes = new Int32Array(1024);
  /** Position + 1; 0 marks an empty slot. */
  private firsts = new Int32Array(1024);
  private count = 0;

  add(hash: number, pos: number): number {
    // Stryker disable next-line EqualityOperator,ArithmeticOperator: equivalent — growing one add earlier or later keeps the table under full
    if (2 * (this.count + 1) > this.hashes.length) this.grow();
    const mask = this.hashes.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const first = this.firsts[s]!;
      if (first === 0) {
        this.hashes[s] = hash;
        this.firsts[s] = pos + 1;
        this.count++;
        return -1;
      }
      if (this.hashes[s] === hash) return first - 1;
    }
  }

  private grow(): void {
    const { hashes, firsts } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.firsts = new Int32Array(hashes.length * 2);
    const mask = this.hashes.length - 1;
    // Stryker disable next-line EqualityOperator: equivalent — one more turn copies slot `length` (undefined, written as 0: an empty slot) into an empty slot
    for (let i = 0; i < hashes.length; i++) {
      // Stryker disable next-line ConditionalExpression: equivalent — copying an empty slot writes zeros into an empty slot
      if (firsts[i] === 0) continue;
      let s = hashes[i]! & mask;
      while (this.firsts[s] !== 0) s = (s + 1) & mask;
      this.hashes[s] = hashes[i]!;
      this.firsts[s] = firsts[i]!;
    }
  }
}

/** An effective key with its signature, computed once per class by the index. */
interface IndexedKey extends IdentificationKey {
  sig: string;
}

/** Every effective key of the CI's class that the CI has values for, strongest first. */
export function identify(registry: Registry, ci: IdentifiableCI): KeyValues[] {
  const out: KeyValues[] = [];
  for (const key of identificationKeys(registry, ci.class)) {
    const values = keyValues(ci, key.fields);
    if (values !== undefined) out.push({ fields: key.fields, values });
  }
  return out;
}

/**
 * An index of a set of CIs by their identification values, answering "which of them is this
 * CI?". Build it once per set (an import, a reconciliation) — it holds per-class caches, so it
 * is an instance, never shared module state.
 */
export class IdentificationIndex<T extends IdentifiableCI = IdentifiableCI> {
  private readonly registry: Registry;
  private readonly byId = new Map<string, T>();
  /** key signature → joined values → CIs having them. */
  private readonly buckets = new Map<string, Map<string, T[]>>();
  private readonly keysOf = new Map<string, IndexedKey[]>();
  private readonly usableOf = new Map<string, Set<string>>();

  constructor(registry: Registry, cis: Iterable<T> = []) {
    this.registry = registry;
    for (const ci of cis) this.add(ci);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Adds a CI (replacing one with the same id). */
  add(ci: T): void {
    // Stryker disable next-line ConditionalExpression: equivalent — removing an id the index does not hold does nothing
    if (this.byId.has(ci.id)) this.remove(ci.id);
    this.byId.set(ci.id, ci);
    for (const key of this.keys(ci.class)) {
      const joined = keyString(ci, key.fields);
      // Stryker disable next-line ConditionalExpression: equivalent — a bucket under `undefined` is never asked by match (it skips a missing value) and yields no group (its CIs' own buckets are singletons)
      if (joined === undefined) continue;
      let bucket = this.buckets.get(key.sig);
      if (!bucket) this.buckets.set(key.sig, (bucket = new Map()));
      const list = bucket.get(joined);
      if (list) list.push(ci);
      else bucket.set(joined, [ci]);
    }
  }

  remove(id: string): void {
    const ci = this.byId.get(id);
    if (!ci) return;
    this.byId.delete(id);
    for (const key of this.keys(ci.class)) {
      const joined = keyString(ci, key.fields);
      if (joined === undefined) continue;
      const bucket = this.buckets.get(key.sig)!;
      const rest = bucket.get(joined)!.filter((c) => c.id !== id);
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — an empty list left in a bucket matches nothing and groups nothing
      if (rest.length > 0) bucket.set(joined, rest);
      else bucket.delete(joined);
    }
  }

  get(id: string): T | undefined {
    return this.byId.get(id);
  }

  /**
   * The CI(s) of the set that `ci` identifies as: the one with its id, else the candidates
   * under the first of its keys that yields any (see the header for which keys count).
   */
  match(ci: IdentifiableCI): MatchResult<T> {
    const same = this.byId.get(ci.id);
    if (same) return { kind: 'match', ci: same, key: ['id'] };
    for (const key of this.keys(ci.class)) {
      const joined = keyString(ci, key.fields);
      // Stryker disable next-line ConditionalExpression: equivalent — no bucket is keyed `undefined`, so the lookup below finds nothing either
      if (joined === undefined) continue;
      const found = this.buckets.get(key.sig)?.get(joined);
      if (!found) continue;
      const candidates = found.filter((c) => this.sameThing(ci, c, key.fields));
      if (candidates.length === 1) return { kind: 'match', ci: candidates[0]!, key: key.fields };
      // Stryker disable next-line EqualityOperator: equivalent — one candidate has returned a match above
      if (candidates.length > 1) return { kind: 'ambiguous', candidates, key: key.fields };
    }
    return { kind: 'none' };
  }

  /**
   * Groups of CIs in the set that identify as one another (candidate duplicates), each under the
   * strongest key that joins them. A CI appears in at most one group.
   */
  duplicates(): DuplicateGroup<T>[] {
    // Only a CI sharing a bucket with another can be in a group: walk those, in id order, as if
    // walking every CI (the others would find no member under any key).
    const shared = new Set<T>();
    for (const bucket of this.buckets.values())
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — a CI alone in all its buckets finds no member below (performance only)
      for (const list of bucket.values()) if (list.length > 1) for (const c of list) shared.add(c);
    const grouped = new Set<string>();
    const out: DuplicateGroup<T>[] = [];
    // Stryker disable next-line EqualityOperator: equivalent — ids in an index are unique
    const order = [...shared].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const ci of order) {
      if (grouped.has(ci.id)) continue;
      for (const key of this.keys(ci.class)) {
        const values = keyValues(ci, key.fields);
        if (values === undefined) continue;
        const found = this.buckets.get(key.sig)!.get(signature(values))!;
        const members = found.filter((c) => c.id !== ci.id && !grouped.has(c.id) && this.sameThing(ci, c, key.fields));
        if (members.length === 0) continue;
        // Stryker disable next-line EqualityOperator: equivalent — ids in an index are unique
        const cis = [ci, ...members].sort((a, b) => (a.id < b.id ? -1 : 1));
        for (const c of cis) grouped.add(c.id);
        out.push({ key: key.fields, values, cis });
        break;
      }
    }
    return out;
  }

  /**
   * True when `key` may join `a` and `b` (declared by a class both are) and no earlier usable key
   * that both have disagrees.
   */
  private sameThing(a: IdentifiableCI, b: IdentifiableCI, key: readonly string[]): boolean {
    const usable = this.usable(a.class, b.class);
    const sig = signature(key);
    if (!usable.has(sig)) return false;
    for (const k of this.keys(a.class)) {
      const s = k.sig;
      if (s === sig) return true;
      // Stryker disable next-line ConditionalExpression: equivalent — a's keys the pair may not use come after every key it may (they are declared below the common ancestor), so the loop returns at `sig` first
      if (!usable.has(s)) continue;
      const va = keyValues(a, k.fields);
      const vb = keyValues(b, k.fields);
      if (va !== undefined && vb !== undefined && signature(va) !== signature(vb)) return false;
    }
    // Stryker disable next-line BooleanLiteral: unreachable — `sig` is a key of the common ancestor, hence of a's class, so the loop returns first
    return true;
  }

  private keys(cls: string): IndexedKey[] {
    let keys = this.keysOf.get(cls);
    // Stryker disable next-line ConditionalExpression: equivalent — a per-class cache; recomputing gives the same keys
    if (!keys) this.keysOf.set(cls, (keys = identificationKeys(this.registry, cls).map((k) => ({ ...k, sig: signature(k.fields) }))));
    return keys;
  }

  /** Signatures of the keys declared by a class both `a` and `b` are (their nearest common ancestor's). */
  private usable(a: string, b: string): Set<string> {
    // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent — the cache key of a pair; either order finds the same set
    const pair = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    let set = this.usableOf.get(pair);
    // Stryker disable next-line ConditionalExpression: equivalent — a cache; recomputing gives the same set
    if (set) return set;
    const ancestorsOfA = new Set<string>();
    for (let c = this.registry.classDef(a); c; c = c.parent ? this.registry.classDef(c.parent) : undefined) ancestorsOfA.add(c.id);
    let common: string | undefined;
    for (let c = this.registry.classDef(b); c; c = c.parent ? this.registry.classDef(c.parent) : undefined) {
      if (ancestorsOfA.has(c.id)) {
        common = c.id;
        break;
      }
    }
    // Stryker disable next-line ConditionalExpression,ArrayDeclaration: equivalent — classes with no common ancestor are unknown ones: keys(undefined) is empty, and no key signature is a made-up string
    set = new Set(common === undefined ? [] : this.keys(common).map((k) => signature(k.fields)));
    this.usableOf.set(pair, set);
    return set;
  }
}
