/**
 * `/impact?ci=A&ci=B&mode=degraded&depth=3&types=POWERED_BY&env=production`: the blast radius of
 * those CIs failing, as the API answers `POST /api/v1/impact` (with `group=auto`, so past 2,000
 * nodes the server groups). Relationship types, environments and depth are API options (they
 * change the question); state, class, grouping and find only change what is drawn.
 */
import type { ViewContext } from '../context.ts';
import { append, clear, h } from '../dom.ts';
import { impactKey, impactQueryOf } from '../impact-request.ts';
import { mountMapPanel } from '../map-panel.ts';

export async function render(ctx: ViewContext): Promise<void> {
  const { cis, mode, depth, types, env, request: req } = impactQueryOf(ctx.params);

  const origins = h('input', {
    name: 'ci',
    value: cis.join(', '),
    placeholder: 'CI ids, comma separated',
    size: 40,
    'aria-label': 'origin CIs',
  });
  const modeSel = h(
    'select',
    { name: 'mode', 'aria-label': 'effect' },
    h('option', { value: 'down', selected: mode === 'down' }, 'go down'),
    h('option', { value: 'degraded', selected: mode === 'degraded' }, 'are degraded'),
  );
  const depthIn = h('input', {
    name: 'depth',
    type: 'number',
    min: '0',
    value: depth ?? '',
    placeholder: 'any',
    size: 4,
    'aria-label': 'max depth',
  });
  const typesIn = h('input', {
    name: 'types',
    value: types,
    placeholder: 'all propagating types',
    size: 24,
    'aria-label': 'relationship types (comma separated)',
  });
  const envSel = h(
    'select',
    { name: 'env', 'aria-label': 'environment' },
    ...['', 'production', 'staging', 'test', 'development'].map((e) =>
      h('option', { value: e, selected: e === env }, e || 'all environments'),
    ),
  );
  const form = h(
    'form',
    { class: 'query', role: 'search' },
    h('label', {}, 'If ', origins),
    h('label', {}, ' ', modeSel),
    h('label', {}, ' depth ≤ ', depthIn),
    h('label', {}, ' types ', typesIn),
    h('label', {}, ' ', envSel),
    h('button', { type: 'submit' }, 'Show impact'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    ctx.session.lastImpact = null; // asking again means asking the API again
    const q = new URLSearchParams();
    for (const c of origins.value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean))
      q.append('ci', c);
    if (modeSel.value === 'degraded') q.set('mode', 'degraded');
    if (depthIn.value) q.set('depth', depthIn.value);
    if (typesIn.value.trim()) q.set('types', typesIn.value.replace(/\s+/g, ''));
    if (envSel.value) q.set('env', envSel.value);
    ctx.navigate(`/impact?${q}`);
  });
  const body = h('div', { class: 'map-host' });
  clear(ctx.root);
  append(ctx.root, [
    h('h1', {}, cis.length ? `Impact: ${cis.join(', ')} ${mode === 'down' ? 'down' : 'degraded'}` : 'Impact map'),
    form,
    body,
  ]);
  if (req === null) {
    append(body, [h('p', { class: 'muted' }, 'Name one or more CIs, e.g. both PDUs of a rack: pdu-east-b3-a, pdu-east-b3-b.')]);
    return;
  }
  append(body, [h('p', { class: 'muted' }, 'Asking the API…')]);
  // Changing only what is drawn (grouping, expanded groups, filters, selection) re-renders from the
  // answer already held; a different question asks the API again.
  const key = impactKey(req);
  const held = ctx.session.heldImpact(key);
  const answer = held ?? (await ctx.session.takeImpact(key, () => ctx.session.api.impact(req)));
  if (held === undefined) ctx.session.lastImpact = { key, answer, at: Date.now() };
  performance.mark('cmdb:answer');
  await mountMapPanel(ctx, body, answer, { name: `impact-${cis.join('+')}` });
  document.title = `Impact ${cis.join(', ')} — graph-cmdb`;
}
