/**
 * `/correlation`: the open incidents, correlated by the API (`POST /correlate`) into groups, each
 * with its ranked root-cause candidates, their factors and evidence paths drawn from the incident
 * CIs up to the candidate; "Create problem" turns a group into a problem record
 * (`POST /problems/from-correlation`) for roles with `itsm:write`.
 */
import cytoscape from 'cytoscape';
import { describeError, OBSERVED_CALL, type CorrelationAnswer, type Step } from '../api.ts';
import type { ViewContext } from '../context.ts';
import { append, clear, h, link } from '../dom.ts';
import { GRAPH_STYLE } from '../graph-style.ts';

const OBSERVED_MEANING = "monitoring saw the caller's calls to the callee slow; not a relationship in the CMDB";

/**
 * `app —RUNS_ON→ vm ⇢ observed call ⇢ api` from the incident's CI up to the candidate, each step
 * as stored. An observed call is evidence from monitoring, not a CMDB relationship, so it is never
 * written as one (its wire type `OBSERVED_CALL` would read like a relationship type).
 */
function pathSteps(start: string, steps: readonly Step[]): (HTMLElement | string)[] {
  let cur = start;
  const out: (HTMLElement | string)[] = [start];
  for (const s of steps) {
    const forward = s.from === cur;
    const next = forward ? s.to : s.from;
    // The spaces stay outside the step, so the observed call's dashed underline covers its words only.
    out.push(
      ' ',
      s.type === OBSERVED_CALL
        ? h(
            'span',
            { class: 'step observed', 'data-step': 'observed-call', title: `an observed call: ${OBSERVED_MEANING}` },
            forward ? '⇢ observed call ⇢' : '⇠ observed call ⇠',
          )
        : h('span', { class: 'step', 'data-step': 'relationship' }, forward ? `—${s.type}→` : `←${s.type}—`),
      ' ',
      next,
    );
    cur = next;
  }
  return out;
}

export async function render(ctx: ViewContext): Promise<void> {
  const api = ctx.session.api;
  clear(ctx.root);
  append(ctx.root, [h('h1', {}, 'Correlation of open incidents'), h('p', { class: 'muted' }, 'Asking the API…')]);
  const [open, result] = await Promise.all([
    Promise.all(['new', 'assigned', 'in_progress', 'on_hold'].map((state) => api.incidents({ state, limit: 500 }))).then((pages) =>
      pages.flatMap((p) => p.items),
    ),
    api.correlate({}),
  ]);
  clear(ctx.root);
  append(ctx.root, [
    h('h1', {}, 'Correlation of open incidents'),
    h(
      'p',
      { 'data-count': 'incidents' },
      `${open.length} open incidents · ${result.groups.length} groups · ${result.unexplained.length} unexplained`,
    ),
  ]);
  if (open.length === 0) append(ctx.root, [h('p', {}, 'No open incidents.')]);
  const titles = new Map(open.map((i) => [i.id, i]));
  result.groups.forEach((g, gi) => drawGroup(ctx, g, gi, titles, result));
  if (result.unexplained.length)
    append(ctx.root, [h('section', {}, h('h2', {}, 'Unexplained'), h('p', {}, result.unexplained.join(', ')))]);
}

function drawGroup(
  ctx: ViewContext,
  g: CorrelationAnswer['groups'][number],
  gi: number,
  titles: Map<string, { title: string; cis: string[]; observedBy?: string[] }>,
  _r: CorrelationAnswer,
) {
  const canvas = h('div', { class: 'map small', 'data-testid': `group-${gi}` });
  const msg = h('p', { role: 'status' });
  const best = g.candidates[0];
  const createButton =
    ctx.session.can('itsm:write') && best
      ? h(
          'button',
          {
            type: 'button',
            'data-action': 'create-problem',
            onclick: async () => {
              try {
                const p = await ctx.session.api.problemFromCorrelation({ incidents: g.incidents, candidates: g.candidates });
                msg.textContent = `Problem ${p.id} created (root cause ${best.id}).`;
              } catch (err) {
                msg.textContent = describeError(err);
              }
            },
          },
          `Create problem (root cause ${best.id})`,
        )
      : null;
  const section = h(
    'section',
    { class: 'group' },
    h('h2', {}, `Group ${gi + 1}: ${g.incidents.length} incidents, ${g.start} → ${g.end}`),
    h(
      'div',
      { class: 'cols' },
      h(
        'div',
        {},
        h(
          'ul',
          {},
          ...g.incidents.map((i) =>
            h(
              'li',
              {},
              `${i}: ${titles.get(i)?.title ?? ''}`,
              h('span', { class: 'muted' }, ` on ${(titles.get(i)?.cis ?? []).join(', ')}`),
              titles.get(i)?.observedBy?.length
                ? h('span', { class: 'muted', 'data-observed-by': i }, `, observed by ${titles.get(i)!.observedBy!.join(', ')}`)
                : null,
            ),
          ),
        ),
        h('h3', {}, 'Ranked candidates'),
        h(
          'ol',
          { class: 'candidates' },
          ...g.candidates.map((c) =>
            h(
              'li',
              {},
              link(`/cis/${encodeURIComponent(c.id)}`, c.name),
              ` ${c.class} · score ${c.score.toFixed(2)} · explains ${c.explains.length}`,
              h(
                'div',
                { class: 'muted small' },
                c.factors.map((f) => `${f.signal} ${f.contribution >= 0 ? '+' : ''}${f.contribution.toFixed(2)}`).join(' · '),
              ),
              h(
                'ul',
                { 'data-evidence': c.id, class: 'small' },
                ...c.paths.slice(0, 5).map((p) => h('li', {}, `${p.incidents.join(', ')}: `, ...pathSteps(p.ci, p.steps))),
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        {},
        createButton,
        msg,
        h(
          'p',
          { class: 'muted' },
          best ? `Evidence paths of the best candidate, ${best.id} (diamond), from the incident CIs (rounded):` : '',
        ),
        best?.paths.some((p) => p.steps.some((st) => st.type === OBSERVED_CALL))
          ? h('p', { class: 'muted small', 'data-legend': 'observed-call' }, `Dashed arrow: an observed call (${OBSERVED_MEANING}).`)
          : null,
        canvas,
      ),
    ),
  );
  append(ctx.root, [section]);
  if (!best) return;
  // The evidence paths of the best candidate: incident CIs up to it.
  const nodes = new Map<string, string>();
  const edges = new Map<string, { source: string; target: string; type: string; observed: boolean }>();
  for (const p of best.paths) {
    nodes.set(p.ci, 'degraded');
    for (const s of p.steps) {
      if (!nodes.has(s.from)) nodes.set(s.from, '');
      if (!nodes.has(s.to)) nodes.set(s.to, '');
      edges.set(`${s.from}|${s.type}|${s.to}`, { source: s.from, target: s.to, type: s.type, observed: s.type === OBSERVED_CALL });
    }
  }
  nodes.set(best.id, 'origin');
  const cy = cytoscape({
    container: canvas,
    style: GRAPH_STYLE,
    elements: [
      ...[...nodes].map(([id, cls]) => ({ group: 'nodes' as const, data: { id, label: id }, classes: cls })),
      ...[...edges].map(([id, { observed, ...e }]) => ({
        group: 'edges' as const,
        data: { id, ...e },
        classes: observed ? 'labelled observed' : 'labelled',
      })),
    ],
    layout: { name: 'breadthfirst', directed: true, roots: [best.id], spacingFactor: 1.1 } as cytoscape.LayoutOptions,
  });
  ctx.onLeave(() => cy.destroy());
}
