/**
 * JSON Merge Patch (RFC 7396), pure: an object in the patch merges key by key into the target
 * (recursively), `null` removes the key, anything else — arrays included — replaces. Used by every
 * PATCH route so that `{"attributes": {"ip": "10.0.0.9"}}` changes one attribute and keeps the rest.
 */

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The patched copy of `target`; neither argument is modified. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = {};
  // Own data properties only: a key named "__proto__" in client JSON stays a plain key, never a prototype.
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  if (isObject(target)) for (const [k, v] of Object.entries(target)) put(k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else put(k, mergePatch(out[k], v));
  }
  return out;
}
