/**
 * The vitest configuration StrykerJS runs (scripts/mutate.ts): one plain project holding only the
 * test files that cover the module under mutation (CMDB_MUTATE_TESTS, comma-separated), so each
 * mutant is judged by its own tests and never by the Neo4j or browser suites.
 */
import { defineConfig } from 'vitest/config';

const include = (process.env.CMDB_MUTATE_TESTS ?? '').split(',').filter(Boolean);
if (include.length === 0) throw new Error('CMDB_MUTATE_TESTS is empty: scripts/mutate.ts sets it per module');

export default defineConfig({
  test: {
    include,
    exclude: ['test/**/*.neo4j.test.ts', 'test/**/*.browser.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
  },
});
