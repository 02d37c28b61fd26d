/**
 * The impact index: a compact, read-only adjacency derived from the mirror graph for the hot
 * impact paths (blast radius, dependencies, single points of failure).
 *
 * Why not walk graphology directly: its traversal helpers allocate per call and every neighbour
 * step goes through string-keyed maps; at 1M nodes / 3M edges that costs tens of ms even for a
 * shallow walk (STYLE.md #3). Here node ids become dense ints `0..n-1` and each propagating
 * relationship becomes one entry in two CSR arrays (offsets + parallel typed arrays):
 *
 *   - `dep*`  (direction: 'dependents') — for provider `p`, entries `depOffsets[p] .. depOffsets[p+1]`
 *             name its dependents, the relationship type index and the redundancy group (or -1 for a
 *             hard dependency). Blast radius walks these.
 *   - `prov*` (direction: 'providers')  — for dependent `d`, its providers. Dependencies and SPOF walk these.
 *
 * Which end of a stored relationship provides comes from the registry (`provider: 'from'|'to'`),
 * never from the edge direction (STYLE.md #4): `A DEPENDS_ON B` is stored A→B and B provides;
 * `m MEMBER_OF g` is stored m→g and m provides. Non-propagating types (BACKED_UP_BY …) and types
 * unknown to the registry are left out of the index entirely: they never carry impact.
 *
 * Redundancy groups are resolved at build time: for each dependent with a rule on type T, its
 * providers through T form group `g` with `groupSize[g]` members (one member per stored
 * relationship; parallel relationships of the same type between the same pair count twice) and
 * `groupNeed[g]` = minAvailable (`"p%"` → ceil(p% of size), integer arithmetic).
 *
 * Staleness: the mirror is mutated after every committed write. We chose "rebuild lazily when the
 * mirror's seq changed" (`ensureImpactIndex`), plus a cheap path for attribute-only writes
 * (`refreshImpactIndexAttributes`), over incremental topology maintenance: a CSR cannot absorb an
 * insert without shifting arrays, and an overlay (CSR + small delta lists, compacted from time to
 * time) doubles every inner loop's code paths. Lazy means a burst of writes costs one rebuild at the
 * next impact read, not one per write. Measured cost of a full rebuild at 1M nodes / 3M edges: about
 * 2–3 s of CPU, not the few hundred ms hoped for. The CSR part takes ~0.1 s; the rest is ~1M Map
 * inserts plus ~4–6M string-keyed Map lookups (random memory access) to turn graphology's keys into
 * dense ints; on top of that, the ~60 MB of fresh typed arrays make V8 run a full mark-compact
 * of the whole mirror heap (seconds at 1M nodes; `--trace-gc`), which is why build buffers, node
 * numbering and scratch are reused across rebuilds. The lookups go away only if the mirror hands
 * out dense ints itself. Until then:
 * attribute-only writes use the refresh path, and if topology writes and impact reads interleave
 * tightly at that scale, the next step is the delta overlay, behind the same `ImpactIndex` shape.
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { InputError } from '../errors.ts';

export interface ImpactIndex {
  readonly kind: 'impact-index';
  /** The mirror sequence number this index was built from (caller-supplied). */
  readonly version: number;
  readonly graph: GraphView;
  readonly registry: Registry;
  /** Number of nodes; dense ids are `0..n-1`. */
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

  /** provider → dependents (blast radius direction). */
  readonly depOffsets: Int32Array;
  readonly depTarget: Int32Array;
  readonly depType: Uint16Array;
  readonly depGroup: Int32Array;

  /** dependent → providers (dependencies direction). */
  readonly provOffsets: Int32Array;
  readonly provSource: Int32Array;
  readonly provType: Uint16Array;
  readonly provGroup: Int32Array;

  /** Redundancy groups, by group id. */
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
}

/**
 * Builds the index in O(n + m). `version` is the mirror seq it reflects (see `ensureImpactIndex`).
 * With `previous` (an index of the same graph), the node numbering, id map and id rank are reused
 * when the node set is unchanged — checked positionally, since graphology iterates nodes in
 * insertion order — which skips ~1M Map inserts and a 1M-string sort after a relationship-only write.
 */
export function buildImpactIndex(graph: GraphView, registry: Registry, version = 0, previous?: ImpactIndex): ImpactIndex {
  const n = graph.order;
  const attrs: NodeAttrs[] = new Array<NodeAttrs>(n);
  let nodeIds: string[];
  let idToIndex: Map<string, number>;
  let rank: Int32Array | undefined;
  let same = previous !== undefined && previous.graph === graph && previous.n === n;
  if (same) {
    const prevIds = previous!.nodeIds;
    let i = 0;
    graph.forEachNode((id, a) => {
      if (prevIds[i] !== id) same = false;
      attrs[i++] = a;
    });
  }
  if (same) {
    nodeIds = previous!.nodeIds as string[];
    idToIndex = previous!.idToIndex as Map<string, number>;
    rank = previous!.rank;
  } else {
    nodeIds = new Array<string>(n);
    idToIndex = new Map<string, number>();
    rank = undefined;
    let i = 0;
    graph.forEachNode((id, a) => {
      nodeIds[i] = id;
      attrs[i] = a;
      idToIndex.set(id, i);
      i++;
    });
  }

  const typeNames: string[] = [];
  const typeIndex = new Map<string, number>();
  const providerIsFrom: number[] = [];
  for (const def of registry.relationshipTypes.values()) {
    if (!def.propagates) continue;
    typeIndex.set(def.type, typeNames.length);
    typeNames.push(def.type);
    providerIsFrom.push(def.provider === 'from' ? 1 : 0);
  }
  const T = typeNames.length;

  // Redundancy groups: only the (few) CIs that declare rules get one per rule on a propagating type.
  const groupKey = new Map<number, number>();
  const gDependent: number[] = [];
  const gType: number[] = [];
  const gMin: (number | string)[] = [];
  const hasRule = new Uint8Array(n);
  for (let v = 0; v < n; v++) {
    const rules = attrs[v]!.redundancy;
    if (rules === undefined || rules.length === 0) continue;
    for (const rule of rules) {
      const t = typeIndex.get(rule.relationship);
      if (t === undefined) continue;
      const key = v * T + t;
      if (groupKey.has(key)) continue;
      groupKey.set(key, gDependent.length);
      gDependent.push(v);
      gType.push(t);
      gMin.push(rule.minAvailable);
      hasRule[v] = 1;
    }
  }
  const G = gDependent.length;
  const groupSize = new Int32Array(G);

  // Pass 1: collect propagating edges as (provider, dependent, type, group), in build buffers kept
  // between builds (see `buildBuffers`).
  const { eProv, eDep, eType, eGroup, fill } = buildBuffers(graph.size, n);
  const depDegree = new Int32Array(n + 1);
  const provDegree = new Int32Array(n + 1);
  let m = 0;
  let unknownTypeEdges = 0;
  // The string lookups dominate the build (two hash probes with cache misses per edge at 1M nodes).
  // Stores stream relationships ordered by id (`from|TYPE|to`), i.e. grouped by source: remember
  // the last source.
  let lastSource = '';
  let lastS = -1;
  graph.forEachEdge((_key, a, source, target) => {
    const t = typeIndex.get(a.type);
    if (t === undefined) {
      if (!registry.relationshipTypes.has(a.type)) unknownTypeEdges++;
      return;
    }
    if (source !== lastSource || lastS < 0) {
      lastSource = source;
      lastS = idToIndex.get(source)!;
    }
    const s = lastS;
    const d = idToIndex.get(target)!;
    const p = providerIsFrom[t] === 1 ? s : d;
    const dep = providerIsFrom[t] === 1 ? d : s;
    let g = -1;
    if (hasRule[dep] === 1) {
      const found = groupKey.get(dep * T + t);
      if (found !== undefined) {
        g = found;
        groupSize[g]!++;
      }
    }
    eProv[m] = p;
    eDep[m] = dep;
    eType[m] = t;
    eGroup[m] = g;
    depDegree[p + 1]!++;
    provDegree[dep + 1]!++;
    m++;
  });

  // Pass 2: counting sort into both CSRs (stable: keeps mirror edge order within a node).
  for (let v = 0; v < n; v++) {
    depDegree[v + 1]! += depDegree[v]!;
    provDegree[v + 1]! += provDegree[v]!;
  }
  const depOffsets = depDegree;
  const provOffsets = provDegree;
  const depTarget = new Int32Array(m);
  const depType = new Uint16Array(m);
  const depGroup = new Int32Array(m);
  const provSource = new Int32Array(m);
  const provType = new Uint16Array(m);
  const provGroup = new Int32Array(m);
  const depFill = fill.subarray(0, n);
  const provFill = fill.subarray(n, 2 * n);
  depFill.set(depOffsets.subarray(0, n));
  provFill.set(provOffsets.subarray(0, n));
  for (let e = 0; e < m; e++) {
    const p = eProv[e]!;
    const d = eDep[e]!;
    const a = depFill[p]!++;
    depTarget[a] = d;
    depType[a] = eType[e]!;
    depGroup[a] = eGroup[e]!;
    const b = provFill[d]!++;
    provSource[b] = p;
    provType[b] = eType[e]!;
    provGroup[b] = eGroup[e]!;
  }

  const groupNeed = new Int32Array(G);
  for (let g = 0; g < G; g++) groupNeed[g] = requiredAvailable(gMin[g]!, groupSize[g]!);

  return {
    kind: 'impact-index',
    version,
    graph,
    registry,
    n,
    nodeIds,
    attrs,
    idToIndex,
    typeNames,
    typeIndex,
    typeProviderIsFrom: Uint8Array.from(providerIsFrom),
    depOffsets,
    depTarget,
    depType,
    depGroup,
    provOffsets,
    provSource,
    provType,
    provGroup,
    groupCount: G,
    groupDependent: Int32Array.from(gDependent),
    groupType: Uint16Array.from(gType),
    groupSize,
    groupNeed,
    groupMinAvailable: gMin,
    unknownTypeEdges,
    // The previous index is superseded: inherit its scratch (≈ 45 bytes per node) rather than
    // allocate a fresh one on the first query. Stamps keep increasing, so old marks read as empty.
    scratch: previous?.scratch !== undefined && previous.scratch.mark.length >= n && previous.scratch.groupMark.length >= G ? previous.scratch : undefined,
    rank,
  };
}

interface BuildBuffers {
  eProv: Int32Array;
  eDep: Int32Array;
  eType: Uint16Array;
  eGroup: Int32Array;
  fill: Int32Array;
}
let buffers: BuildBuffers | undefined;

/**
 * Temporary arrays of a build, kept for the next one (~15 bytes per relationship). Why: at 1M nodes
 * every fresh 50 MB of ArrayBuffers counts as "external memory pressure" and makes V8 run a full
 * mark-compact of the whole mirror heap (measured: seconds, more than the build itself). Builds
 * are synchronous, so one set of buffers suffices.
 */
function buildBuffers(edges: number, nodes: number): BuildBuffers {
  const b = buffers;
  if (b !== undefined && b.eProv.length >= edges && b.fill.length >= 2 * nodes) return b;
  const cap = Math.ceil(Math.max(edges, b?.eProv.length ?? 0) * 1.25);
  const fillCap = Math.ceil(Math.max(2 * nodes, b?.fill.length ?? 0) * 1.25);
  buffers = { eProv: new Int32Array(cap), eDep: new Int32Array(cap), eType: new Uint16Array(cap), eGroup: new Int32Array(cap), fill: new Int32Array(fillCap) };
  return buffers;
}

/**
 * Each node's position in code-unit order of ids, so large reports sort by integer keys instead of
 * string compares (≈ 10× faster for 100k impacted CIs). Sorting 1M ids costs ~1 s, so it is computed
 * on the first large report, not at build time, and cached for the life of this index: small
 * queries never pay for it.
 */
export function idRank(index: ImpactIndex): Int32Array {
  if (index.rank !== undefined) return index.rank;
  const sorted = index.nodeIds.slice().sort();
  const rank = new Int32Array(index.n);
  for (let k = 0; k < sorted.length; k++) rank[index.idToIndex.get(sorted[k]!)!] = k;
  index.rank = rank;
  return rank;
}

/**
 * The cheap path for the most common write: node attributes changed (name, status, owner,
 * environment, criticality…) but no node or relationship was added or removed and no redundancy
 * rule changed. Re-reads those nodes' attribute objects from `graph` and returns an index at
 * `version` sharing every array with `index` (O(n) pointer copy, a few ms at 1M nodes). Returns
 * undefined when the change is not of that kind — then call `buildImpactIndex`.
 */
export function refreshImpactIndexAttributes(index: ImpactIndex, graph: GraphView, version: number, changedIds: readonly string[]): ImpactIndex | undefined {
  if (graph !== index.graph || graph.order !== index.n) return undefined;
  const attrs = index.attrs.slice();
  for (const id of changedIds) {
    const v = index.idToIndex.get(id);
    if (v === undefined || !graph.hasNode(id)) return undefined;
    const a = graph.getNodeAttributes(id);
    if (!sameGroups(index, v, a.redundancy ?? [])) return undefined;
    attrs[v] = a;
  }
  return { ...index, version, attrs };
}

/** True when `rules` yield exactly the groups the index built for node `v`. */
function sameGroups(index: ImpactIndex, v: number, rules: readonly { relationship: string; minAvailable: number | string }[]): boolean {
  const built = new Map<string, number | string>();
  // Groups were created in node order, so `groupDependent` is sorted: binary search the first.
  let lo = 0;
  let hi = index.groupCount;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (index.groupDependent[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  for (let g = lo; g < index.groupCount && index.groupDependent[g] === v; g++) built.set(index.typeNames[index.groupType[g]!]!, index.groupMinAvailable[g]!);
  const wanted = new Map<string, number | string>();
  for (const r of rules) if (index.typeIndex.has(r.relationship) && !wanted.has(r.relationship)) wanted.set(r.relationship, r.minAvailable);
  if (wanted.size !== built.size) return false;
  for (const [type, min] of wanted) if (built.get(type) !== min) return false;
  return true;
}

/** `minAvailable` as a member count: a count as is, `"p%"` as ceil(p% of the group's size). */
export function requiredAvailable(minAvailable: number | string, size: number): number {
  if (typeof minAvailable === 'number') return minAvailable;
  const p = Number.parseInt(minAvailable, 10);
  return Math.floor((p * size + 99) / 100);
}

/** True when `index` no longer reflects the mirror at `version` (or was built with another registry). */
export function isImpactIndexStale(index: ImpactIndex | undefined, version: number, registry?: Registry): boolean {
  return index === undefined || index.version !== version || (registry !== undefined && index.registry !== registry);
}

/**
 * The lazy-rebuild policy for the mirror owner: returns `previous` when it still reflects the
 * mirror at `version`, else builds a fresh index. Call it at read time with the mirror's seq.
 */
export function ensureImpactIndex(previous: ImpactIndex | undefined, graph: GraphView, registry: Registry, version: number): ImpactIndex {
  if (previous !== undefined && !isImpactIndexStale(previous, version, registry) && previous.graph === graph) return previous;
  return buildImpactIndex(graph, registry, version, previous);
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
  const dependents = direction === 'dependents';
  const offsets = dependents ? index.depOffsets : index.provOffsets;
  const ends = dependents ? index.depTarget : index.provSource;
  const types = dependents ? index.depType : index.provType;
  const groups = dependents ? index.depGroup : index.provGroup;
  const end = offsets[node + 1]!;
  for (let e = offsets[node]!; e < end; e++) {
    const t = types[e]!;
    if (mask !== undefined && mask[t] === 0) continue;
    cb(ends[e]!, t, groups[e]!);
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
 * Reusable per-query arrays, so a small query at 1M nodes does not allocate and zero megabytes.
 * Membership uses generation stamps (`mark[v] === stamp`) instead of clearing. Queries are
 * synchronous, so one scratch per index suffices; a nested acquisition gets a fresh one.
 */
export class Scratch {
  readonly mark: Uint32Array;
  readonly downMark: Uint32Array;
  readonly setMark: Uint32Array;
  readonly groupMark: Uint32Array;
  readonly groupDown: Int32Array;
  /** node → position in the current query's visit order. */
  readonly pos: Int32Array;
  readonly queue: Int32Array;
  /** Visit order and per-position data (written before read, so never cleared). */
  readonly order: Int32Array;
  readonly depthAt: Int32Array;
  readonly parentAt: Int32Array;
  readonly parentTypeAt: Uint16Array;
  readonly rankAt: Uint8Array;
  private stamp = 0;
  busy = false;

  constructor(n: number, groups: number) {
    this.mark = new Uint32Array(n);
    this.downMark = new Uint32Array(n);
    this.setMark = new Uint32Array(n);
    this.groupMark = new Uint32Array(groups);
    this.groupDown = new Int32Array(groups);
    this.pos = new Int32Array(n);
    this.queue = new Int32Array(n);
    this.order = new Int32Array(n);
    this.depthAt = new Int32Array(n);
    this.parentAt = new Int32Array(n);
    this.parentTypeAt = new Uint16Array(n);
    this.rankAt = new Uint8Array(n);
  }

  /**
   * A fresh generation: every `*Mark` array reads as empty for it. `headroom` reserves that many
   * further generations without a wrap-around reset, for callers that keep an older stamp alive.
   */
  next(headroom = 0): number {
    if (this.stamp + headroom >= 0xfffffff0) {
      this.mark.fill(0);
      this.downMark.fill(0);
      this.setMark.fill(0);
      this.groupMark.fill(0);
      this.stamp = 0;
    }
    return ++this.stamp;
  }
}

export function acquireScratch(index: ImpactIndex): Scratch {
  let s = index.scratch;
  if (s === undefined) {
    s = new Scratch(index.n, index.groupCount);
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
