/**
 * Finding network addresses in configuration values (environment variables, ConfigMap entries,
 * container arguments) and resolving them to Kubernetes Services. Pure string work, owned here so
 * the Kubernetes converter stays about objects and edges.
 *
 * What counts as an address (a value's tokens, split on whitespace, commas and semicolons, each
 * with an optional `key=` prefix as in `host=orders-db port=5432`):
 * - a URL with a host: `postgres://user:pw@orders-db:5432/orders`, `jdbc:mysql://db/x`;
 * - `host:port`: `redis:6379`, `kafka-0.kafka.data.svc:9092`;
 * - a cluster DNS name: `name.namespace.svc[.cluster.local]`, or a pod of a headless Service
 *   `pod.name.namespace.svc…`;
 * - a bare or dotted host name (`orders-db`, `orders-db.shop`, `api.stripe.com`) only when the key
 *   says it holds an address (`…HOST`, `…_URL`, `spring.redis.host` …): otherwise `LOG_LEVEL=info`
 *   or `VERSION=v1.2` would become dependencies.
 * A bracketed URL host is an IPv6 literal (RFC 3986): a real IPv6 address is read like an IPv4
 * one, reported bracket-free in its canonical spelling; anything else in brackets (`[orders-db]`)
 * is not an address. Loopback and wildcard hosts are ignored, and a placeholder filled in at run
 * time (`$(NAME)`, `${NAME}`) is never read as a host or part of one: what it names is not known
 * here (a URL whose credentials are placeholders still names its literal host). Multi-line values
 * (mounted files) are scanned for URLs, `host:port` and cluster DNS names only.
 */

export interface Address {
  /** The token as written, for reports. */
  text: string;
  host: string;
  port?: number;
}

const KEY_SAYS_ADDRESS =
  /(host|hostname|addr|address|server|servers|service|endpoint|endpoints|url|uri|dsn|broker|brokers|upstream|backend)$/i;
const URL_TOKEN = /^([a-z][a-z0-9+.-]*(?::[a-z][a-z0-9+.-]*)*):\/\/(?:[^@/?#]*@)?(\[[^\]]+\]|[^:/?#@]+)(?::(\d{1,5}))?/i;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i;
const HOST_PORT = /^([a-z0-9][a-z0-9.-]*):(\d{1,5})$/i;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
// A Kubernetes dependent variable (`$(NAME)`, filled in by the kubelet). Its escape `$$(NAME)`
// (the literal text) is matched too: neither is an address.
const PLACEHOLDER = /\$\(([^()\s]*)\)/g;
// IPv6 hosts are canonical here (ipv6 below), so one spelling of each is enough.
const IGNORED_HOSTS = new Set(['localhost', '127.0.0.1', '0.0.0.0', '::1', '::']);

export function keySaysAddress(key: string): boolean {
  return KEY_SAYS_ADDRESS.test(key.replace(/[^A-Za-z0-9]+$/, ''));
}

function isClusterName(host: string): boolean {
  return host.split('.').indexOf('svc') >= 2;
}

function hostLike(host: string): boolean {
  return HOST.test(host) && (/[a-z]/i.test(host) || IPV4.test(host));
}

/**
 * The IPv6 address inside a URL's brackets in its canonical spelling (lower case, zeros
 * compressed), or undefined when it is not one. The WHATWG URL parser both validates and
 * canonicalises, so `[0:0::1]` and `[::1]` are one host (and one loopback).
 */
function ipv6(literal: string): string | undefined {
  const url = `http://[${literal}]/`;
  return URL.canParse(url) ? new URL(url).hostname.slice(1, -1) : undefined;
}

function parseToken(token: string, keyIsAddress: boolean, strict: boolean): Address | undefined {
  const url = URL_TOKEN.exec(token);
  if (url) {
    const written = url[2]!;
    const host = written.startsWith('[') ? ipv6(written.slice(1, -1)) : hostLike(written) ? written.toLowerCase() : undefined;
    if (host === undefined) return undefined;
    return url[3] ? { text: token, host, port: Number(url[3]) } : { text: token, host };
  }
  const hp = HOST_PORT.exec(token);
  if (hp && hostLike(hp[1]!)) return { text: token, host: hp[1]!.toLowerCase(), port: Number(hp[2]) };
  if (!HOST.test(token) || !hostLike(token)) return undefined;
  const host = token.toLowerCase();
  if (isClusterName(host)) return { text: token, host };
  if (!strict && keyIsAddress) return { text: token, host };
  return undefined;
}

/**
 * The addresses in one configuration value. `key` is the variable or entry name that holds it.
 */
export function addressesIn(key: string, value: string): Address[] {
  const multiLine = value.includes('\n');
  const out: Address[] = [];
  // Kubernetes' `$(NAME)` is rewritten as `${NAME}` before the split: the split cuts on brackets,
  // which would leave the bare `NAME` to be read as a host. `${NAME}` stays whole and, holding `$`
  // and braces, is never host-like (nor is a host name with a placeholder inside it).
  const text = value.replace(PLACEHOLDER, '$${$1}');
  // Stryker disable next-line Regex: equivalent: without the `+`, the extra empty tokens match nothing
  for (const raw of text.split(/[\s,;"'()<>]+/)) {
    let token = raw;
    let tokenKey = key;
    const eq = raw.indexOf('=');
    if (eq > 0 && !raw.slice(0, eq).includes('://')) {
      tokenKey = raw.slice(0, eq);
      token = raw.slice(eq + 1);
    }
    const address = parseToken(token, keySaysAddress(tokenKey), multiLine);
    if (address && !IGNORED_HOSTS.has(address.host)) out.push(address);
  }
  return out;
}

/**
 * Which Service (name, namespace) a host names, seen from `namespace`, or undefined when it is
 * not a cluster name. `name.other` (two labels) is returned as a guess the caller checks against
 * the Services it knows: it may as well be an outside domain.
 */
export function serviceOf(host: string, namespace: string): { name: string; namespace: string; certain: boolean } | undefined {
  const parts = host.split('.');
  const svc = parts.indexOf('svc');
  if (svc >= 2) return { name: parts[svc - 2]!, namespace: parts[svc - 1]!, certain: true };
  if (parts.length === 1) return { name: parts[0]!, namespace, certain: true };
  if (parts.length === 2) return { name: parts[0]!, namespace: parts[1]!, certain: false };
  return undefined;
}
