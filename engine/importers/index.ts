/**
 * The importers' one entry point: format names, which files of a directory each format reads,
 * and `convert(format, files, options)` dispatching to the pure converter of that format.
 */
import { z } from 'zod';
import { InputError, zodIssues } from '../errors.ts';
import { ClassId, RelTypeName } from '../model/ci.ts';
import { convertBackstage } from './backstage.ts';
import { convertKubernetes } from './kubernetes.ts';
import { convertServiceNow } from './servicenow.ts';
import { convertTerraform } from './terraform.ts';
import type { Conversion, InputFile, Progress } from './types.ts';
import type { Format } from './formats.ts';

export { EXTENSIONS, FORMATS, parseFormat, type Format } from './formats.ts';

/** Mapping files: Terraform `{ type: Class }`; ServiceNow `{ classes: { sys_class_name: Class }, relationships: { "A::B": { type, reverse } } }`. */
export const TerraformMappingFile = z.record(z.string().min(1), ClassId);
export const ServiceNowMappingFile = z
  .object({
    classes: z.record(z.string().min(1), ClassId).optional(),
    relationships: z.record(z.string().min(1), z.object({ type: RelTypeName, reverse: z.boolean().optional() }).strict()).optional(),
  })
  .strict();

export interface ConvertOptions {
  /** Parsed mapping file (terraform, servicenow). */
  mapping?: unknown;
  /** kubernetes: cluster name. */
  cluster?: string;
  /** kubernetes: make ExternalEndpoint CIs for unknown addresses. */
  externalEndpoints?: boolean;
  onProgress?: Progress;
}

export function convert(format: Format, files: readonly InputFile[], options: ConvertOptions = {}): Conversion {
  const progress = options.onProgress ? { onProgress: options.onProgress } : {};
  if (options.mapping !== undefined && format !== 'terraform' && format !== 'servicenow')
    throw new InputError(`convert: --mapping applies to terraform and servicenow, not ${format}`);
  switch (format) {
    case 'kubernetes':
      return convertKubernetes(files, {
        ...progress,
        ...(options.cluster ? { cluster: options.cluster } : {}),
        externalEndpoints: options.externalEndpoints ?? false,
      });
    case 'backstage':
      return convertBackstage(files, progress);
    case 'terraform':
      return convertTerraform(files, {
        ...progress,
        ...(options.mapping !== undefined ? { mapping: parseMapping(TerraformMappingFile, options.mapping) } : {}),
      });
    case 'servicenow':
      return convertServiceNow(files, {
        ...progress,
        ...(options.mapping !== undefined ? { mapping: parseMapping(ServiceNowMappingFile, options.mapping) } : {}),
      });
  }
}

function parseMapping<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new InputError(
      `convert: mapping file, field "${first.path.map(String).join('.')}": ${first.message}`,
      zodIssues(parsed.error.issues),
    );
  }
  return parsed.data;
}
