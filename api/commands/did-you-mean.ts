/**
 * "Did you mean" for CI ids typed on the command line: an unknown id is refused with the closest
 * known ids (edit distance, case-insensitive), so `cmdb impact srv-db-1` answers with `srv-db-01`.
 * Only the error path pays for the scan; ids whose length differs too much are skipped unread.
 */
import { NotFoundError } from '../../engine/errors.ts';

/** Levenshtein distance, giving up (returning `max + 1`) once it must exceed `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** Up to `limit` known ids closest to `id`, nearest first (ties by id). */
export function closestIds(id: string, known: Iterable<string>, limit = 3): string[] {
  const want = id.toLowerCase();
  const max = Math.max(2, Math.floor(id.length / 3));
  const hits: { id: string; d: number }[] = [];
  for (const k of known) {
    const lower = k.toLowerCase();
    // A longer id containing what was typed (`srv-db` → `srv-db-01`) counts as one edit away.
    const d = want.length >= 3 && lower.includes(want) ? Math.min(1, editDistance(want, lower, max)) : editDistance(want, lower, max);
    if (d <= max) hits.push({ id: k, d });
  }
  hits.sort((x, y) => x.d - y.d || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  return hits.slice(0, limit).map((h) => h.id);
}

/** Throws NotFoundError for the first id that `has` does not know, with suggestions. */
export function requireKnownCis(op: string, ids: readonly string[], has: (id: string) => boolean, known: () => Iterable<string>): void {
  for (const id of ids) {
    if (has(id)) continue;
    const near = closestIds(id, known());
    throw new NotFoundError(`${op}: CI "${id}" not found${near.length ? ` — did you mean ${near.map((n) => `"${n}"`).join(', ')}?` : ''}`, {
      id,
      suggestions: near,
    });
  }
}
