/**
 * `/cis` and `/cis/ID`: the engineer's explorer. Search by id, name, class or owner; a CI's
 * attributes, history and one-hop neighbourhood (drawn with dagre, expanding a second hop when a
 * neighbour is clicked); its transitive dependencies and single points of failure (from the API's
 * /dependencies and /spof) highlighted on the neighbourhood and listed.
 */
import cytoscape from 'cytoscape';
import dagre from 'cytoscape-dagre';
import { ApiError, describeError, type Api, type CI, type HistoryEvent, type Neighbour } from '../api.ts';
import type { ViewContext } from '../context.ts';
import { append, clear, dl, h, link } from '../dom.ts';
import { GRAPH_STYLE } from '../graph-style.ts';
import { searchCis } from '../search.ts';

/** Events per history page; "load more" asks for the next page from the API's `next`. */
const HISTORY_PAGE = 20;

function historySection(api: Api, id: string, first: { items: HistoryEvent[]; next: number | null } | null): HTMLElement {
  if (first === null) return h('p', { class: 'muted' }, 'Your role may not read the history.');
  const list = h('ol', { class: 'history' });
  const more = h('button', { type: 'button', 'data-history': 'more' }, 'Load more');
  const msg = h('span', { role: 'status', class: 'muted' });
  const show = (page: { items: HistoryEvent[]; next: number | null }) => {
    append(
      list,
      page.items.map((e) => h('li', { 'data-seq': e.seq }, `#${e.seq} ${e.at} ${e.actor} ${e.op}`)),
    );
    more.hidden = page.next === null;
    more.onclick = page.next === null ? null : () => void load(page.next!);
  };
  const load = async (after: number) => {
    more.disabled = true;
    try {
      show(await api.history(id, after, HISTORY_PAGE));
      msg.textContent = '';
    } catch (err) {
      msg.textContent = describeError(err);
    } finally {
      more.disabled = false;
    }
  };
  show(first);
  return h('div', {}, list, more, msg);
}

function resultsList(ctx: ViewContext, items: CI[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, 'No CI matches.');
  return h(
    'ul',
    { class: 'results' },
    ...items.map((ci) =>
      h(
        'li',
        {},
        link(`/cis/${encodeURIComponent(ci.id)}`, ci.name),
        h('span', { class: 'muted' }, ` ${ci.id} · ${ci.class} · ${ci.owner ?? 'no owner'}`),
      ),
    ),
  );
}

export async function render(ctx: ViewContext): Promise<void> {
  const api = ctx.session.api;
  const id = ctx.rest[0];
  clear(ctx.root);
  const q = h('input', {
    type: 'search',
    name: 'q',
    value: ctx.params.get('q') ?? '',
    placeholder: 'id, name, class or owner',
    'aria-label': 'search CIs',
    size: 40,
  });
  const out = h('div', { class: 'search-results' });
  const form = h('form', { role: 'search' }, q, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    ctx.navigate(`/cis?${p}`);
  });
  append(ctx.root, [h('h1', {}, id ? 'Explorer' : 'Explorer: find a CI'), form, out]);
  if (!id) {
    if (q.value.trim()) append(out, [resultsList(ctx, await searchCis(api, q.value))]);
    q.focus();
    return;
  }

  const ci = await api.getCi(id);
  document.title = `${ci.name} — graph-cmdb`;
  const [nb, deps, spof] = await Promise.all([api.neighbours(id), api.dependencies(id), api.spof(id)]);
  const history = await api
    .history(id, 0, HISTORY_PAGE)
    .catch((e: unknown) => (e instanceof ApiError && e.status === 403 ? null : Promise.reject(e)));

  const spofIds = new Set(spof.spofs.map((s) => s.id));
  const depIds = new Set(deps.dependencies.map((d) => d.id));
  const canvas = h('div', { class: 'map small', 'data-testid': 'neighbourhood' });
  append(ctx.root, [
    h(
      'section',
      { class: 'ci-head' },
      h('h2', {}, ci.name),
      h('p', { class: 'muted' }, `${ci.id} · ${ci.class}`),
      link(`/impact?ci=${encodeURIComponent(ci.id)}`, 'What does its failure impact? →'),
    ),
    h(
      'div',
      { class: 'cols' },
      h(
        'section',
        {},
        h('h3', {}, 'Attributes'),
        dl([
          ['status', ci.status],
          ['environment', ci.environment],
          ['criticality', ci.criticality],
          ['owner', ci.owner ?? '—'],
          ['tags', (ci.tags ?? []).join(', ') || '—'],
          ['redundancy', ci.redundancy ?? []],
          ...(Object.entries(ci.attributes ?? {}) as [string, unknown][]),
          ['version', ci.version],
          ['updated', ci.updatedAt],
        ]),
      ),
      h(
        'section',
        {},
        h('h3', {}, `Neighbourhood (click a neighbour to expand)`),
        canvas,
        h(
          'p',
          { class: 'legend' },
          h('span', { class: 'lg lg-focus' }, 'this CI (star)'),
          h('span', { class: 'lg lg-spof' }, 'single point of failure'),
          h('span', { class: 'lg lg-dep' }, 'a dependency (transitive provider)'),
        ),
      ),
    ),
    h(
      'div',
      { class: 'cols' },
      h(
        'section',
        {},
        h('h3', {}, `Single points of failure (${spof.spofs.length})`),
        spof.spofs.length === 0
          ? h('p', {}, 'None: every provider chain is redundant.')
          : h(
              'ul',
              { 'data-list': 'spof' },
              ...spof.spofs.map((s) =>
                h('li', {}, link(`/cis/${encodeURIComponent(s.id)}`, s.name), ` ${s.class}, ${s.kind}, ${s.depth} hop(s)`),
              ),
            ),
      ),
      h(
        'section',
        {},
        h('h3', {}, `Dependencies (${deps.dependencies.length})`),
        h(
          'ul',
          { 'data-list': 'deps', class: 'scroll' },
          ...deps.dependencies
            .slice(0, 200)
            .map((d) => h('li', {}, link(`/cis/${encodeURIComponent(d.id)}`, d.name), ` ${d.class}, depth ${d.depth}`)),
        ),
      ),
    ),
    h('section', {}, h('h3', {}, 'History'), historySection(api, id, history)),
  ]);

  if (!(cytoscape as unknown as (type: string, name: string) => unknown)('layout', 'dagre')) cytoscape.use(dagre);
  const cy = cytoscape({ container: canvas, style: GRAPH_STYLE, elements: [], minZoom: 0.1, maxZoom: 3 });
  ctx.onLeave(() => cy.destroy());
  const classesOf = (c: { id: string }) =>
    [c.id === id ? 'focus' : '', spofIds.has(c.id) ? 'spof' : '', depIds.has(c.id) && !spofIds.has(c.id) ? 'dep' : '']
      .filter(Boolean)
      .join(' ');
  const addNeighbours = (center: string, items: Neighbour[]) => {
    for (const n of items) {
      if (cy.getElementById(n.ci.id).empty())
        cy.add({ group: 'nodes', data: { id: n.ci.id, label: `${n.ci.name}\n${n.ci.class}` }, classes: classesOf(n.ci) });
      if (cy.getElementById(n.relationship.id).empty())
        cy.add({
          group: 'edges',
          data: { id: n.relationship.id, source: n.relationship.from, target: n.relationship.to, type: n.relationship.type },
          classes: 'labelled',
        });
    }
    cy.getElementById(center).data('expanded', true);
    cy.layout({ name: 'dagre', rankDir: 'TB', nodeSep: 110, rankSep: 90, animate: false } as cytoscape.LayoutOptions).run();
  };
  cy.add({ group: 'nodes', data: { id, label: `${ci.name}\n${ci.class}` }, classes: classesOf(ci) });
  addNeighbours(id, nb.items);
  cy.on('tap', 'node', async (evt) => {
    const nid = evt.target.id() as string;
    if (evt.target.data('expanded')) {
      ctx.navigate(`/cis/${encodeURIComponent(nid)}`);
      return;
    }
    addNeighbours(nid, (await api.neighbours(nid)).items);
  });
}
