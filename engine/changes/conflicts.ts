/**
 * Conflict detection (DESIGN.md "Conflicts"), a pure function over change footprints: two changes
 * conflict when their windows overlap and (they share a target | one's targets lie in the other's
 * blast radius | their blast radii share a business service). Each conflict lists every reason.
 */
import type { BlastRadiusResult } from '../impact/index.ts';
import type { BlastRadiusSnapshot, ChangeDoc, Conflict, ConflictReason, TimeWindow } from './model.ts';

/** What a change touches: its targets, its blast radius (origins and impacted) and the business services in it. */
export interface ChangeFootprint {
  id: string;
  title: string;
  state: string;
  window: TimeWindow | null;
  targets: readonly string[];
  radius: ReadonlySet<string>;
  services: ReadonlySet<string>;
}

export function footprint(
  change: Pick<ChangeDoc, 'id' | 'title' | 'state' | 'window' | 'targets'>,
  impact: BlastRadiusResult | BlastRadiusSnapshot,
): ChangeFootprint {
  const radius = new Set<string>();
  for (const o of impact.origins) radius.add(o.id);
  for (const i of impact.impacted) radius.add(i.id);
  return {
    id: change.id,
    title: change.title,
    state: change.state,
    window: change.window,
    targets: change.targets.map((t) => t.ci),
    radius,
    services: new Set(impact.services.map((s) => s.id)),
  };
}

/** Half-open windows [start, end): one ending exactly when the other starts does not overlap. */
export function overlap(a: TimeWindow | null, b: TimeWindow | null): { start: string; end: string } | null {
  if (a === null || b === null) return null;
  if (!(a.start < b.end && b.start < a.end)) return null;
  return { start: a.start > b.start ? a.start : b.start, end: a.end < b.end ? a.end : b.end };
}

/** Conflicts of `subject` with each of `others` (the subject itself is skipped), sorted by change id. */
export function detectConflicts(subject: ChangeFootprint, others: readonly ChangeFootprint[]): Conflict[] {
  const out: Conflict[] = [];
  for (const other of others) {
    if (other.id === subject.id) continue;
    const o = overlap(subject.window, other.window);
    if (o === null) continue;
    const reasons: ConflictReason[] = [];
    const theirTargets = new Set(other.targets);
    const shared = subject.targets.filter((t) => theirTargets.has(t)).sort();
    if (shared.length > 0) {
      reasons.push({ kind: 'shared_target', cis: shared, message: `${other.id} also targets ${shared.join(', ')}` });
    }
    const oursInTheirs = subject.targets.filter((t) => !theirTargets.has(t) && other.radius.has(t)).sort();
    if (oursInTheirs.length > 0) {
      reasons.push({
        kind: 'target_in_blast_radius',
        direction: 'ours_in_theirs',
        cis: oursInTheirs,
        message: `${oursInTheirs.join(', ')} ${oursInTheirs.length === 1 ? 'lies' : 'lie'} in the blast radius of ${other.id}`,
      });
    }
    const ourTargets = new Set(subject.targets);
    const theirsInOurs = other.targets.filter((t) => !ourTargets.has(t) && subject.radius.has(t)).sort();
    if (theirsInOurs.length > 0) {
      reasons.push({
        kind: 'target_in_blast_radius',
        direction: 'theirs_in_ours',
        cis: theirsInOurs,
        message: `${other.id} targets ${theirsInOurs.join(', ')}, in this change's blast radius`,
      });
    }
    const services = [...subject.services].filter((s) => other.services.has(s)).sort();
    if (services.length > 0) {
      reasons.push({ kind: 'shared_service', services, message: `both changes impact business service ${services.join(', ')}` });
    }
    if (reasons.length > 0) out.push({ change: other.id, title: other.title, state: other.state, overlap: o, reasons });
  }
  return out.sort((a, b) => (a.change < b.change ? -1 : a.change > b.change ? 1 : 0));
}
