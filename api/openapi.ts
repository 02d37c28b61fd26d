/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas with zod 4's own
 * `z.toJSONSchema` (JSON Schema 2020-12 is OpenAPI 3.1's schema dialect, so no translation layer
 * is needed). Named schemas go to `components.schemas` and are referenced by `$ref`.
 */
import { z } from 'zod';
import { bodyTypes, type AnyRoute } from './route.ts';
import { PERMISSIONS, ROLE_PERMISSIONS } from './permissions.ts';
import { STATUS_BY_CODE } from './errors.ts';
import { CIBody, CIPatch, ChangeEventSchema, ErrorSchema, ImportBody, RelationshipBody, StoredCI, StoredRelationship } from './schemas.ts';

type Json = Record<string, unknown>;

const NAMED: [z.ZodType, string][] = [
  [StoredCI, 'CI'],
  [CIBody, 'CIInput'],
  [CIPatch, 'CIPatch'],
  [StoredRelationship, 'Relationship'],
  [RelationshipBody, 'RelationshipInput'],
  [ChangeEventSchema, 'ChangeEvent'],
  [ImportBody, 'ImportDocument'],
  [ErrorSchema, 'Error'],
];

function registry() {
  const reg = z.registry<{ id: string }>();
  for (const [schema, id] of NAMED) reg.add(schema, { id });
  return reg;
}

/** `#/$defs/X` → `#/components/schemas/X`; drops `$schema` and `$defs` (they live in components). */
function relocate(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(relocate);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === '$schema' || k === '$defs') continue;
    if (k === '$ref' && typeof v === 'string') out[k] = v.replace(/^#\/\$defs\//, '#/components/schemas/');
    else out[k] = relocate(v);
  }
  return out;
}

function schemaOf(schema: z.ZodType, io: 'input' | 'output', metadata: ReturnType<typeof registry>): Json {
  return relocate(z.toJSONSchema(schema, { io, metadata, unrepresentable: 'any', target: 'draft-2020-12' })) as Json;
}

function parameters(route: AnyRoute, metadata: ReturnType<typeof registry>): Json[] {
  const out: Json[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema as z.ZodType, 'input', metadata);
    const props = (json.properties ?? {}) as Record<string, Json>;
    const required = new Set((json.required as string[] | undefined) ?? []);
    for (const [name, s] of Object.entries(props)) {
      const { description, ...rest } = s;
      const p: Json = { name, in: where, required: where === 'path' || required.has(name), schema: rest };
      if (typeof description === 'string') p.description = description;
      out.push(p);
    }
  }
  if (route.ifMatch)
    out.push({
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'the ETag (version) the write expects; a stale one is refused with 412 and nothing is written',
      schema: { type: 'string' },
    });
  if (route.changeId)
    out.push({
      name: 'X-Change-Id',
      in: 'header',
      required: false,
      description:
        'the change authorising this write (CHG-…), recorded on its events: unknown → 422; not approved, scheduled or in progress, or the CI outside its targets → 403; nothing is written',
      schema: { type: 'string', pattern: '^CHG-[0-9]{6,}$' },
    });
  return out;
}

export function openApiDocument(routes: readonly AnyRoute[], opts: { auth: boolean; version?: string }): Json {
  const metadata = registry();
  const components = relocate(
    z.toJSONSchema(metadata, { io: 'output', unrepresentable: 'any', target: 'draft-2020-12', uri: (id) => `#/components/schemas/${id}` })
      .schemas,
  ) as Json;
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const path = `/api/v1${route.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const responses: Json = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const r: Json = { description: spec.description };
      if (spec.schema) r.content = { [spec.contentType ?? 'application/json']: { schema: schemaOf(spec.schema, 'output', metadata) } };
      else if (spec.contentType) r.content = { [spec.contentType]: {} };
      if (spec.headers)
        r.headers = Object.fromEntries(Object.entries(spec.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]));
      responses[status] = r;
    }
    const common: Record<string, string> = {
      '401': 'no or bad token',
      '403': 'role lacks the permission',
      '429': 'rate limited',
      '503': 'store unavailable',
    };
    for (const [status, description] of Object.entries(common)) {
      if (status === '401' || status === '403') {
        if (route.permission === null) continue;
      }
      responses[status] ??= { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    const op: Json = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: parameters(route, metadata),
      responses,
    };
    if (route.permission !== null) {
      op['x-permission'] = route.permission;
      op['x-roles'] = Object.entries(ROLE_PERMISSIONS)
        .filter(([, perms]) => perms.includes(route.permission!))
        .map(([role]) => role);
      op.description = `Requires permission \`${route.permission}\` (roles: ${(op['x-roles'] as string[]).join(', ')}).`;
    } else {
      op.security = [];
    }
    if (route.body) {
      const schema = schemaOf(route.body as z.ZodType, 'input', metadata);
      const content: Json = {};
      // Merge patch first: it is the type the route means; plain JSON is read the same way.
      for (const type of bodyTypes(route).filter((t) => t !== 'multipart/form-data')) content[type] = { schema };
      if (route.multipart)
        content['multipart/form-data'] = {
          schema: {
            type: 'object',
            properties: { file: { type: 'array', items: { type: 'string', format: 'binary' } } },
            required: ['file'],
          },
        };
      op.requestBody = { required: true, content };
    }
    (paths[path] ??= {})[route.method] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'graph-cmdb API',
      version: opts.version ?? '1',
      description:
        'A graph CMDB with change-impact analysis. Errors: `{"error": {"code", "message", "details"}}` with codes ' +
        Object.entries(STATUS_BY_CODE)
          .map(([c, s]) => `\`${c}\` (${s})`)
          .join(', ') +
        '. Permissions: ' +
        Object.entries(PERMISSIONS)
          .map(([p, d]) => `\`${p}\` — ${d}`)
          .join('; ') +
        (opts.auth ? '.' : '. This server runs with --no-auth: every request acts as `anonymous` (admin).'),
    },
    servers: [{ url: '/' }],
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `cmdb token create`' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

/** The browsable docs page: swagger-ui served from our own origin (the CSP stays 'self'). */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>graph-cmdb API</title><link rel="stylesheet" href="./swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="./swagger-ui-bundle.js"></script><script src="./init.js"></script></body>
</html>
`;

export const DOCS_INIT = `window.ui = SwaggerUIBundle({ url: '../openapi.json', dom_id: '#swagger-ui', deepLinking: true });\n`;
