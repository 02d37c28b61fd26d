/**
 * The importers' format names and the files each reads from a directory — apart from the
 * converters so the CLI can declare its options without loading the parsers.
 */
import { InputError } from '../errors.ts';

export const FORMATS = ['kubernetes', 'backstage', 'terraform', 'servicenow'] as const;
export type Format = (typeof FORMATS)[number];

/** File name endings a format reads when given a directory. */
export const EXTENSIONS: Record<Format, readonly string[]> = {
  kubernetes: ['.yaml', '.yml', '.json'],
  backstage: ['.yaml', '.yml'],
  terraform: ['.tfstate', '.json'],
  servicenow: ['.csv'],
};

export function parseFormat(value: string): Format {
  if ((FORMATS as readonly string[]).includes(value)) return value as Format;
  throw new InputError(`convert: unknown format "${value}" (expected ${FORMATS.join(', ')})`);
}
