/**
 * Deployment plan of a release (DESIGN.md "Release management"), a pure function: the target CIs
 * in an order where providers come before their dependents. "Depends on" is the transitive
 * provider relation of engine/impact `dependencies` (direction 'providers', propagating types only,
 * provider end from the relationship-type registry), restricted to the targets — so a target that
 * relies on another through CIs outside the release still comes after it.
 *
 * Targets that depend on each other in a cycle form one strongly connected component: one step,
 * flagged `cycle: true`. Components are ordered by Kahn's algorithm, smallest CI id first among
 * the ready ones, so the plan never depends on insertion order. `wave` is the length of the
 * longest provider chain below a step: steps of one wave can be deployed in parallel.
 */
import { dependencies, indexFor, type ImpactIndex } from '../impact/index.ts';
import type { Registry } from '../model/registry.ts';
import { SemanticError } from '../errors.ts';

export interface PlanTarget {
  ci: string;
  change: string;
}

export interface PlanStep {
  step: number;
  wave: number;
  cis: string[];
  /** True when the step's CIs depend on each other in a cycle: deploy them together. */
  cycle: boolean;
  /** The changes targeting this step's CIs. */
  changes: string[];
  /** Steps holding providers of this step's CIs. */
  after: number[];
}

export interface DeploymentPlan {
  steps: PlanStep[];
  /** `dependent` relies (transitively) on `provider`, both targets. */
  dependencies: { dependent: string; provider: string }[];
  cycles: string[][];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function deploymentPlan(source: ImpactIndex, registry: Registry, targets: readonly PlanTarget[]): DeploymentPlan {
  const index = indexFor(source, registry, 'release plan');
  const changesOf = new Map<string, Set<string>>();
  for (const t of targets) {
    if (!index.idToIndex.has(t.ci))
      throw new SemanticError(`release plan: target CI "${t.ci}" of ${t.change} not found`, { ci: t.ci, change: t.change });
    let s = changesOf.get(t.ci);
    if (!s) changesOf.set(t.ci, (s = new Set()));
    s.add(t.change);
  }
  const cis = [...changesOf.keys()].sort(cmp);
  const inRelease = new Set(cis);
  const providers = new Map<string, string[]>();
  const edges: { dependent: string; provider: string }[] = [];
  for (const ci of cis) {
    const ps = dependencies(index, registry, ci)
      .dependencies.map((d) => d.id)
      .filter((id) => inRelease.has(id))
      .sort(cmp);
    providers.set(ci, ps);
    for (const p of ps) edges.push({ dependent: ci, provider: p });
  }

  const components = stronglyConnected(cis, (v) => providers.get(v)!);
  const compOf = new Map<string, number>();
  components.forEach((c, i) => c.forEach((v) => compOf.set(v, i)));
  const compProviders = components.map((c, i) => {
    const s = new Set<number>();
    for (const v of c) for (const p of providers.get(v)!) if (compOf.get(p) !== i) s.add(compOf.get(p)!);
    return s;
  });
  const waiting = compProviders.map((s) => s.size);
  const dependents = components.map(() => [] as number[]);
  compProviders.forEach((s, i) => s.forEach((p) => dependents[p]!.push(i)));

  const key = (i: number) => components[i]![0]!;
  const ready = components.map((_, i) => i).filter((i) => waiting[i] === 0);
  const stepOf = new Array<number>(components.length);
  const waveOf = new Array<number>(components.length).fill(0);
  const steps: PlanStep[] = [];
  while (ready.length > 0) {
    ready.sort((a, b) => cmp(key(a), key(b)));
    const i = ready.shift()!;
    const after = [...compProviders[i]!].map((p) => stepOf[p]!).sort((a, b) => a - b);
    const wave = Math.max(0, ...[...compProviders[i]!].map((p) => waveOf[p]! + 1));
    waveOf[i] = wave;
    stepOf[i] = steps.length + 1;
    const c = components[i]!;
    const changes = [...new Set(c.flatMap((v) => [...changesOf.get(v)!]))].sort(cmp);
    steps.push({ step: steps.length + 1, wave, cis: c, cycle: c.length > 1, changes, after });
    for (const d of dependents[i]!) if (--waiting[d]! === 0) ready.push(d);
  }
  return { steps, dependencies: edges, cycles: components.filter((c) => c.length > 1) };
}

/** Tarjan's algorithm, iterative; each component sorted by id. */
function stronglyConnected(nodes: readonly string[], next: (v: string) => readonly string[]): string[][] {
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  for (const root of nodes) {
    if (indexOf.has(root)) continue;
    const work: { v: string; i: number }[] = [{ v: root, i: 0 }];
    indexOf.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const succ = next(frame.v);
      if (frame.i < succ.length) {
        const w = succ[frame.i++]!;
        if (!indexOf.has(w)) {
          indexOf.set(w, counter);
          low.set(w, counter++);
          stack.push(w);
          onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(frame.v, Math.min(low.get(frame.v)!, indexOf.get(w)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.v, Math.min(low.get(parent.v)!, low.get(frame.v)!));
      if (low.get(frame.v) === indexOf.get(frame.v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== frame.v);
        out.push(comp.sort(cmp));
      }
    }
  }
  return out;
}
