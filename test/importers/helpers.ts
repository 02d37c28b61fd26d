/** Shared by the importer tests: fixture files as converter input, a fresh SQLite CMDB, impact states. */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cmdb } from '../../engine/cmdb.ts';
import { Registry } from '../../engine/model/registry.ts';
import { SqliteStore } from '../../engine/store/sqlite-store.ts';
import { addImportDocument, emptyImport, importParsed, type ImportSummary } from '../../engine/io/import.ts';
import { blastRadius } from '../../engine/impact/index.ts';
import type { ImportDocument, InputFile } from '../../engine/importers/types.ts';

export const registry = Registry.load();
export const FIXTURES = fileURLToPath(new URL('../../fixtures/importers/', import.meta.url));

/** Every file of a fixture folder, sorted, as converter input. */
export function fixtureFiles(folder: string): InputFile[] {
  const dir = join(FIXTURES, folder);
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.') && !f.endsWith('.md'))
    .sort()
    .map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

let n = 0;
export async function sqliteCmdb(dir: string): Promise<Cmdb> {
  return Cmdb.open({ store: new SqliteStore(join(dir, `cmdb-${++n}.sqlite`)), registry });
}

/** Imports a converted document the way `cmdb import` does (zod validation, one atomic batch). */
export async function importDocument(cmdb: Cmdb, doc: ImportDocument, file = 'converted'): Promise<ImportSummary> {
  const parsed = emptyImport();
  addImportDocument(parsed, file, doc);
  return importParsed(cmdb, parsed, { actor: 'test' });
}

/** id → state of everything a CI's outage reaches (origin excluded). */
export function impactOf(cmdb: Cmdb, ci: string): Map<string, string> {
  const r = blastRadius(cmdb.impactIndex(), cmdb.registry, [{ ci, effect: 'down' }]);
  return new Map(r.impacted.map((i) => [i.id, i.state]));
}

/** `from TYPE to` lines of a document, for readable assertions. */
export function edges(doc: ImportDocument): string[] {
  return doc.relationships.map((r) => `${r.from} ${r.type} ${r.to}`);
}
