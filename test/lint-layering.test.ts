/**
 * The layering rules in eslint.config.js (docs/decisions.md, "Layering") catch what they promise:
 * each deliberately wrong import below is linted with the repository's own configuration, as placed
 * at a path in the tree, and must be reported by the rule that owns it; the allowed imports next to
 * them must not be. `npm run lint` runs the same configuration over the real tree in CI.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

/** The layering/cycle rule ids reported for `code` placed at `path` (relative to the repo root). */
async function violations(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages.map((m) => m.ruleId ?? m.message).filter((id) => id.startsWith('import-x/') || !id.includes('/'));
}

describe('layering rules', () => {
  it('refuse an algorithm importing a store, the Cmdb facade, a record service or its barrel', async () => {
    const cases: [string, string][] = [
      ['engine/impact/wrong.ts', "import type { GraphStore } from '../store/port.ts';\nexport type S = GraphStore;\n"],
      ['engine/impact/wrong.ts', "import type { Cmdb } from '../cmdb.ts';\nexport type C = Cmdb;\n"],
      ['engine/correlation/wrong.ts', "import { IncidentService } from '../incidents/service.ts';\nexport const s = IncidentService;\n"],
      ['engine/correlation/wrong.ts', "import { listAll } from '../incidents/records.ts';\nexport const l = listAll;\n"],
      ['engine/audit/wrong.ts', "import * as changes from '../changes/index.ts';\nexport const c = changes;\n"],
    ];
    for (const [path, code] of cases) expect(await violations(path, code), `${path}: ${code}`).toEqual(['import-x/no-restricted-paths']);
  });

  it('let an algorithm import the index, the mirror types, the model and the errors', async () => {
    const code = [
      "import { blastRadius, type ImpactIndex } from '../impact/index.ts';",
      "import type { GraphView } from '../mirror/types.ts';",
      "import type { Registry } from '../model/registry.ts';",
      "import { InputError } from '../errors.ts';",
      'export const all = [blastRadius, InputError];',
      'export type T = [ImpactIndex, GraphView, Registry];',
      '',
    ].join('\n');
    expect(await violations('engine/audit/rule.ts', code)).toEqual([]);
  });

  it('refuse engine/correlation reaching the store side: CorrelationService lints clean in engine/incidents, not in correlation/ (issue 13)', async () => {
    const code = readFileSync(join(root, 'engine/incidents/correlation-service.ts'), 'utf8');
    expect(await violations('engine/incidents/correlation-service.ts', code)).toEqual([]);
    const reaching =
      "import type { Cmdb } from '../cmdb.ts';\nimport { listAll } from '../incidents/records.ts';\nexport type T = [Cmdb, typeof listAll];\n";
    expect(new Set(await violations('engine/correlation/service.ts', reaching))).toEqual(new Set(['import-x/no-restricted-paths']));
  });

  it('refuse the engine importing the app (api/ or viz/)', async () => {
    expect(
      await violations('engine/changes/wrong.ts', "import { createApp } from '../../api/app.ts';\nexport const a = createApp;\n"),
    ).toEqual(['import-x/no-restricted-paths']);
  });

  it('refuse engine/model importing anything else of the engine but errors.ts', async () => {
    expect(
      await violations('engine/model/wrong.ts', "import type { GraphView } from '../mirror/types.ts';\nexport type G = GraphView;\n"),
    ).toEqual(['import-x/no-restricted-paths']);
    expect(
      await violations(
        'engine/model/fine.ts',
        "import { InputError } from '../errors.ts';\nimport { ClassId } from './ci.ts';\nexport const x = [InputError, ClassId];\n",
      ),
    ).toEqual([]);
  });

  describe('import cycles', () => {
    // Two real files that import each other (no-cycle follows imports on disk), in a folder the
    // lint of the tree ignores, removed afterwards.
    const dir = join(root, 'test', `.lint-fixtures-${process.pid}`);
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('are refused, runtime imports only', async () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a.ts'), "import { b } from './b.ts';\nexport const a = () => b;\n");
      writeFileSync(join(dir, 'b.ts'), "import { a } from './a.ts';\nexport const b = () => a;\n");
      writeFileSync(join(dir, 'c.ts'), "import type { d } from './d.ts';\nexport const c = 1;\nexport type C = typeof d;\n");
      writeFileSync(join(dir, 'd.ts'), "import { c } from './c.ts';\nexport const d = c;\n");
      const unignored = new ESLint({ cwd: root, ignore: false });
      const results = await unignored.lintFiles([join(dir, '*.ts')]);
      const cycles = Object.fromEntries(
        results.map((r) => [r.filePath.slice(dir.length + 1), r.messages.filter((m) => m.ruleId === 'import-x/no-cycle').length]),
      );
      expect(cycles).toEqual({ 'a.ts': 1, 'b.ts': 1, 'c.ts': 0, 'd.ts': 0 });
    });
  });
});
