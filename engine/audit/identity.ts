/**
 * Identification keys (registry `identificationKeys`): which attributes name one real-world thing.
 * Used by the duplicate rule and by reconciliation so both match CIs the same way.
 *
 * A class lists alternative keys, strongest first (`[["serialNumber"], ["hostname"]]`); a CI is
 * identified by the first key it has every value of — two servers with different serial numbers
 * are two machines even if a hostname was reused. Keys compare within a class family (the class's
 * ancestor just below the root): a Hypervisor and a Server with one serial number are one box.
 */
import type { CI } from '../model/ci.ts';
import type { Registry } from '../model/registry.ts';

export interface Identity {
  family: string;
  key: readonly string[];
  values: readonly string[];
  /** `family|key=value|…`, for maps. */
  text: string;
}

/** The class's ancestor just below the root (itself for a top-level class). */
export function classFamily(registry: Registry, cls: string): string {
  let c = cls;
  for (;;) {
    const parent = registry.classDef(c)?.parent;
    if (parent === undefined || registry.classDef(parent)?.parent === undefined) return c;
    c = parent;
  }
}

/** The CI's identity, or undefined when it has no complete key (it then matches nothing). */
export function identify(ci: Pick<CI, 'class' | 'name' | 'attributes'>, registry: Registry, family = classFamily(registry, ci.class)): Identity | undefined {
  const keys = registry.classDef(ci.class)?.identificationKeys ?? [['name']];
  for (const key of keys) {
    const values: string[] = [];
    for (const k of key) {
      const v = k === 'name' ? ci.name : ci.attributes[k];
      if (v === undefined || v === null || v === '') break;
      // Identifiers are compared case-insensitively and trimmed: discovery tools disagree on case.
      values.push(String(v).trim().toLowerCase());
    }
    if (values.length === key.length) return { family, key, values, text: `${family}|${key.map((k, i) => `${k}=${values[i]}`).join('|')}` };
  }
  return undefined;
}
