/** CI → location from the stored LOCATED_IN relationships (for grouping a map by location). */
import type { Api } from './api.ts';

export async function loadLocations(api: Api): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await api.relationships({ type: 'LOCATED_IN', limit: 1000, cursor });
    for (const r of res.items) out.set(r.from, r.to);
    if (!res.next) break;
    cursor = res.next;
  }
  return out;
}
