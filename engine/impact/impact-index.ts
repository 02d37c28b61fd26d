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
 * Ready-made, never built by an algorithm: the `Cmdb` owns one maintained index per mirror
 * (`Cmdb.impactIndex()`, via keeper.ts) and hands it to every service and algorithm; tests and
 * benches build standalone ones with `buildImpactIndex`. Algorithms only read it.
 *
 * Staleness. A full build at 1M nodes / 3M edges costs seconds, so the keeper builds once and then
 * follows the graph as a delta (delta.ts). All indexes of one lineage share one mutable state
 * (`IndexCore`, state.ts); an `ImpactIndex` object is a view of it stamped with the mirror version
 * it was issued for. So an index reflects the graph as of the latest `ImpactIndexKeeper.current`
 * call on its lineage: hold it for one synchronous question, not across writes (every caller asks
 * `cmdb.impactIndex()` per request).
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { InputError } from '../errors.ts';
import type { EdgeLists } from './edge-lists.ts';
import type { Scratch } from './scratch.ts';
import { buildCore, type IndexCore } from './state.ts';
import { resolveTuning, type IndexTuning, type TuningOptions } from './tuning.ts';

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
   * copies of every entry); the traversals here never need that.
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
  /** The lineage's size and speed knobs (tuning.ts). */
  readonly tuning: IndexTuning;

  /**
   * Query caches kept on the index's state (written by the algorithms, never by callers):
   * per-query scratch (scratch.ts, `acquireScratch`), each node's position in code-unit order of
   * ids and the ids in that order (`idRank`), a node order topological where the graph allows
   * (`topoOrder`). Each is computed on first need and kept valid by later deltas.
   */
  scratch: Scratch | undefined;
  rank: Int32Array | undefined;
  sortedIds: string[] | undefined;
  topo: Int32Array | undefined;

  /**
   * Data another algorithm derives from this index version and wants to keep across calls (reach
   * counts, walk caches …): `make()` on first use per `key`, then the same value until the mirror
   * moves on — the next version is a new index with an empty memo. The home for such caches, instead
   * of a module-level WeakMap keyed by the index (STYLE.md #17); `key` is the caller's own token.
   */
  derived<T>(key: object, make: () => T): T;
}

/** An `ImpactIndex` as a versioned view of a shared, incrementally maintained state. */
export class IndexView implements ImpactIndex {
  readonly kind = 'impact-index' as const;
  private memo: Map<object, unknown> | undefined;
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
  get tuning(): IndexTuning {
    return this.core.tuning;
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
  get sortedIds(): string[] | undefined {
    return this.core.sortedIds;
  }
  set sortedIds(s: string[] | undefined) {
    this.core.sortedIds = s;
  }
  get topo(): Int32Array | undefined {
    return this.core.topo;
  }
  set topo(t: Int32Array | undefined) {
    this.core.topo = t;
    this.core.topoNext = this.core.n;
  }
  derived<T>(key: object, make: () => T): T {
    const memo = (this.memo ??= new Map());
    if (memo.has(key)) return memo.get(key) as T;
    const value = make();
    memo.set(key, value);
    return value;
  }
}

export interface BuildIndexOptions extends TuningOptions {
  /**
   * An index of the same graph and registry this build supersedes: its node numbering, id map and id
   * rank are reused when the node set is unchanged, its scratch and build buffers in any case, and
   * its lineage stops being maintained.
   */
  previous?: ImpactIndex;
}

/**
 * Builds a standalone index in O(n + m), for tests, benches and one-off tools; services use the
 * `Cmdb`'s maintained one. `version` is the mirror revision it reflects (caller-supplied).
 */
export function buildImpactIndex(graph: GraphView, registry: Registry, version = 0, options: BuildIndexOptions = {}): ImpactIndex {
  const previous = options.previous instanceof IndexView ? options.previous.core : undefined;
  const tuning =
    options.capacity === undefined && options.report === undefined && previous !== undefined ? previous.tuning : resolveTuning(options);
  return new IndexView(buildCore(graph, registry, { tuning, previous }), version);
}

/**
 * The guard at each algorithm's entry: the index must have been built with the registry the caller
 * reasons with (a programming error otherwise — an algorithm never builds an index itself).
 */
export function indexFor(index: ImpactIndex, registry: Registry, op: string): ImpactIndex {
  if (index.registry !== registry) throw new Error(`${op}: the impact index was built with another registry`);
  return index;
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
