/**
 * Incremental maintenance of an index state (state.ts): `advanceCore` replays the graph's journal
 * (journal.ts) as a delta instead of a rebuild.
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
 *     required count (`"p%"` depends on the size);
 *   - the id rank and the topological order, once computed, are kept valid for new CIs.
 */
import type { GraphChange } from './journal.ts';
import { DELETED_CI, requiredAvailable, wantedGroups, type IndexCore } from './state.ts';

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
 * Keeps the id rank valid for a new CI in O(n) typed-array work (no strings compared), instead of
 * dropping it and making the next large report re-sort every id (ordering.ts).
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
  const cap = Math.ceil(core.groupDependent.length * 1.5) + core.tuning.capacity.groupSlack;
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
