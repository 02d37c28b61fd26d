/**
 * The impact index: a compact adjacency derived from the mirror graph for the hot impact paths
 * (blast radius, dependencies, single points of failure), kept up to date incrementally.
 *
 * Why not walk graphology directly: its traversal helpers allocate per call and every neighbour
 * step goes through string-keyed maps; at 1M nodes / 3M edges that costs tens of ms even for a
 * shallow walk (STYLE.md #3). Here node ids become dense ints `0..n-1` and each propagating
 * relationship becomes one entry in each of two adjacency structures (edge-lists.ts: per node a
 * segment of parallel typed arrays, built as a CSR):
 *
 *   - `dep`  (direction: 'dependents') — for provider `p`, entries `dep.start[p] .. dep.end[p]` name
 *            its dependents, the relationship type index and the redundancy group (or -1 for a
 *            hard dependency). Blast radius walks these.
 *   - `prov` (direction: 'providers')  — for dependent `d`, its providers. Dependencies and SPOF walk these.
 *
 * Which end of a stored relationship provides comes from the registry (`provider: 'from'|'to'`),
 * never from the edge direction (STYLE.md #4): `A DEPENDS_ON B` is stored A→B and B provides;
 * `m MEMBER_OF g` is stored m→g and m provides. Non-propagating types (BACKED_UP_BY …) and types
 * unknown to the registry are left out of the index entirely: they never carry impact.
 *
 * Redundancy groups: for each dependent with a rule on type T, its providers through T form group
 * `g` with `groupSize[g]` members (one member per stored relationship; parallel relationships of the
 * same type between the same pair count twice) and `groupNeed[g]` = minAvailable (`"p%"` →
 * ceil(p% of size), integer arithmetic).
 *
 * Staleness. A full build at 1M nodes / 3M edges costs seconds (the CSR part ~0.1 s; the rest ~1M
 * Map inserts, ~4–6M string-keyed lookups to turn graphology keys into dense ints, and a full V8
 * mark-compact triggered by ~60 MB of fresh typed arrays), so it is done once; afterwards the index
 * follows the graph as a delta: the graph's journal (journal.ts) lists what changed since the state
 * was last brought up to date and `advanceCore` (core.ts) applies it — a few string lookups and
 * array writes per change. `ensureImpactIndex` does this lazily, at the first graph question after
 * a write: a burst of writes costs one replay, not one per write. Full builds remain for the first
 * question, after more changes than the journal holds (bulk imports), after a change it cannot
 * express (`clear()`), and when deleted CIs' tombstones pass ~1.5% of the slots (a build renumbers).
 *
 * All indexes of one lineage share one mutable state (`IndexCore`); an `ImpactIndex` object is a
 * view of it stamped with the mirror version it was issued for. So an index reflects the graph as
 * of the latest `ensureImpactIndex` call on its lineage: hold it for one synchronous question, not
 * across writes (every caller already asks `cmdb.impactIndex()` per request).
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { InputError } from '../errors.ts';
import { advanceCore, buildCore, wantedGroups, type IndexCore } from './core.ts';
import type { EdgeLists } from './edge-lists.ts';

export { requiredAvailable } from './core.ts';

export interface ImpactIndex {
  readonly kind: 'impact-index';
  /** The mirror sequence number this index was issued for (caller-supplied). */
  readonly version: number;
  readonly graph: GraphView;
  readonly registry: Registry;
  /**
   * Number of node slots; dense ids are `0..n-1`. A deleted CI's slot stays until the next full
   * build: not in `idToIndex`, no relationships, attributes `DELETED_CI` (class '', so class filters
   * skip it). Results never contain it.
   */
  readonly n: number;
  readonly nodeIds: readonly string[];
  /** The mirror's attribute objects, by dense id (shared references, not copies). */
  readonly attrs: readonly NodeAttrs[];
  readonly idToIndex: ReadonlyMap<string, number>;
  /** Propagating relationship types only, by type index. */
  readonly typeNames: readonly string[];
  readonly typeIndex: ReadonlyMap<string, number>;
  /** 1 when the type's provider is the stored `from` end (MEMBER_OF), 0 when it is `to`. */
  readonly typeProviderIsFrom: Uint8Array;

  /** provider → dependents (blast radius direction): segments `start[u] .. end[u]`. What the traversals walk. */
  readonly dep: EdgeLists;
  /** dependent → providers (dependencies direction). */
  readonly prov: EdgeLists;

  /**
   * The same adjacency in contiguous CSR form (`offsets[u] .. offsets[u + 1]`), for code that reads
   * arrays directly. Reading them after a relationship write compacts the segments first (typed-array
   * copies, ~20 ms per million relationships); the traversals here never need that.
   */
  readonly depOffsets: Int32Array;
  readonly depTarget: Int32Array;
  readonly depType: Uint16Array;
  readonly depGroup: Int32Array;
  readonly provOffsets: Int32Array;
  readonly provSource: Int32Array;
  readonly provType: Uint16Array;
  readonly provGroup: Int32Array;

  /** Redundancy groups, by group id (a dissolved group keeps its id, with no member referring to it). */
  readonly groupCount: number;
  readonly groupDependent: Int32Array;
  readonly groupType: Uint16Array;
  readonly groupSize: Int32Array;
  readonly groupNeed: Int32Array;
  readonly groupMinAvailable: readonly (number | string)[];

  /** Relationships skipped because their type is unknown to the registry. */
  readonly unknownTypeEdges: number;
  /** Reusable per-query scratch; see `acquireScratch`. */
  scratch: Scratch | undefined;
  /** Each node's position in code-unit order of ids; see `idRank` (computed on first need). */
  rank: Int32Array | undefined;
  /** A node order, topological where the graph allows; see `topoOrder` (computed on first need). */
  topo: Int32Array | undefined;
}

/** An `ImpactIndex` as a versioned view of a shared, incrementally maintained state. */
class IndexView implements ImpactIndex {
  readonly kind = 'impact-index' as const;
  constructor(
    readonly core: IndexCore,
    readonly version: number,
  ) {}
  get graph(): GraphView {
    return this.core.graph;
  }
  get registry(): Registry {
    return this.core.registry;
  }
  get n(): number {
    return this.core.n;
  }
  get nodeIds(): readonly string[] {
    return this.core.nodeIds;
  }
  get attrs(): readonly NodeAttrs[] {
    return this.core.attrs;
  }
  get idToIndex(): ReadonlyMap<string, number> {
    return this.core.idToIndex;
  }
  get typeNames(): readonly string[] {
    return this.core.typeNames;
  }
  get typeIndex(): ReadonlyMap<string, number> {
    return this.core.typeIndex;
  }
  get typeProviderIsFrom(): Uint8Array {
    return this.core.typeProviderIsFrom;
  }
  get dep(): EdgeLists {
    return this.core.dep;
  }
  get prov(): EdgeLists {
    return this.core.prov;
  }
  get depOffsets(): Int32Array {
    return this.core.dep.csr().offsets;
  }
  get depTarget(): Int32Array {
    return this.core.dep.csr().other;
  }
  get depType(): Uint16Array {
    return this.core.dep.csr().type;
  }
  get depGroup(): Int32Array {
    return this.core.dep.csr().group;
  }
  get provOffsets(): Int32Array {
    return this.core.prov.csr().offsets;
  }
  get provSource(): Int32Array {
    return this.core.prov.csr().other;
  }
  get provType(): Uint16Array {
    return this.core.prov.csr().type;
  }
  get provGroup(): Int32Array {
    return this.core.prov.csr().group;
  }
  get groupCount(): number {
    return this.core.groupCount;
  }
  get groupDependent(): Int32Array {
    return this.core.groupDependent;
  }
  get groupType(): Uint16Array {
    return this.core.groupType;
  }
  get groupSize(): Int32Array {
    return this.core.groupSize;
  }
  get groupNeed(): Int32Array {
    return this.core.groupNeed;
  }
  get groupMinAvailable(): readonly (number | string)[] {
    return this.core.groupMinAvailable;
  }
  get unknownTypeEdges(): number {
    return this.core.unknownTypeEdges;
  }
  get scratch(): Scratch | undefined {
    return this.core.scratch;
  }
  set scratch(s: Scratch | undefined) {
    this.core.scratch = s;
  }
  get rank(): Int32Array | undefined {
    return this.core.rank;
  }
  set rank(r: Int32Array | undefined) {
    this.core.rank = r;
  }
  get topo(): Int32Array | undefined {
    return this.core.topo;
  }
  set topo(t: Int32Array | undefined) {
    this.core.topo = t;
    this.core.topoNext = this.core.n;
  }
}

/**
 * Builds a fresh index in O(n + m). `version` is the mirror seq it reflects (see `ensureImpactIndex`).
 * With `previous` (an index of the same graph and registry), the node numbering, id map and id rank
 * are reused when the node set is unchanged, and `previous`'s lineage stops being maintained.
 */
export function buildImpactIndex(graph: GraphView, registry: Registry, version = 0, previous?: ImpactIndex): ImpactIndex {
  return new IndexView(buildCore(graph, registry, previous instanceof IndexView ? previous.core : undefined), version);
}
/**
 * Each node's position in code-unit order of ids, so large reports sort by integer keys instead of
 * string compares (≈ 10× faster for 100k impacted CIs). Sorting 1M ids costs ~1 s, so it is computed
 * on the first large report, not at build time, and cached for the life of this index: small
 * queries never pay for it.
 */
export function idRank(index: ImpactIndex): Int32Array {
  if (index.rank !== undefined) return index.rank;
  const sorted = index.nodeIds.slice(0, index.n).sort();
  // Room for the CIs later writes add: the state keeps the rank up to date on insert (core.ts).
  const rank = new Int32Array(index instanceof IndexView ? index.dep.nodeCap : index.n);
  // A deleted CI's id is no longer in the map; a re-added one maps to its live slot.
  for (let k = 0; k < sorted.length; k++) {
    const v = index.idToIndex.get(sorted[k]!);
    if (v !== undefined) rank[v] = k;
  }
  if (index instanceof IndexView) index.core.sortedIds = sorted;
  index.rank = rank;
  return rank;
}

/**
 * A numbering of the nodes in which every relationship outside a dependency cycle leads to a higher
 * number (reverse postorder of a depth-first walk along `dep`): only cycles need an edge u → v with
 * `topo[v] <= topo[u]`. Blast radius uses it to skip its cycle search when the impacted CIs have no
 * such edge. Any order keeps that test correct — every cycle has an edge that goes down in any
 * numbering — so writes never invalidate it: CIs added later are numbered last, and an edge added
 * against the order only makes the search run where it may find a cycle. Like `idRank`, computed on
 * the first large report (one O(n + m) walk, typed arrays) and cached for the life of this index.
 */
export function topoOrder(index: ImpactIndex): Int32Array {
  if (index.topo !== undefined) return index.topo;
  const n = index.n;
  const { start, end, other } = index.dep;
  const topo = new Int32Array(index instanceof IndexView ? index.dep.nodeCap : n);
  const seen = new Uint8Array(n);
  const stack = new Int32Array(n);
  const iter = new Int32Array(n);
  let post = n;
  for (let root = 0; root < n; root++) {
    if (seen[root] === 1) continue;
    seen[root] = 1;
    stack[0] = root;
    iter[0] = start[root]!;
    let sp = 1;
    while (sp > 0) {
      const u = stack[sp - 1]!;
      const stop = end[u]!;
      let e = iter[sp - 1]!;
      while (e < stop && seen[other[e]!] === 1) e++;
      if (e < stop) {
        const v = other[e]!;
        iter[sp - 1] = e + 1;
        seen[v] = 1;
        stack[sp] = v;
        iter[sp] = start[v]!;
        sp++;
      } else {
        topo[u] = --post;
        sp--;
      }
    }
  }
  index.topo = topo;
  return topo;
}

/**
 * The attribute-only fast path, kept for callers that know which CIs changed: re-reads those nodes'
 * attribute objects from `graph` and returns an index at `version`. Returns undefined when the
 * change is not of that kind (a CI added or removed, a redundancy rule changed) — then use
 * `ensureImpactIndex`, which handles every kind of change incrementally.
 */
export function refreshImpactIndexAttributes(index: ImpactIndex, graph: GraphView, version: number, changedIds: readonly string[]): ImpactIndex | undefined {
  if (!(index instanceof IndexView) || graph !== index.graph || graph.order !== index.core.liveCount) return undefined;
  const core = index.core;
  const updates: [number, NodeAttrs][] = [];
  for (const id of changedIds) {
    const v = core.idToIndex.get(id);
    if (v === undefined || !graph.hasNode(id)) return undefined;
    const a = graph.getNodeAttributes(id);
    if (!sameGroups(core, v, a)) return undefined;
    updates.push([v, a]);
  }
  for (const [v, a] of updates) core.attrs[v] = a;
  return new IndexView(core, version);
}

/** True when `a`'s rules yield exactly the groups the state holds for node `v`. */
function sameGroups(core: IndexCore, v: number, a: NodeAttrs): boolean {
  const T = core.typeNames.length;
  const wanted = wantedGroups(core, a);
  for (let t = 0; t < T; t++) {
    const g = core.groupKey.get(v * T + t);
    const min = wanted.get(t);
    if ((g === undefined) !== (min === undefined)) return false;
    if (g !== undefined && core.groupMinAvailable[g] !== min) return false;
  }
  return true;
}

/** True when `index` no longer reflects the mirror at `version` (or was built with another registry). */
export function isImpactIndexStale(index: ImpactIndex | undefined, version: number, registry?: Registry): boolean {
  return index === undefined || index.version !== version || (registry !== undefined && index.registry !== registry);
}

/** The latest index per graph and registry, so every owner (Cmdb, correlation, SLA …) shares one maintained state. */
const latest = new WeakMap<object, Map<Registry, IndexView>>();

/**
 * The maintenance policy for the mirror owner; call it at read time with the mirror's revision.
 * Returns `previous` when it still reflects the mirror at `version`; else the shared index of this
 * graph and registry brought up to date from the graph's journal (a delta: milliseconds for a few
 * writes at any graph size); else, when no index exists yet or the delta is not possible (see the
 * module header), a full build.
 */
export function ensureImpactIndex(previous: ImpactIndex | undefined, graph: GraphView, registry: Registry, version: number): ImpactIndex {
  if (previous !== undefined && !isImpactIndexStale(previous, version, registry) && previous.graph === graph) return previous;
  let byRegistry = latest.get(graph);
  if (byRegistry === undefined) latest.set(graph, (byRegistry = new Map()));
  const shared = byRegistry.get(registry);
  if (shared !== undefined && shared.version === version) return shared;
  const mine = previous instanceof IndexView && previous.graph === graph && previous.registry === registry ? previous : undefined;
  const base = shared !== undefined && !shared.core.retired ? shared : (mine ?? shared);
  const next = base !== undefined && advanceCore(base.core) ? new IndexView(base.core, version) : new IndexView(buildCore(graph, registry, base?.core), version);
  byRegistry.set(registry, next);
  // The shared state is the journal's reader that matters; a lineage further behind rebuilds.
  next.core.journal?.discardBefore(next.core.cursor);
  return next;
}
/** What every impact function accepts: a prebuilt index (hot path) or a graph view (built on the fly). */
export type ImpactSource = ImpactIndex | GraphView;

export function isImpactIndex(source: ImpactSource): source is ImpactIndex {
  return (source as ImpactIndex).kind === 'impact-index';
}

/** An index for `registry`: the given one when it matches, else built (a graph, or an index built with another registry). */
export function resolveIndex(source: ImpactSource, registry: Registry): ImpactIndex {
  if (isImpactIndex(source)) {
    return source.registry === registry ? source : buildImpactIndex(source.graph, registry, source.version);
  }
  return buildImpactIndex(source, registry, -1);
}

/**
 * Per-relationship-type mask from the `relationshipTypes` option: undefined → every propagating
 * type. A name unknown to the registry is an input error; a known non-propagating name is accepted
 * and simply carries nothing (it is not in the index).
 */
export function typeMask(index: ImpactIndex, types: readonly string[] | undefined, op: string): Uint8Array {
  const mask = new Uint8Array(index.typeNames.length);
  if (types === undefined) return mask.fill(1);
  for (const name of types) {
    if (!index.registry.relationshipTypes.has(name)) throw new InputError(`${op}: unknown relationship type "${name}"`);
    const t = index.typeIndex.get(name);
    if (t !== undefined) mask[t] = 1;
  }
  return mask;
}

/** Which way a walk goes: to the CIs that depend on a node (blast radius) or to its providers (dependencies). */
export type Direction = 'dependents' | 'providers';

/**
 * Visits a node's neighbours in `direction` over propagating relationships (for other algorithms:
 * correlation walks 'providers', freeze scopes too). `cb(neighbour, typeIndex, groupId)`; groupId is
 * -1 for a hard dependency. `mask` as from `typeMask` (default: every propagating type).
 */
export function forEachNeighbour(
  index: ImpactIndex,
  node: number,
  direction: Direction,
  cb: (neighbour: number, type: number, group: number) => void,
  mask?: Uint8Array,
): void {
  const { start, end, other, type, group } = direction === 'dependents' ? index.dep : index.prov;
  const stop = end[node]!;
  for (let e = start[node]!; e < stop; e++) {
    const t = type[e]!;
    if (mask !== undefined && mask[t] === 0) continue;
    cb(other[e]!, t, group[e]!);
  }
}

/** A stored relationship as reported in paths: in the direction it reads. */
export interface PathStep {
  from: string;
  type: string;
  to: string;
}

/** The stored relationship between `provider` and `dependent` through type index `t`. */
export function stepOf(index: ImpactIndex, provider: number, dependent: number, t: number): PathStep {
  const p = index.nodeIds[provider]!;
  const d = index.nodeIds[dependent]!;
  const type = index.typeNames[t]!;
  return index.typeProviderIsFrom[t] === 1 ? { from: p, type, to: d } : { from: d, type, to: p };
}

/**
 * The `via` step last reported into each CI (by dense id), across queries: a hub's report reuses the
 * same steps query after query instead of allocating ~150k fresh objects. An entry is used only when
 * its from / type / to still match, so writes never make it wrong. Steps are shared, never mutated.
 */
export function stepCache(index: ImpactIndex): (PathStep | undefined)[] {
  let s = index.scratch;
  if (s === undefined) {
    s = acquireScratch(index);
    releaseScratch(s);
  }
  return (s.steps ??= new Array<PathStep | undefined>(s.mark.length));
}

/** `stepOf`, returning the step last built into `dependent` (kept in `cache`, see `stepCache`) when it is the same relationship. */
export function cachedStepOf(index: ImpactIndex, cache: (PathStep | undefined)[], provider: number, dependent: number, t: number): PathStep {
  const c = dependent < cache.length ? cache[dependent] : undefined;
  if (c !== undefined && c.type === index.typeNames[t]) {
    const p = index.nodeIds[provider]!;
    const d = index.nodeIds[dependent]!;
    if (index.typeProviderIsFrom[t] === 1 ? c.from === p && c.to === d : c.from === d && c.to === p) return c;
  }
  const st = stepOf(index, provider, dependent, t);
  if (dependent < cache.length) cache[dependent] = st;
  return st;
}

/**
 * Reusable per-query arrays, so a small query at 1M nodes does not allocate and zero megabytes.
 * Membership uses generation stamps (`mark[v] === stamp`) instead of clearing. Queries are
 * synchronous, so one scratch per index suffices; a nested acquisition gets a fresh one.
 */
export class Scratch {
  readonly mark: Uint32Array;
  readonly downMark: Uint32Array;
  groupMark: Uint32Array;
  groupDown: Int32Array;
  /** node → position in the current query's visit order. */
  readonly pos: Int32Array;
  readonly queue: Int32Array;
  /** Visit order and per-position data (written before read, so never cleared). */
  readonly order: Int32Array;
  readonly depthAt: Int32Array;
  readonly parentAt: Int32Array;
  readonly parentTypeAt: Uint16Array;
  /** See `stepCache`. */
  steps: (PathStep | undefined)[] | undefined;
  /** Blast radius's per-node words [mark, downMark, pos, -] and per-position words [depth, parent, type | rank << 16, -] (lazy). */
  nodeWords: Int32Array | undefined;
  posWords: Int32Array | undefined;
  private stamp = 0;
  busy = false;

  constructor(n: number, groups: number) {
    this.mark = new Uint32Array(n);
    this.downMark = new Uint32Array(n);
    this.groupMark = new Uint32Array(groups);
    this.groupDown = new Int32Array(groups);
    this.pos = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.order = new Int32Array(n);
    this.depthAt = new Int32Array(n);
    this.parentAt = new Int32Array(n);
    this.parentTypeAt = new Uint16Array(n);
  }

  /** Room for `groups` redundancy groups (a rule added by a write): only the two group arrays grow. */
  growGroups(groups: number): void {
    if (groups <= this.groupMark.length) return;
    // Zeroed marks read as "not this generation" for every stamp ≥ 1.
    this.groupMark = new Uint32Array(groups);
    this.groupDown = new Int32Array(groups);
  }

  /**
   * A fresh generation: every `*Mark` array reads as empty for it. `headroom` reserves that many
   * further generations without a wrap-around reset, for callers that keep an older stamp alive.
   */
  next(headroom = 0): number {
    if (this.stamp + headroom >= 0xfffffff0) {
      this.mark.fill(0);
      this.downMark.fill(0);
      this.groupMark.fill(0);
      this.nodeWords?.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

export function acquireScratch(index: ImpactIndex): Scratch {
  let s = index.scratch;
  if (s !== undefined && !s.busy && s.mark.length >= index.n) s.growGroups(Math.max(index.groupCount, index.groupDependent.length));
  if (s === undefined || s.mark.length < index.n || s.groupMark.length < index.groupCount) {
    // Sized to the state's capacities, so CIs and groups added by later writes fit without a new one.
    s = new Scratch(Math.max(index.n, index.dep.nodeCap), Math.max(index.groupCount, index.groupDependent.length));
    index.scratch = s;
  } else if (s.busy) {
    s = new Scratch(index.n, index.groupCount);
  }
  s.busy = true;
  return s;
}

export function releaseScratch(s: Scratch): void {
  s.busy = false;
}
