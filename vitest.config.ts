/**
 * Three projects: `unit` runs in parallel; `neo4j` holds every file that talks to the real Neo4j
 * server (named *.neo4j.test.ts). Community edition has one database, so those files run one at a
 * time against the server that test/global-setup.ts starts. `browser` (*.browser.test.ts) drives
 * Debian's chromium with playwright-core against the real server; its setup builds the web UI.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 120_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.neo4j.test.ts', 'test/**/*.browser.test.ts', 'node_modules/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'neo4j',
          include: ['test/**/*.neo4j.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/**/*.browser.test.ts'],
          globalSetup: ['test/viz/browser-setup.ts'],
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
