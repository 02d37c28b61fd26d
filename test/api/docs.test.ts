/** docs/api.md carries the permission table; it must match api/permissions.ts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { permissionTable } from '../../api/permissions.ts';

describe('docs/api.md', () => {
  it('shows the permission table exactly as api/permissions.ts defines it', () => {
    const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    expect(doc).toContain(permissionTable());
  });
});
