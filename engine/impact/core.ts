/**
 * The mutable state behind impact indexes: dense node numbering, both adjacency directions
 * (`EdgeLists`), redundancy groups, plus the two ways to bring it up to date — a full build from
 * the graph, and `applyChanges`, which replays the graph's journal (journal.ts) as a delta.
 *
 * Delta rules, each keeping the state equal to what a fresh build would compute (up to entry order
 * within a segment and group numbering, which no result depends on; test/impact/incremental.test.ts):
 *   - a new CI gets the next dense id (slots are appended, never reused);
 *   - a deleted CI becomes a tombstone: its relationships were dropped first (graphology drops them
 *     before the node), it leaves `idToIndex`, keeps its slot (attributes `DELETED_CI`), and no entry
 *     refers to it. Tombstones are reclaimed by the next full build (`tombstoneLimit`);
 *   - an attribute update replaces the CI's attribute object; if its redundancy rules changed, the
 *     affected groups are created, re-thresholded or dissolved and the group id of its provider
 *     entries (both directions) rewritten;
 *   - a relationship add/drop adds/removes one entry per direction and adjusts its group's size and
 *     required count (`"p%"` depends on the size).
 */
import type { GraphView, NodeAttrs } from '../mirror/types.ts';
import type { Registry } from '../model/registry.ts';
import { capacity, EdgeLists } from './edge-lists.ts';
import { journalOf, type GraphChange, type GraphJournal } from './journal.ts';
import type { Scratch } from './adjacency.ts';

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
  /** Id rank by slot and the ids in rank order (see `idRank` in adjacency.ts); maintained on insert once computed. */
  rank: Int32Array | undefined;
  sortedIds: string[] | undefined;
  /** A node order, topological where the graph allows (see `topoOrder` in adjacency.ts); new CIs go last. */
  topo: Int32Array | undefined;
  topoNext = 0;

  constructor(
    readonly graph: GraphView,
    readonly registry: Registry,
  ) {}

  get liveCount(): number {
    return this.n - this.deadCount;
  }

  /** Above this many tombstones a full build (which renumbers) is due. */
  get tombstoneLimit(): number {
    return Math.max(capacity.tombstones, this.n >> 6);
  }
}

/**
 * Builds the state in O(n + m). With `previous` (a state of the same graph and registry), the node
 * numbering, id map and id rank are reused when the node set is unchanged — checked positionally,
 * since graphology iterates nodes in insertion order — which skips ~1M Map inserts and a 1M-string
 * sort; `previous` is then retired, since it no longer owns those structures.
 */
export function buildCore(graph: GraphView, registry: Registry, previous?: IndexCore): IndexCore {
  const core = new IndexCore(graph, registry);
  // Attach first: every change after this point is in the log.
  core.journal = journalOf(graph);
  core.cursor = core.journal?.position ?? 0;

  const n = graph.order;
  const nodeCap = n + Math.max(capacity.nodeSlack, n >> 4);
  const attrs: NodeAttrs[] = new Array<NodeAttrs>(n);
  let nodeIds: string[];
  let idToIndex: Map<string, number>;
  let rank: Int32Array | undefined;
  let sortedIds: string[] | undefined;
  let same = previous !== undefined && previous.graph === graph && previous.registry === registry && previous.n === n && previous.deadCount === 0;
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
  const { eProv, eDep, eType, eGroup, fill } = buildBuffers(graph.size, n);
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
  core.dep = new EdgeLists(n, depStart, depTarget, depType, depGroup);
  core.prov = new EdgeLists(n, provStart, provSource, provType, provGroup);
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

/** `minAvailable` as a member count: a count as is, `"p%"` as ceil(p% of the group's size). */
export function requiredAvailable(minAvailable: number | string, size: number): number {
  if (typeof minAvailable === 'number') return minAvailable;
  const p = Number.parseInt(minAvailable, 10);
  return Math.floor((p * size + 99) / 100);
}

/**
 * Brings `core` up to the graph's current state from its journal. False when it cannot (log gap,
 * unexpected change, retired state or too many tombstones): then build afresh. On false the state
 * may be half-updated and is retired.
 */
export function advanceCore(core: IndexCore): boolean {
  if (core.retired || core.journal === undefined) return false;
  const changes = core.journal.since(core.cursor);
  if (changes === undefined) return false;
  for (const c of changes) {
    if (!applyChange(core, c)) {
      core.retired = true;
      return false;
    }
  }
  core.cursor = core.journal.position;
  if (core.deadCount > core.tombstoneLimit) {
    core.retired = true;
    return false;
  }
  return true;
}

function applyChange(core: IndexCore, c: GraphChange): boolean {
  switch (c.op) {
    case 'node+': {
      if (core.idToIndex.has(c.key)) return false;
      const v = core.dep.addNode();
      core.prov.addNode();
      if (core.dead.length < core.dep.nodeCap) {
        const dead = new Uint8Array(core.dep.nodeCap);
        dead.set(core.dead);
        core.dead = dead;
      }
      core.dead[v] = 0;
      core.n = v + 1;
      core.nodeIds[v] = c.key;
      core.attrs[v] = c.attrs;
      core.idToIndex.set(c.key, v);
      insertRank(core, v, c.key);
      insertTopo(core, v);
      syncGroups(core, v);
      return true;
    }
    case 'node-': {
      const v = core.idToIndex.get(c.key);
      if (v === undefined) return false;
      // graphology drops a node's relationships (with their events) before the node.
      if (core.dep.end[v] !== core.dep.start[v] || core.prov.end[v] !== core.prov.start[v]) return false;
      for (let t = 0; t < core.typeNames.length; t++) dissolveGroup(core, v, t);
      core.idToIndex.delete(c.key);
      core.attrs[v] = DELETED_CI;
      core.dead[v] = 1;
      core.deadCount++;
      // Ranks only order reported CIs among themselves: the remaining ones stay in order.
      return true;
    }
    case 'attrs': {
      const v = core.idToIndex.get(c.key);
      if (v === undefined) return false;
      core.attrs[v] = c.attrs;
      syncGroups(core, v);
      return true;
    }
    case 'edge+':
    case 'edge-': {
      const t = core.typeIndex.get(c.type);
      if (t === undefined) {
        if (!core.registry.relationshipTypes.has(c.type)) core.unknownTypeEdges += c.op === 'edge+' ? 1 : -1;
        return true;
      }
      const s = core.idToIndex.get(c.source);
      const d = core.idToIndex.get(c.target);
      if (s === undefined || d === undefined) return false;
      const fromProvides = core.typeProviderIsFrom[t] === 1;
      const p = fromProvides ? s : d;
      const dep = fromProvides ? d : s;
      const g = core.groupKey.get(dep * core.typeNames.length + t) ?? -1;
      if (c.op === 'edge+') {
        core.dep.append(p, dep, t, g);
        core.prov.append(dep, p, t, g);
        if (g >= 0) resize(core, g, +1);
      } else {
        if (!core.dep.remove(p, dep, t) || !core.prov.remove(dep, p, t)) return false;
        if (g >= 0) resize(core, g, -1);
      }
      return true;
    }
  }
}

/**
 * Keeps the id rank valid for a new CI in O(n) typed-array work (a few ms at 1M), instead of
 * dropping it and making the next large report re-sort a million ids (~1 s).
 */
function insertRank(core: IndexCore, v: number, id: string): void {
  const sorted = core.sortedIds;
  const rank = core.rank;
  if (sorted === undefined || rank === undefined) {
    core.rank = core.sortedIds = undefined;
    return;
  }
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid;
  }
  sorted.splice(lo, 0, id);
  let r = rank;
  if (v >= r.length) {
    r = new Int32Array(Math.max(v + 1, core.dep.nodeCap));
    r.set(rank);
    core.rank = r;
  }
  for (let u = 0; u < v; u++) if (r[u]! >= lo) r[u]!++;
  r[v] = lo;
}

/** Any order is correct for the cycle test (see `topoOrder`); last is as good as anywhere for a CI with no relationship yet. */
function insertTopo(core: IndexCore, v: number): void {
  let topo = core.topo;
  if (topo === undefined) return;
  if (v >= topo.length) {
    topo = new Int32Array(Math.max(v + 1, core.dep.nodeCap));
    topo.set(core.topo!);
    core.topo = topo;
  }
  topo[v] = core.topoNext++;
}

function resize(core: IndexCore, g: number, by: number): void {
  const size = (core.groupSize[g]! += by);
  core.groupNeed[g] = requiredAvailable(core.groupMinAvailable[g]!, size);
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

/** Makes `v`'s groups match its current rules. */
function syncGroups(core: IndexCore, v: number): void {
  const T = core.typeNames.length;
  const wanted = wantedGroups(core, core.attrs[v]!);
  for (let t = 0; t < T; t++) {
    const g = core.groupKey.get(v * T + t);
    const min = wanted.get(t);
    if (min === undefined) {
      if (g !== undefined) dissolveGroup(core, v, t);
    } else if (g === undefined) {
      formGroup(core, v, t, min);
    } else if (core.groupMinAvailable[g] !== min) {
      core.groupMinAvailable[g] = min;
      core.groupNeed[g] = requiredAvailable(min, core.groupSize[g]!);
    }
  }
}

/** Tags `v`'s provider entries of type `t` (both directions) with group `g`; returns how many. */
function tagProviders(core: IndexCore, v: number, t: number, g: number): number {
  const { prov, dep } = core;
  let size = 0;
  const end = prov.end[v]!;
  for (let k = prov.start[v]!; k < end; k++) {
    if (prov.type[k] !== t) continue;
    prov.group[k] = g;
    size++;
  }
  // Each provider once, though parallel relationships repeat it: setGroup tags all of them.
  const seen = new Set<number>();
  for (let k = prov.start[v]!; k < end; k++) {
    if (prov.type[k] !== t) continue;
    const p = prov.other[k]!;
    if (seen.has(p)) continue;
    seen.add(p);
    dep.setGroup(p, v, t, g);
  }
  return size;
}

function formGroup(core: IndexCore, v: number, t: number, min: number | string): void {
  const g = core.groupCount++;
  if (g >= core.groupDependent.length) growGroups(core);
  core.groupKey.set(v * core.typeNames.length + t, g);
  core.groupDependent[g] = v;
  core.groupType[g] = t;
  core.groupMinAvailable[g] = min;
  const size = tagProviders(core, v, t, g);
  core.groupSize[g] = size;
  core.groupNeed[g] = requiredAvailable(min, size);
}

/** The group id stays allocated (nothing refers to it any more) until the next full build. */
function dissolveGroup(core: IndexCore, v: number, t: number): void {
  const key = v * core.typeNames.length + t;
  const g = core.groupKey.get(key);
  if (g === undefined) return;
  tagProviders(core, v, t, -1);
  core.groupKey.delete(key);
  core.groupSize[g] = 0;
  core.groupNeed[g] = 0;
}

function growGroups(core: IndexCore): void {
  const cap = Math.ceil(core.groupDependent.length * 1.5) + capacity.groupSlack;
  const grow = <A extends Int32Array | Uint16Array>(a: A, make: (n: number) => A): A => {
    const b = make(cap);
    b.set(a);
    return b;
  };
  core.groupDependent = grow(core.groupDependent, (n) => new Int32Array(n));
  core.groupType = grow(core.groupType, (n) => new Uint16Array(n));
  core.groupSize = grow(core.groupSize, (n) => new Int32Array(n));
  core.groupNeed = grow(core.groupNeed, (n) => new Int32Array(n));
}
