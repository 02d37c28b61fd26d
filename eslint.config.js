// Lint rules: typescript-eslint's recommended set over the TypeScript sources, plus the engine's
// layering (docs/decisions.md, "Layering"), checked on every `npm run lint` and so in CI.
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Algorithm folders: pure functions over the index they are handed (STYLE.md #1). */
const ALGORITHMS = ['./engine/impact/**', './engine/correlation/**', './engine/audit/**'];
/** What an algorithm must never reach: the stores, the record layer and record services (with their barrels), and the Cmdb facade. */
const STATEFUL = [
  './engine/store/**',
  './engine/records/**',
  './engine/{changes,incidents,knowledge,problems,releases,sla}/{service,records,index}.ts',
];
const FACADE = './engine/cmdb.ts';
const PURE = 'Algorithms read only the index they are handed: no store, cmdb.ts, record layer or record service.';

const engineNeverImportsApp = {
  target: './engine',
  from: ['./api', './viz'],
  message: 'engine/ never imports api/ or viz/: the app depends on the engine, not the reverse.',
};
// Two zones only because the rule wants a zone's `from` all globs or no globs.
const algorithmsArePure = [
  { target: ALGORITHMS, from: STATEFUL, message: PURE },
  { target: ALGORITHMS, from: FACADE, message: PURE },
];
const modelIsALeaf = {
  target: './engine/model',
  from: './engine',
  // errors.ts is the engine's error vocabulary and imports nothing of the engine itself.
  except: ['./model', './errors.ts'],
  message: 'engine/model imports nothing else of the engine (errors.ts excepted).',
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'neo4j-launcher/',
      'data/',
      '.neo4j/',
      'viz/vendor/',
      'viz/dist/',
      'bench/out/',
      'test/.lint-fixtures-*/',
      // StrykerJS sandboxes (npm run mutate): a copy of the repo with one module instrumented.
      '.stryker-tmp/',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      // Which files the rules parse to follow imports (no-cycle walks the whole graph): ours are TypeScript.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      // Static runtime imports only: `import type` is erased, and a dynamic `import()` runs after both
      // modules have evaluated (the CLI loads its commands' and the server's code lazily that way), so
      // neither is a load-order hazard.
      'import-x/no-cycle': ['error', { ignoreExternal: true, allowUnsafeDynamicCyclicDependency: true }],
      'import-x/no-restricted-paths': ['error', { zones: [engineNeverImportsApp, ...algorithmsArePure, modelIsALeaf] }],
    },
  },
);
