/**
 * `/audit`: placeholder. The audit API (findings by rule, health scores) is being built in
 * another issue; this view says so instead of guessing its shape.
 */
import type { ViewContext } from '../context.ts';
import { append, clear, h, link } from '../dom.ts';

export async function render(ctx: ViewContext): Promise<void> {
  clear(ctx.root);
  append(ctx.root, [
    h('h1', {}, 'Audit'),
    h(
      'p',
      { 'data-placeholder': 'audit' },
      'The audit report (findings by rule, each jumping to the CI on the map; health scores and their trend) will appear here once the audit API is available on this server.',
    ),
    h('p', {}, 'Meanwhile: ', link('/cis', 'explore CIs'), ' and their single points of failure.'),
  ]);
}
