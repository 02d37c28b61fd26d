/**
 * The one way the UI builds DOM: `h(tag, attrs, ...children)`. Strings always become text nodes,
 * so text from the CMDB (names, attributes, evidence) is rendered as text and never parsed as
 * HTML — there is no innerHTML anywhere in viz/ (a browser test renders a CI named
 * `<img src=x onerror=alert(1)>` to prove it).
 */
export type Child = Node | string | number | null | undefined | false;
type Attr = string | number | boolean | undefined | null | EventListener;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, Attr> = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, '').toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

/** A link that the router handles without reloading the page. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href, 'data-nav': true }, ...children);
}

/** `key: value` rows of a definition list, values as text (objects as compact JSON text). */
export function dl(entries: [string, unknown][]): HTMLDListElement {
  const out = h('dl', { class: 'kv' });
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    append(out, [h('dt', {}, k), h('dd', {}, typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v))]);
  }
  return out;
}

/** Saves a Blob under a file name (export buttons). */
export function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** An SVG element (sparklines): attributes as given, text children as text nodes like `h`. */
export function svg(tag: string, attrs: Record<string, string | number> = {}, ...children: (Child | Child[])[]): SVGElement {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  append(el, children);
  return el;
}
