/**
 * CI search by id, name, class or owner, through the list API's filters only — `id` (exact),
 * `idPrefix`, `q` (name substring), `class`, `owner` — merged in that order and de-duplicated. No
 * `GET /cis/{text}` probe: a miss is an empty page, so a search never logs a 404.
 */
import type { Api, CI } from './api.ts';

export async function searchCis(api: Api, text: string, limit = 20): Promise<CI[]> {
  const t = text.trim();
  if (!t) return [];
  const empty = Promise.resolve({ items: [] as CI[] });
  const lists = await Promise.all([
    // an exact id is also the first id with that prefix (ids sort by code unit), so one request covers both
    api.listCis({ idPrefix: t, limit }),
    api.listCis({ q: t, limit }),
    /^[A-Z][A-Za-z0-9]*$/.test(t) ? api.listCis({ class: t, limit }) : empty,
    api.listCis({ owner: t, limit }),
  ]);
  const out = new Map<string, CI>();
  for (const ci of lists.flatMap((l) => l.items)) if (!out.has(ci.id)) out.set(ci.id, ci);
  return [...out.values()].slice(0, limit);
}
