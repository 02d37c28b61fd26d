/**
 * `/changes/ID`: the change review a CAB member reads before voting — what the change is, its
 * impact map (the blast radius the API assessed), the risk level with every factor and its
 * evidence, conflicts, freeze windows, approvals against the quorum, and approve / reject buttons
 * for roles allowed to vote (shown by permission; the change service decides who may vote).
 */
import { describeError, type Change } from '../api.ts';
import type { ViewContext } from '../context.ts';
import { append, clear, dl, h, link } from '../dom.ts';
import { contextOf } from '../impact-model.ts';
import { mountMapPanel } from '../map-panel.ts';

function evidenceText(e: Record<string, unknown>): string {
  return Object.entries(e)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export async function render(ctx: ViewContext): Promise<void> {
  const id = ctx.rest[0] ?? '';
  const api = ctx.session.api;
  clear(ctx.root);
  append(ctx.root, [h('p', { class: 'muted' }, `Loading change ${id}…`)]);
  const [change, assessed, conflicts] = await Promise.all([api.change(id), api.assessment(id), api.conflicts(id)]);
  const a = assessed.assessment;
  clear(ctx.root);
  document.title = `${change.id} ${change.title} — graph-cmdb`;

  const header = h(
    'section',
    { class: 'change-head' },
    h('h1', {}, `${change.id}: ${change.title}`),
    dl([
      ['state', change.state],
      ['type', change.type],
      ['window', change.window ? `${change.window.start} → ${change.window.end}` : 'none'],
      ['requester', change.requester],
      ['targets', change.targets.map((t) => `${t.ci} (${t.effect})`).join(', ')],
    ]),
  );

  const risk = h(
    'section',
    { class: 'risk', 'aria-label': 'risk' },
    h(
      'h2',
      {},
      'Risk ',
      h('span', { class: `level level-${a.risk.level}`, 'data-risk-level': a.risk.level }, a.risk.level.toUpperCase()),
      ` score ${a.risk.score}`,
    ),
    h(
      'p',
      { class: 'muted' },
      `assessed on graph seq ${a.seq} at ${a.computedAt}${a.risk.policyVersion ? `, policy ${a.risk.policyVersion}` : ''}`,
    ),
    h(
      'table',
      { class: 'factors' },
      h('thead', {}, h('tr', {}, h('th', {}, 'factor'), h('th', {}, 'points'), h('th', {}, 'evidence'))),
      h(
        'tbody',
        {},
        ...a.risk.factors.map((f) =>
          h(
            'tr',
            { 'data-factor': f.id, class: f.points > 0 ? '' : 'zero' },
            h('td', {}, f.label),
            h('td', { class: 'num' }, String(f.points)),
            h('td', {}, f.evidence.length === 0 ? '—' : h('ul', {}, ...f.evidence.map((e) => h('li', {}, evidenceText(e))))),
          ),
        ),
      ),
    ),
  );

  const conflictList =
    conflicts.conflicts.length === 0
      ? h('p', {}, 'No conflicting changes.')
      : h('ul', {}, ...conflicts.conflicts.map((c) => h('li', {}, evidenceText(c))));
  const freezes =
    a.freezes.length === 0
      ? h('p', {}, 'Outside every freeze window.')
      : h('ul', {}, ...a.freezes.map((f) => h('li', {}, evidenceText(f))));

  // ---- approvals and quorum
  const approvalsBox = h('section', { class: 'approvals', 'aria-label': 'approvals' });
  const drawApprovals = (c: Change) => {
    clear(approvalsBox);
    const quorum = a.approvalsRequired.map((r) => {
      const got = c.approvals.filter((v) => v.role === r.role && v.decision === 'approve').length;
      return h('li', { 'data-quorum': r.role }, `${r.role}: ${got} of ${r.count} approvals${got >= r.count ? ' ✓ met' : ''}`);
    });
    append(approvalsBox, [
      h('h2', {}, 'Approvals and quorum'),
      h('ul', {}, ...quorum),
      c.approvals.length === 0
        ? h('p', { class: 'muted' }, 'No votes yet.')
        : h(
            'ul',
            { class: 'votes' },
            ...c.approvals.map((v) =>
              h(
                'li',
                {},
                `${v.by} (${v.role}) ${v.decision === 'approve' ? 'approved' : 'rejected'} at ${v.at}${v.reason ? ` — ${v.reason}` : ''}`,
              ),
            ),
          ),
    ]);
    // Vote buttons for the roles the policy asks at this risk level (approvalsRequired); the API decides.
    const voter = ctx.session.can('changes:approve') && a.approvalsRequired.some((r) => r.role === ctx.session.me?.role);
    const mine = c.approvals.find((v) => v.by === ctx.session.me?.name);
    if (mine) {
      append(approvalsBox, [h('p', { 'data-my-vote': mine.decision }, `You voted: ${mine.decision}.`)]);
    } else if (voter && c.state === 'cab_review') {
      const reason = h('input', { name: 'reason', placeholder: 'reason (required to reject)', size: 40, 'aria-label': 'reason' });
      const msg = h('p', { role: 'alert', class: 'error' });
      const vote = async (decision: 'approve' | 'reject') => {
        msg.textContent = '';
        try {
          const updated = await ctx.session.api.vote(c.id, c.version, { decision, reason: reason.value });
          drawApprovals(updated);
        } catch (err) {
          msg.textContent = describeError(err);
        }
      };
      append(approvalsBox, [
        h(
          'div',
          { class: 'vote' },
          reason,
          h('button', { type: 'button', 'data-vote': 'approve', onclick: () => void vote('approve') }, 'Approve'),
          h('button', { type: 'button', 'data-vote': 'reject', onclick: () => void vote('reject') }, 'Reject'),
        ),
        msg,
      ]);
    } else if (c.state !== 'cab_review') {
      append(approvalsBox, [h('p', { class: 'muted' }, `Voting is open in cab_review; this change is ${c.state}.`)]);
    }
  };
  drawApprovals(change);

  const mapHost = h('div', { class: 'map-host' });
  append(ctx.root, [
    header,
    approvalsBox,
    risk,
    h(
      'div',
      { class: 'cols even' },
      h('section', {}, h('h2', {}, 'Conflicts'), conflictList),
      h('section', {}, h('h2', {}, 'Freeze windows'), freezes),
    ),
    h(
      'section',
      {},
      h('h2', {}, 'Impact map'),
      h(
        'p',
        {},
        'What the targets take down, as assessed; ',
        link(
          `/impact?${change.targets
            .filter((t) => t.effect !== 'none')
            .map((t) => `ci=${encodeURIComponent(t.ci)}`)
            .join('&')}`,
          'open as an impact map',
        ),
      ),
      mapHost,
    ),
  ]);
  // The stored blast radius carries no grouping context; the same question asked again with
  // `context: true` gives each CI's location and services (the server's answer, never the page's).
  const impactOrigins = change.targets.flatMap((t) => (t.effect === 'none' ? [] : [{ ci: t.ci, effect: t.effect }]));
  await mountMapPanel(ctx, mapHost, a.blastRadius, {
    name: `change-${change.id}`,
    context: async () => contextOf(await ctx.session.api.impact({ origins: impactOrigins, context: true })) ?? new Map(),
  });
}
