/**
 * No module-level mutable state in engine/ or api/ (STYLE.md #17): a cache, a registry or a toggle
 * lives on the instance that owns it. This scans every module's top-level declarations with the
 * TypeScript parser and refuses `let`/`var`, and `const`s initialised to an empty container
 * (`new Map()`, `new WeakMap()`, `new Set()`, `new WeakSet()`, `[]`, `{}`) — a container that starts
 * empty is only useful if something fills it at run time. Lookup tables built from literals
 * (`new Set(['a', 'b'])`, `{ ms: 1 }`) and `readonly`-typed constants pass. Whatever else holds
 * state (a class's static field, a mutated object literal) is left to review: catching it would
 * need type information and make the check brittle (docs/decisions.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Known and justified, `path:name` (docs/decisions.md, "Engine floors … module state"). An entry
 * that no longer matches is harmless, so a branch removing one does not break another's merge.
 */
const ALLOWED = new Set([
  // A worker thread's entry module: its module scope is the one worker's state, created per thread.
  'engine/store/sqlite-scan-worker.ts:db',
  'engine/store/sqlite-scan-worker.ts:stmt',
  'engine/store/sqlite-scan-worker.ts:credits',
  'engine/store/sqlite-scan-worker.ts:after',
  'engine/store/sqlite-scan-worker.ts:done',
]);

const CONTAINERS = new Set(['Map', 'WeakMap', 'Set', 'WeakSet']);

function emptyContainer(init: ts.Expression): boolean {
  if (ts.isNewExpression(init) && ts.isIdentifier(init.expression) && CONTAINERS.has(init.expression.text))
    return (init.arguments?.length ?? 0) === 0;
  if (ts.isArrayLiteralExpression(init)) return init.elements.length === 0;
  if (ts.isObjectLiteralExpression(init)) return init.properties.length === 0;
  return false;
}

/** `name (why)` for each top-level declaration of `source` that holds mutable state. */
export function moduleState(fileName: string, source: string): string[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    for (const d of list.declarations) {
      const name = d.name.getText(sf);
      if (!isConst) found.push(`${name} (let/var)`);
      else if (d.initializer && emptyContainer(d.initializer) && !(d.type && /^readonly\b|^Readonly/.test(d.type.getText(sf))))
        found.push(`${name} (starts empty)`);
    }
  }
  return found;
}

function* tsFiles(dir: string): Generator<string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* tsFiles(p);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

describe('module-level state', () => {
  it('finds none in engine/ or api/ beyond the justified allow-list', () => {
    const offenders: string[] = [];
    for (const dir of ['engine', 'api'])
      for (const file of tsFiles(join(root, dir))) {
        const path = relative(root, file).split('\\').join('/');
        for (const hit of moduleState(path, readFileSync(file, 'utf8')))
          if (!ALLOWED.has(`${path}:${hit.slice(0, hit.indexOf(' '))}`)) offenders.push(`${path}: ${hit}`);
      }
    expect(offenders).toEqual([]);
  });

  it('reports a module-level cache, counter or registry, and lets lookup tables and immutable constants pass', () => {
    const source = [
      'const cache = new WeakMap<object, number>();',
      'let counter = 0;',
      'export var legacy = 1;',
      'const seen: string[] = [];',
      'const byId: Record<string, number> = {};',
      "const KINDS = new Set(['a', 'b']);",
      'const UNIT: Record<string, number> = { ms: 1 };',
      'const NONE: readonly string[] = [];',
      'const LIMIT = 10;',
      'function f() { let local = new Map(); return local; }',
      'export class C { private readonly memo = new Map(); }',
    ].join('\n');
    expect(moduleState('x.ts', source)).toEqual([
      'cache (starts empty)',
      'counter (let/var)',
      'legacy (let/var)',
      'seen (starts empty)',
      'byId (starts empty)',
    ]);
  });
});
