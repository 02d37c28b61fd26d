/**
 * An impact map with everything around it, shared by /impact and the change review: the counts as
 * text (equal to the API's answer), filters by state and class, the find box, grouping as compound
 * nodes, the server's counted groups (expanding on click), the "why" panel of a clicked CI, the
 * legend and export (PNG, SVG, JSON). Its state (selection, filters, grouping, expanded groups,
 * find text) lives in the URL through `ViewContext.replaceParams`.
 */
import type { ImpactAnswer } from './api.ts';
import type { ViewContext } from './context.ts';
import { append, clear, download, h, link } from './dom.ts';
import { contextOf, impactMap, pathEdges, type CIContext, type GroupBy } from './impact-model.ts';
import { MapView } from './map-view.ts';

export interface PanelOptions {
  /** File name stem for exports. */
  name: string;
  /**
   * For an answer asked without `context` (a change's stored blast radius): asks the server for each
   * CI's location and services, on demand, when the map is grouped by location or service.
   */
  context?: () => Promise<ReadonlyMap<string, CIContext>>;
}

const list = (p: URLSearchParams, k: string) =>
  new Set(
    p
      .getAll(k)
      .flatMap((v) => v.split(','))
      .filter(Boolean),
  );

export async function mountMapPanel(ctx: ViewContext, host: HTMLElement, answer: ImpactAnswer, opts: PanelOptions): Promise<MapView> {
  const p = ctx.params;
  const groupBy = (['none', 'class', 'location', 'service'].includes(p.get('group') ?? '') ? p.get('group') : 'none') as GroupBy;
  const expanded = list(p, 'expand');
  const states = list(p, 'state');
  const classes = list(p, 'class');
  const needsContext = groupBy === 'location' || groupBy === 'service';
  const context = contextOf(answer) ?? (needsContext && opts.context ? await opts.context() : undefined);
  const model = impactMap(answer, { groupBy, expanded, ...(context ? { context } : {}) });
  performance.mark('cmdb:model');

  // In-place edits (selection, filters, find) update the address bar without re-rendering, so
  // ctx.params is stale after the first one: each edit starts from the URL as it is now.
  const current = () => new URLSearchParams(location.search);
  const patchUrl = (edit: (q: URLSearchParams) => void) => {
    const q = current();
    edit(q);
    history.replaceState(null, '', `${location.pathname}?${q}`);
  };
  const set = (k: string, values: string[]) => {
    const q = current();
    q.delete(k);
    for (const v of values) q.append(k, v);
    ctx.replaceParams(q);
  };

  // ---- counts, as text, straight from the answer
  const groupsInfo =
    answer.groups && answer.groups.groups.length > 0
      ? ` — ${answer.groups.total} CIs drawn as ${answer.groups.visible} nodes: the server grouped similar CIs (click a group to expand it)`
      : '';
  const counts = h(
    'p',
    { class: 'counts', role: 'status' },
    h('strong', { 'data-count': 'down' }, `${answer.counts.down} down`),
    ' · ',
    h('strong', { 'data-count': 'degraded' }, `${answer.counts.degraded} degraded`),
    ' · ',
    h('strong', { 'data-count': 'services' }, `${answer.services.length} business services`),
    groupsInfo,
  );

  // ---- toolbar: filters, grouping, find, export
  const allClasses = [...new Set(answer.impacted.map((c) => c.class))].sort();
  const stateBoxes = (['down', 'degraded'] as const).map((s) =>
    h('label', {}, h('input', { type: 'checkbox', name: 'state', value: s, checked: states.size === 0 || states.has(s) }), ` ${s}`),
  );
  const classSelect = h(
    'select',
    { name: 'class', multiple: true, size: 4, 'aria-label': 'show only these classes' },
    ...allClasses.map((c) =>
      h(
        'option',
        { value: c, selected: classes.has(c) },
        `${c} (${(answer.counts.byClass[c]?.down ?? 0) + (answer.counts.byClass[c]?.degraded ?? 0)})`,
      ),
    ),
  );
  const groupSelect = h(
    'select',
    { name: 'group', 'aria-label': 'group by' },
    ...(['none', 'class', 'location', 'service'] as const).map((g) =>
      h('option', { value: g, selected: g === groupBy }, g === 'none' ? 'no grouping' : `group by ${g}`),
    ),
  );
  const findBox = h('input', {
    type: 'search',
    name: 'find',
    placeholder: 'find on map…',
    value: p.get('find') ?? '',
    'aria-label': 'find on the map',
  });
  const findInfo = h('span', { class: 'muted' });
  const exportButtons = h(
    'span',
    { class: 'export' },
    h('button', { type: 'button', 'data-export': 'png' }, 'PNG'),
    h('button', { type: 'button', 'data-export': 'svg' }, 'SVG'),
    h('button', { type: 'button', 'data-export': 'json' }, 'JSON'),
  );
  const toolbar = h(
    'div',
    { class: 'toolbar' },
    h('fieldset', {}, h('legend', {}, 'state'), ...stateBoxes),
    h('fieldset', {}, h('legend', {}, 'class'), classSelect),
    h('fieldset', {}, h('legend', {}, 'layout'), groupSelect),
    h('fieldset', {}, h('legend', {}, 'find'), findBox, findInfo),
    h('fieldset', {}, h('legend', {}, 'export'), exportButtons),
  );

  const canvas = h('div', { class: 'map', 'data-testid': 'map', tabindex: '0', 'aria-label': 'impact map' });
  const details = h(
    'aside',
    { class: 'details', 'aria-live': 'polite' },
    h('p', { class: 'muted' }, 'Click a CI to see why it is impacted.'),
  );
  const legend = h(
    'div',
    { class: 'legend', 'aria-label': 'legend' },
    h('span', { class: 'lg lg-origin' }, 'origin (diamond, thick border)'),
    h('span', { class: 'lg lg-down' }, 'down (square, solid border)'),
    h('span', { class: 'lg lg-degraded' }, 'degraded (rounded, dashed border)'),
    h('span', { class: 'lg lg-service' }, 'business service (large, double border)'),
    h('span', { class: 'lg lg-group' }, '×N group of similar CIs (click to expand)'),
    h('span', {}, 'rows = hops from the origin; arrows point from provider to dependent'),
  );
  clear(host);
  append(host, [counts, toolbar, h('div', { class: 'map-row' }, canvas, details), legend]);

  const byId = new Map(answer.impacted.map((c) => [c.id, c]));
  const services = new Map(answer.services.map((s) => [s.id, s]));
  const view = new MapView(canvas, model, answer, (id) => {
    const g = model.nodes.find((n) => n.id === id && n.members);
    if (g) {
      set('expand', [...expanded, id]);
      return;
    }
    select(id);
    patchUrl((q) => q.set('sel', id));
  });
  performance.mark('cmdb:canvas');
  ctx.onLeave(() => view.destroy());

  function select(id: string) {
    view.highlight(id);
    clear(details);
    const ci = byId.get(id);
    const origin = answer.origins.find((o) => o.id === id);
    if (origin) {
      append(details, [
        h('h3', {}, id),
        h('p', {}, `Origin: given as ${origin.effect}, ends ${origin.state}.`),
        link(`/cis/${encodeURIComponent(id)}`, 'open in explorer'),
      ]);
      return;
    }
    if (!ci) return;
    const svc = services.get(id);
    const steps = pathEdges(ci);
    append(details, [
      h('h3', {}, ci.name),
      h('p', { class: 'muted' }, `${ci.id} · ${ci.class} · ${ci.environment}`),
      h('p', { 'data-why': 'state' }, `${ci.state.toUpperCase()} at depth ${ci.depth}`),
      svc ? h('p', {}, `Business service, criticality ${svc.criticality}, owner ${svc.owner ?? '—'}`) : null,
      h('h4', {}, 'Why: the path from the origin'),
      h(
        'ol',
        { class: 'via', 'data-why': 'via' },
        ...steps.map(([source, target, s]) =>
          h('li', {}, `${source} → ${target}`, h('span', { class: 'muted' }, ` (${s.from} ${s.type} ${s.to})`)),
        ),
      ),
      ...(ci.redundancy ?? []).map((r) =>
        h(
          'p',
          { 'data-why': 'redundancy' },
          `Redundancy over ${r.relationship}: ${r.available} of ${r.members} available, needs ${r.required} (minAvailable ${r.minAvailable}) — ${r.breached ? 'breached: down' : 'absorbed: degraded'}; failed: ${r.failed.map((f) => (f.from === ci.id ? f.to : f.from)).join(', ')}`,
        ),
      ),
      link(`/cis/${encodeURIComponent(ci.id)}`, 'open in explorer'),
    ]);
  }

  const applyFilters = () => {
    const st = new Set(
      stateBoxes
        .map((l) => l.querySelector('input')!)
        .filter((i) => i.checked)
        .map((i) => i.value),
    );
    view.filter({ states: st.size === 2 ? new Set() : st, classes: new Set(Array.from(classSelect.selectedOptions).map((o) => o.value)) });
  };
  const applyFind = () => {
    const hits = view.find(findBox.value);
    findInfo.textContent = findBox.value.trim() ? ` ${hits.length} found` : '';
    if (hits.length > 0) view.focus(hits[0]!);
  };
  for (const l of stateBoxes)
    l.querySelector('input')!.addEventListener('change', () => {
      const st = stateBoxes
        .map((x) => x.querySelector('input')!)
        .filter((i) => i.checked)
        .map((i) => i.value);
      patchUrl((q) => {
        q.delete('state');
        if (st.length === 1) q.set('state', st[0]!);
      });
      applyFilters();
    });
  classSelect.addEventListener('change', () => {
    patchUrl((q) => {
      q.delete('class');
      for (const o of Array.from(classSelect.selectedOptions)) q.append('class', o.value);
    });
    applyFilters();
  });
  groupSelect.addEventListener('change', () => set('group', groupSelect.value === 'none' ? [] : [groupSelect.value]));
  findBox.addEventListener('input', () => {
    patchUrl((q) => (findBox.value ? q.set('find', findBox.value) : q.delete('find')));
    applyFind();
  });
  findBox.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      findBox.value = '';
      applyFind();
    }
  });
  exportButtons.addEventListener('click', (e) => {
    const kind = (e.target as HTMLElement).getAttribute('data-export');
    if (kind === 'png') download(`${opts.name}.png`, view.png());
    else if (kind === 'svg') download(`${opts.name}.svg`, new Blob([view.svg()], { type: 'image/svg+xml' }));
    else if (kind === 'json') download(`${opts.name}.json`, new Blob([JSON.stringify(answer, null, 2)], { type: 'application/json' }));
  });

  await view.whenReady();
  applyFilters();
  if (findBox.value) applyFind();
  const sel = p.get('sel');
  if (sel) select(sel);
  return view;
}
