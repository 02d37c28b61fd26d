/**
 * The layered layout of impact maps: row = dependency depth from the API's answer (origins at 0),
 * so the drawing says how far each CI is from the failure. Deterministic and independent of the
 * order nodes arrive in: within a row, CIs sit under the CI they are impacted through (their `via`
 * provider) and then by id, so the same graph opened from another CI — or with its origins listed
 * in another order — is drawn identically (GLPI's map reshuffles). Compound groups are columns of
 * their own, side by side, so group boxes never overlap; long rows wrap. Linear in the node count
 * after sorting, which keeps 10,000-node maps well inside a frame budget that dagre cannot meet.
 */
export interface LayoutNode {
  id: string;
  rank: number;
  /** Compound group ('' = none); groups become side-by-side columns in key order. */
  group: string;
  /** The node this one hangs from (one rank up), for ordering within a row. */
  parentHint: string | null;
}

export interface LayoutOptions {
  dx: number;
  dy: number;
  /** Most nodes side by side in one row of one group; longer rows wrap into sub-rows. */
  wrap: number;
  groupGap: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { dx: 170, dy: 150, wrap: 12, groupGap: 140 };

/** Rows wrap near √n nodes (at least 8), so a map of any size fits a screen about square. */
export function wrapFor(n: number): number {
  return Math.max(8, Math.ceil(Math.sqrt(n) * 1.3));
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function layeredPositions(
  nodes: readonly LayoutNode[],
  opts: LayoutOptions = DEFAULT_LAYOUT,
): Map<string, { x: number; y: number }> {
  const { dx, dy, wrap, groupGap } = opts;
  const groups = [...new Set(nodes.map((n) => n.group))].sort(cmp);
  const ranks = [...new Set(nodes.map((n) => n.rank))].sort((a, b) => a - b);
  const cell = new Map<string, LayoutNode[]>(); // group \0 rank → nodes
  for (const n of nodes) {
    const k = `${n.group}\u0000${n.rank}`;
    const c = cell.get(k);
    if (c) c.push(n);
    else cell.set(k, [n]);
  }
  const width = new Map<string, number>();
  for (const g of groups) {
    let w = 1;
    for (const r of ranks) w = Math.max(w, Math.min(cell.get(`${g}\u0000${r}`)?.length ?? 0, wrap));
    width.set(g, w * dx);
  }
  const groupX = new Map<string, number>();
  let x0 = 0;
  for (const g of groups) {
    groupX.set(g, x0);
    x0 += width.get(g)! + groupGap;
  }
  const pos = new Map<string, { x: number; y: number }>();
  let y = 0;
  const sub = dy * 0.6;
  for (const r of ranks) {
    let subRows = 1;
    for (const g of groups) {
      const row = cell.get(`${g}\u0000${r}`);
      if (!row) continue;
      subRows = Math.max(subRows, Math.ceil(row.length / wrap));
      const keyed = row.map((n) => ({ n, px: (n.parentHint !== null ? pos.get(n.parentHint)?.x : undefined) ?? Number.POSITIVE_INFINITY }));
      keyed.sort((a, b) => a.px - b.px || cmp(a.n.id, b.n.id));
      const inRow = Math.min(row.length, wrap);
      const left = groupX.get(g)! + (width.get(g)! - inRow * dx) / 2 + dx / 2;
      keyed.forEach(({ n }, i) => pos.set(n.id, { x: left + (i % wrap) * dx, y: y + Math.floor(i / wrap) * sub }));
    }
    y += (subRows - 1) * sub + dy;
  }
  return pos;
}
