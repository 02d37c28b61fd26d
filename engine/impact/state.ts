/**
 * The mutable state behind an impact index lineage and its full build: dense node numbering, both
 * adjacency directions (`EdgeLists`), redundancy groups, and what queries keep between calls — the
 * scratch memory, the id rank and the topological order (ordering.ts), the build buffers. Every
 * cache lives here, on the state that owns it, so two indexes never share one by accident.
 *
 * How the state follows later writes is delta.ts; who owns a lineage and decides between a delta and
 * a rebuild is keeper.ts; the read-only face the algorithms see is impact-index.ts.
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { EdgeLists } from './edge-lists.ts';
import type { GraphJournal } from './journal.ts';
import type { Scratch } from './scratch.ts';
import type { IndexTuning } from './tuning.ts';

/**
 * The attributes of a deleted CI's slot. Its class is no registry class, so code that scans every
 * slot filtering by class (the SLA report's business services, benches) skips it without knowing
 * about tombstones; exact scans test `idToIndex.get(nodeIds[v]) === v`.
 */
export const DELETED_CI: NodeAttrs = Object.freeze({ class: '', name: '', status: 'retired', environment: 'production', criticality: 4 });

export class IndexCore {
  n = 0;
  nodeIds!: string[];
  attrs!: NodeAttrs[];
  idToIndex!: Map<string, number>;
  /** 1 for a deleted CI's slot. */
  dead!: Uint8Array;
  deadCount = 0;
  typeNames!: string[];
  typeIndex!: Map<string, number>;
  typeProviderIsFrom!: Uint8Array;
  dep!: EdgeLists;
  prov!: EdgeLists;
  groupCount = 0;
  groupDependent!: Int32Array;
  groupType!: Uint16Array;
  groupSize!: Int32Array;
  groupNeed!: Int32Array;
  groupMinAvailable!: (number | string)[];
  /** `dependent * typeCount + type` → group id, for live groups. */
  groupKey!: Map<number, number>;
  unknownTypeEdges = 0;
  /** The graph's change log and the position this state reflects (see journal.ts). */
  journal: GraphJournal | undefined;
  cursor = 0;
  /** Set when a newer build took over this state's node numbering, or a delta failed: never advance again. */
  retired = false;
  scratch: Scratch | undefined;
  /** Id rank by slot and the ids in rank order (see `idRank` in ordering.ts); maintained on insert once computed. */
  rank: Int32Array | undefined;
  sortedIds: string[] | undefined;
  /** A node order, topological where the graph allows (see `topoOrder` in ordering.ts); new CIs go last. */
  topo: Int32Array | undefined;
  topoNext = 0;
  /** The temporary arrays of the build, kept for the next one (see `buildBuffers`). */
  buffers: BuildBuffers | undefined;

  constructor(
    readonly graph: GraphView,
    readonly registry: Registry,
    readonly tuning: IndexTuning,
  ) {}

  get liveCount(): number {
    return this.n - this.deadCount;
  }

  /** Above this many tombstones a full build (which renumbers) is due. */
  get tombstoneLimit(): number {
    return Math.max(this.tuning.capacity.tombstones, this.n >> 6);
  }
}

export interface BuildOptions {
  tuning: IndexTuning;
  /**
   * The graph's change log, for a state that will follow later writes (keeper.ts). The state starts
   * at its current position: the caller attached it before this build, so no change is missed.
   */
  journal?: GraphJournal;
  /** A state this build supersedes: see `buildCore`. */
  previous?: IndexCore;
}

/**
 * Builds the state in O(n + m). With `previous` (a state of the same graph and registry), the node
 * numbering, id map and id rank are reused when the node set is unchanged — checked positionally,
 * since graphology iterates nodes in insertion order — which skips ~1M Map inserts and a 1M-string
 * sort; `previous` is then retired, since it no longer owns those structures. Its scratch and build
 * buffers are inherited in any case.
 */
export function buildCore(graph: GraphView, registry: Registry, { tuning, journal, previous }: BuildOptions): IndexCore {
  const core = new IndexCore(graph, registry, tuning);
  const capacity = tuning.capacity;
  core.journal = journal;
  core.cursor = journal?.position ?? 0;

  const n = graph.order;
  const nodeCap = n + Math.max(capacity.nodeSlack, n >> 4);
  const attrs: NodeAttrs[] = new Array<NodeAttrs>(n);
  let nodeIds: string[];
  let idToIndex: Map<string, number>;
  let rank: Int32Array | undefined;
  let sortedIds: string[] | undefined;
  let same =
    previous !== undefined && previous.graph === graph && previous.registry === registry && previous.n === n && previous.deadCount === 0;
  if (same) {
    const prevIds = previous!.nodeIds;
    let i = 0;
    graph.forEachNode((id, a) => {
      if (prevIds[i] !== id) same = false;
      attrs[i++] = a;
    });
  }
  if (same) {
    nodeIds = previous!.nodeIds;
    idToIndex = previous!.idToIndex;
    rank = previous!.rank;
    sortedIds = previous!.sortedIds;
    previous!.retired = true;
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
  const groupCap = G + capacity.groupSlack;
  const groupSize = new Int32Array(groupCap);

  // Pass 1: collect propagating edges as (provider, dependent, type, group), in build buffers kept
  // between builds (see `buildBuffers`).
  const buffers = buildBuffers(previous?.buffers, graph.size, n);
  core.buffers = buffers;
  const { eProv, eDep, eType, eGroup, fill } = buffers;
  const depStart = new Int32Array(nodeCap + 1);
  const provStart = new Int32Array(nodeCap + 1);
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
    depStart[p + 1]!++;
    provStart[dep + 1]!++;
    m++;
  });

  // Pass 2: counting sort into both CSRs (stable: keeps mirror edge order within a node), with
  // ~3% free slots at the end for the segments that deltas move (edge-lists.ts).
  for (let v = 0; v < n; v++) {
    depStart[v + 1]! += depStart[v]!;
    provStart[v + 1]! += provStart[v]!;
  }
  const entryCap = m + Math.max(capacity.entrySlack, m >> 5);
  const depTarget = new Int32Array(entryCap);
  const depType = new Uint16Array(entryCap);
  const depGroup = new Int32Array(entryCap);
  const provSource = new Int32Array(entryCap);
  const provType = new Uint16Array(entryCap);
  const provGroup = new Int32Array(entryCap);
  const depFill = fill.subarray(0, n);
  const provFill = fill.subarray(n, 2 * n);
  depFill.set(depStart.subarray(0, n));
  provFill.set(provStart.subarray(0, n));
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

  const groupNeed = new Int32Array(groupCap);
  for (let g = 0; g < G; g++) groupNeed[g] = requiredAvailable(gMin[g]!, groupSize[g]!);
  const groupDependent = new Int32Array(groupCap);
  groupDependent.set(gDependent);
  const groupType = new Uint16Array(groupCap);
  groupType.set(gType);

  core.n = n;
  core.nodeIds = nodeIds;
  core.attrs = attrs;
  core.idToIndex = idToIndex;
  core.dead = new Uint8Array(nodeCap);
  core.typeNames = typeNames;
  core.typeIndex = typeIndex;
  core.typeProviderIsFrom = Uint8Array.from(providerIsFrom);
  core.dep = new EdgeLists(n, depStart, depTarget, depType, depGroup, capacity);
  core.prov = new EdgeLists(n, provStart, provSource, provType, provGroup, capacity);
  core.groupCount = G;
  core.groupDependent = groupDependent;
  core.groupType = groupType;
  core.groupSize = groupSize;
  core.groupNeed = groupNeed;
  core.groupMinAvailable = gMin;
  core.groupKey = groupKey;
  core.unknownTypeEdges = unknownTypeEdges;
  core.rank = rank;
  core.sortedIds = sortedIds;
  // The previous state is superseded: inherit its scratch (≈ 45 bytes per node) rather than
  // allocate a fresh one on the first query. Stamps keep increasing, so old marks read as empty.
  const s = previous?.scratch;
  if (s !== undefined && s.mark.length >= n) s.growGroups(groupCap);
  core.scratch = s !== undefined && s.mark.length >= n ? s : undefined;
  return core;
}

interface BuildBuffers {
  eProv: Int32Array;
  eDep: Int32Array;
  eType: Uint16Array;
  eGroup: Int32Array;
  fill: Int32Array;
}
/**
 * Temporary arrays of a build, handed from each state to the build that supersedes it (~15 bytes per
 * relationship). Why: at 1M nodes every fresh 50 MB of ArrayBuffers counts as "external memory
 * pressure" and makes V8 run a full mark-compact of the whole mirror heap (measured: seconds, more
 * than the build itself). Builds are synchronous and a superseded state never builds again, so one
 * set per lineage suffices.
 */
function buildBuffers(b: BuildBuffers | undefined, edges: number, nodes: number): BuildBuffers {
  if (b !== undefined && b.eProv.length >= edges && b.fill.length >= 2 * nodes) return b;
  const cap = Math.ceil(Math.max(edges, b?.eProv.length ?? 0) * 1.25);
  const fillCap = Math.ceil(Math.max(2 * nodes, b?.fill.length ?? 0) * 1.25);
  return {
    eProv: new Int32Array(cap),
    eDep: new Int32Array(cap),
    eType: new Uint16Array(cap),
    eGroup: new Int32Array(cap),
    fill: new Int32Array(fillCap),
  };
}

/** `minAvailable` as a member count: a count as is, `"p%"` as ceil(p% of the group's size). */
export function requiredAvailable(minAvailable: number | string, size: number): number {
  if (typeof minAvailable === 'number') return minAvailable;
  const p = Number.parseInt(minAvailable, 10);
  return Math.floor((p * size + 99) / 100);
}

/** The redundancy rules of `a` by propagating type index (the first rule per type wins, as in the build). */
export function wantedGroups(core: IndexCore, a: NodeAttrs): Map<number, number | string> {
  const wanted = new Map<number, number | string>();
  for (const r of a.redundancy ?? []) {
    const t = core.typeIndex.get(r.relationship);
    if (t !== undefined && !wanted.has(t)) wanted.set(t, r.minAvailable);
  }
  return wanted;
}
