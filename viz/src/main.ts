/**
 * The shell: resolves who is logged in, draws the header (navigation, CI search, user), and routes
 * history-API URLs to views loaded on demand — /impact, /changes/ID, /cis[/ID], /correlation,
 * /audit, /login. Links marked `data-nav` navigate without reloading. Keyboard: `/` focuses the
 * search, arrows or Tab move through results, Enter opens, Escape closes.
 */
import { ApiError, describeError } from './api.ts';
import type { ViewContext } from './context.ts';
import { append, clear, h, link } from './dom.ts';
import { impactKey, impactQueryOf } from './impact-request.ts';
import { searchCis } from './search.ts';
import { Session } from './session.ts';

type View = { render(ctx: ViewContext): Promise<void> };
const VIEWS: Record<string, () => Promise<View>> = {
  impact: () => import('./views/impact.ts'),
  changes: () => import('./views/change.ts'),
  cis: () => import('./views/explorer.ts'),
  correlation: () => import('./views/correlation.ts'),
  audit: () => import('./views/audit.ts'),
};

const session = new Session(sessionStorage);
const main = document.getElementById('view')!;
const header = document.getElementById('top')!;
const leave: (() => void)[] = [];

function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  void route();
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-nav]');
  if (!a || e.defaultPrevented || (e as MouseEvent).button !== 0 || (e as MouseEvent).metaKey || (e as MouseEvent).ctrlKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
});
window.addEventListener('popstate', () => void route());

function drawHeader(): void {
  clear(header);
  const me = session.me;
  const input = h('input', {
    type: 'search',
    id: 'ci-search',
    placeholder: 'Search CIs (press /)',
    'aria-label': 'search CIs',
    autocomplete: 'off',
  });
  const results = h('ul', { id: 'ci-search-results', class: 'popup', role: 'listbox', hidden: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const close = () => {
    results.hidden = true;
    clear(results);
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = input.value;
      const items = await searchCis(session.api, text, 12).catch(() => []);
      if (input.value !== text) return;
      clear(results);
      for (const ci of items)
        append(results, [
          h(
            'li',
            { role: 'option' },
            link(
              `/cis/${encodeURIComponent(ci.id)}`,
              ci.name,
              h('span', { class: 'muted' }, ` ${ci.id} · ${ci.class} · ${ci.owner ?? ''}`),
            ),
          ),
        ]);
      if (items.length === 0 && text.trim()) append(results, [h('li', { class: 'muted' }, 'no CI matches')]);
      results.hidden = !text.trim();
      results.setAttribute('data-query', text);
    }, 150);
  });
  const search = h('div', { class: 'search' }, input, results);
  search.addEventListener('keydown', (e) => {
    const links = Array.from(results.querySelectorAll('a'));
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (e.key === 'Escape') {
      close();
      input.blur();
    } else if (e.key === 'ArrowDown' && links.length) {
      e.preventDefault();
      links[Math.min(at + 1, links.length - 1)]!.focus();
    } else if (e.key === 'ArrowUp' && links.length) {
      e.preventDefault();
      if (at <= 0) input.focus();
      else links[at - 1]!.focus();
    } else if (e.key === 'Enter' && document.activeElement === input && links[0]) {
      e.preventDefault();
      links[0].click();
    }
  });
  results.addEventListener('click', () => setTimeout(close, 0));
  append(header, [
    link('/', h('strong', {}, 'graph-cmdb')),
    h('nav', {}, link('/impact', 'Impact'), link('/cis', 'Explorer'), link('/correlation', 'Correlation'), link('/audit', 'Audit')),
    search,
    me
      ? h(
          'span',
          { class: 'user', 'data-role': me.role },
          `${me.name} (${me.role})`,
          me.auth
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () => {
                    session.logout();
                    navigate('/login');
                  },
                },
                'Log out',
              )
            : h('span', { class: 'warn' }, ' auth off'),
        )
      : null,
  ]);
}

document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName)) {
    e.preventDefault();
    document.getElementById('ci-search')?.focus();
  }
});

function loginView(next: string): void {
  clear(main);
  const token = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    size: 50,
    'aria-label': 'API token',
    placeholder: 'cmdb_…',
  });
  const msg = h('p', { role: 'alert', class: 'error' });
  const form = h(
    'form',
    { class: 'login' },
    h('h1', {}, 'Log in'),
    h('p', {}, 'Paste an API token (', h('code', {}, 'cmdb token create --role cab_member --name you'), '). It is kept in this tab only.'),
    token,
    h('button', { type: 'submit' }, 'Log in'),
    msg,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await session.login(token.value);
      navigate(next && next !== '/login' ? next : '/', true);
    } catch (err) {
      msg.textContent = err instanceof ApiError ? `${err.message}` : String(err);
    }
  });
  append(main, [form]);
  token.focus();
}

function home(): void {
  clear(main);
  append(main, [
    h('h1', {}, 'graph-cmdb'),
    h(
      'ul',
      { class: 'home' },
      h('li', {}, link('/impact?ci=pdu-east-b3-a&ci=pdu-east-b3-b', 'Impact map'), ' — what goes down when CIs fail'),
      h('li', {}, link('/cis', 'Explorer'), ' — a CI, its neighbourhood, dependencies and single points of failure'),
      h('li', {}, link('/correlation', 'Correlation'), ' — open incidents and their likely common cause'),
      h('li', {}, link('/audit', 'Audit'), ' — configuration verification'),
    ),
    h('p', { class: 'muted' }, 'A change review opens at /changes/CHANGE-ID.'),
  ]);
}

async function route(): Promise<void> {
  for (const fn of leave.splice(0)) fn();
  const parts = location.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [name = '', ...rest] = parts;
  if (name === 'login') {
    drawHeader();
    loginView(new URLSearchParams(location.search).get('next') ?? '/');
    return;
  }
  // Fetch the view's chunk while /me is asked, not after: both are on the first render's path.
  const loading = VIEWS[name]?.();
  loading?.catch(() => undefined);
  // Likewise the impact answer: the map's first render waits on it, not on who the caller is.
  if (name === 'impact') {
    const { request } = impactQueryOf(new URLSearchParams(location.search));
    if (request !== null) session.prefetchImpact(impactKey(request), () => session.api.impact(request));
  }
  if (!session.me && !(await session.resume())) {
    navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
    return;
  }
  drawHeader();
  document.title = 'graph-cmdb';
  if (!name) return home();
  if (!loading) {
    clear(main);
    append(main, [h('h1', {}, 'Not found'), h('p', {}, `No view at ${location.pathname}.`)]);
    return;
  }
  const ctx: ViewContext = {
    session,
    root: main,
    rest,
    params: new URLSearchParams(location.search),
    replaceParams: (p) => navigate(`${location.pathname}?${p}`, true),
    navigate: (url) => navigate(url),
    onLeave: (fn) => leave.push(fn),
  };
  try {
    await (await loading).render(ctx);
  } catch (err) {
    clear(main);
    if (err instanceof ApiError && err.status === 401) {
      session.logout();
      navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, true);
      return;
    }
    append(main, [h('h1', {}, 'Could not load this view'), h('p', { role: 'alert', class: 'error' }, describeError(err))]);
  }
}

void route();
