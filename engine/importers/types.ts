/**
 * What every converter shares: input files already read ({path, text}), the import document it
 * produces (this product's own format, DESIGN.md "Interfaces"), the warnings it reports instead
 * of aborting (an unknown address, a skipped data source), and the error that names file,
 * document and field. Converters are pure: reading files and directories is the CLI's job.
 */
import { InputError } from '../errors.ts';

export interface InputFile {
  path: string;
  text: string;
}

/** A CI as the import format takes it (validated later by the importer's zod schemas). */
export interface DocCI {
  id: string;
  class: string;
  name: string;
  status?: 'planned' | 'in_service' | 'maintenance' | 'retired';
  environment?: 'production' | 'staging' | 'test' | 'development';
  criticality?: number;
  owner?: string;
  attributes: Record<string, unknown>;
  tags?: string[];
  redundancy?: { relationship: string; minAvailable: number | string }[];
}

export interface DocRelationship {
  type: string;
  from: string;
  to: string;
  attributes?: Record<string, unknown>;
}

export interface ImportDocument {
  cis: DocCI[];
  relationships: DocRelationship[];
}

/** Where something was found: file, document (YAML document index or CSV line) and field path. */
export interface Location {
  file: string;
  document?: string;
  field?: string;
}

export interface ConversionWarning extends Location {
  code: 'unknown_address' | 'unknown_reference' | 'skipped' | 'unmapped_class' | 'unmapped_type' | 'duplicate';
  message: string;
}

export interface Conversion {
  document: ImportDocument;
  warnings: ConversionWarning[];
}

export type Progress = (done: number, total: number) => void;

export function where(loc: Location): string {
  return [loc.file, loc.document, loc.field ? `field "${loc.field}"` : undefined].filter(Boolean).join(', ');
}

/** A convert error naming file, document and field, with the same triple in `details`. */
export function conversionError(format: string, loc: Location, message: string): InputError {
  return new InputError(`convert ${format}: ${where(loc)}: ${message}`, [
    { ...loc, path: loc.field ? loc.field.split('.') : [], code: 'invalid_input', message },
  ]);
}

/** Makes any string a valid CI id segment: ids allow letters, digits and `._:/@-`. */
export function idPart(s: string): string {
  const cleaned = s.replace(/[^A-Za-z0-9._:/@-]+/g, '_');
  return cleaned === '' ? '_' : cleaned;
}

/** Tags are single tokens. */
export function tagOf(s: string): string | undefined {
  const t = s.trim().replace(/[\s;,]+/g, '-');
  return t === '' ? undefined : t.slice(0, 100);
}

/** Adds a relationship once (same type, from and to), keeping the first one's attributes. */
export class RelationshipSet {
  private readonly seen = new Set<string>();
  readonly list: DocRelationship[] = [];

  add(type: string, from: string, to: string, attributes?: Record<string, unknown>): void {
    if (from === to) return;
    const key = `${from}|${type}|${to}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push(attributes && Object.keys(attributes).length > 0 ? { type, from, to, attributes } : { type, from, to });
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v : undefined;
}
