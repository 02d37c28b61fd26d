/**
 * CI search by id, name, class or owner: an exact id lookup plus the list API's filters
 * (`q` = name substring, `class`, `owner`), merged in that order and de-duplicated.
 */
import { ApiError, type Api, type CI } from './api.ts';

export async function searchCis(api: Api, text: string, limit = 20): Promise<CI[]> {
  const t = text.trim();
  if (!t) return [];
  const ignore404 = <T>(p: Promise<T>): Promise<T | null> =>
    p.catch((e: unknown) => (e instanceof ApiError && (e.status === 404 || e.status === 400) ? null : Promise.reject(e)));
  const [exact, byName, byClass, byOwner] = await Promise.all([
    ignore404(api.getCi(t)),
    ignore404(api.listCis({ q: t, limit })),
    /^[A-Z][A-Za-z0-9]*$/.test(t) ? ignore404(api.listCis({ class: t, limit })) : Promise.resolve(null),
    ignore404(api.listCis({ owner: t, limit })),
  ]);
  const out = new Map<string, CI>();
  for (const ci of [exact, ...(byName?.items ?? []), ...(byClass?.items ?? []), ...(byOwner?.items ?? [])])
    if (ci && !out.has(ci.id)) out.set(ci.id, ci);
  return [...out.values()].slice(0, limit);
}
