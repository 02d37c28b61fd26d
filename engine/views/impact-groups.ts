/**
 * Server-side grouping of a big impact answer for drawing: when more CIs are impacted than a map
 * can show (`maxNodes`, 2,000 by default in the API), similar CIs collapse into counted groups —
 * "×42 VirtualMachine" — which the web UI draws as one node and expands on click. Pure over the
 * blast-radius report (it never recomputes impact, it never reads a store), deterministic: the same
 * report gives the same groups, whatever order the origins were given in.
 *
 * Coarsening in three passes, each used only if the previous one cannot get under `maxNodes`:
 * 1. siblings — same provider on the `via` path (the CI one hop nearer the origin), class, state
 *    and depth: iTop's "×N similar neighbours", which keeps every edge of the map meaningful;
 * 2. same class, state and depth (one band of the layered map);
 * 3. same class and state.
 * Within a pass the biggest buckets collapse first (ties by key), and only until the map fits, so
 * small groups stay expanded. Business services are never grouped: they are what the CAB reads.
 */
export interface GroupableCI {
  id: string;
  class: string;
  state: 'down' | 'degraded';
  depth: number;
  via: readonly { from: string; type: string; to: string }[];
}

export interface ImpactGroup {
  /** Stable: built from the bucket key. */
  id: string;
  label: string;
  class: string;
  state: 'down' | 'degraded';
  /** Null for a group spanning several depths (pass 3). */
  depth: number | null;
  /** The shared provider on the via path (pass 1 only). */
  provider: string | null;
  count: number;
  /** Sorted ids. */
  members: string[];
}

export interface GroupedImpact {
  maxNodes: number;
  /** Origins + impacted CIs, before grouping. */
  total: number;
  /** Nodes a map draws: ungrouped CIs + one per group. */
  visible: number;
  /** 0 (nothing grouped), 1, 2 or 3: the coarsest pass used. */
  pass: 0 | 1 | 2 | 3;
  groups: ImpactGroup[];
}

/** The CI one hop nearer the origin on `ci`'s explanation path, or null for a first-hop CI without one. */
export function viaProvider(ci: GroupableCI): string | null {
  const last = ci.via[ci.via.length - 1];
  if (!last) return null;
  return last.from === ci.id ? last.to : last.from;
}

type KeyOf = (ci: GroupableCI) => string;

const PASSES: { key: KeyOf; depth: boolean; provider: boolean }[] = [
  { key: (c) => `${c.class}\u0000${c.state}\u0000${c.depth}\u0000${viaProvider(c) ?? ''}`, depth: true, provider: true },
  { key: (c) => `${c.class}\u0000${c.state}\u0000${c.depth}`, depth: true, provider: false },
  { key: (c) => `${c.class}\u0000${c.state}`, depth: false, provider: false },
];

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function groupImpact(
  report: { origins: readonly unknown[]; impacted: readonly GroupableCI[]; services?: readonly { id: string }[] },
  opts: { maxNodes: number },
): GroupedImpact {
  const { maxNodes } = opts;
  const total = report.origins.length + report.impacted.length;
  if (total <= maxNodes) return { maxNodes, total, visible: total, pass: 0, groups: [] };
  const keep = new Set((report.services ?? []).map((s) => s.id));
  const candidates = report.impacted.filter((c) => !keep.has(c.id));

  let best: GroupedImpact | undefined;
  for (let p = 0; p < PASSES.length; p++) {
    const pass = PASSES[p]!;
    const buckets = new Map<string, GroupableCI[]>();
    for (const c of candidates) {
      const k = pass.key(c);
      const b = buckets.get(k);
      if (b) b.push(c);
      else buckets.set(k, [c]);
    }
    const ordered = [...buckets.entries()].filter(([, b]) => b.length > 1).sort((x, y) => y[1].length - x[1].length || compare(x[0], y[0]));
    let visible = total;
    const groups: ImpactGroup[] = [];
    for (const [key, members] of ordered) {
      if (visible <= maxNodes) break;
      visible -= members.length - 1;
      const first = members[0]!;
      const provider = pass.provider ? viaProvider(first) : null;
      const depth = pass.depth ? first.depth : null;
      groups.push({
        id: `group:${p + 1}:${key.split('\u0000').join(':')}`,
        label: `×${members.length} ${first.class}`,
        class: first.class,
        state: first.state,
        depth,
        provider,
        count: members.length,
        members: members.map((m) => m.id).sort(compare),
      });
    }
    best = { maxNodes, total, visible, pass: (p + 1) as 1 | 2 | 3, groups: groups.sort((a, b) => compare(a.id, b.id)) };
    if (visible <= maxNodes) break;
  }
  return best!;
}
