/**
 * docs/api.md carries two generated tables — roles × permissions and routes × roles — that must
 * match api/permissions.ts and the route table the app mounts (`npm run docs:api` rewrites them).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { declaredRoutes, generatedSections, rewriteDoc } from '../../api/route-docs.ts';

const doc = () => readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

describe('docs/api.md', () => {
  it('shows the permission table exactly as api/permissions.ts defines it', () => {
    expect(doc()).toContain(generatedSections().permissions);
  });

  it('shows one row per route of the route table with its permission and the roles that may call it', () => {
    expect(doc()).toContain(generatedSections().routes);
    const rows = generatedSections()
      .routes.split('\n')
      .filter((l) => /^\| (GET|POST|PUT|PATCH|DELETE) \|/.test(l));
    expect(rows).toHaveLength(declaredRoutes().length);
  });

  it('is unchanged by regenerating it (nothing hand-edited inside the generated sections)', () => {
    expect(rewriteDoc(doc())).toBe(doc());
  });
});
