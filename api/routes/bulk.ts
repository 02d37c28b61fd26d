/**
 * `/api/v1/import`, `/api/v1/export`, `/api/v1/registry` and `/api/v1/tokens`.
 *
 * Import is the CLI's import: the same parser, the same checks, one atomic batch. A JSON body is
 * the import document; multipart uploads (field `file`, .json / .ndjson / .csv) are written to a
 * private temporary directory and read by the same file reader as `cmdb import`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import multer from 'multer';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { InputError } from '../../engine/errors.ts';
import { addImportDocument, emptyImport, importParsed, readImportFiles } from '../../engine/io/import.ts';
import { exportCsv, exportJson, exportNdjson, type Sink } from '../../engine/io/export.ts';
import { defineRoute, type AnyRoute } from '../route.ts';
import { PayloadTooLargeError } from '../http-errors.ts';
import {
  EmptyQuery,
  ExportQuery,
  ImportBody,
  ImportSummarySchema,
  RegistrySchema,
  TokenCreateBody,
  TokenCreatedSchema,
  TokenInfoSchema,
  TokenParams,
  errorResponse as err,
} from '../schemas.ts';
import { writeContext, type RouteDeps } from './common.ts';

export interface BulkLimits {
  /** JSON import body limit (default 50 MB). */
  importBodyLimit?: string;
  /** Per uploaded file (default 50 MB). */
  uploadFileBytes?: number;
  uploadFiles?: number;
}

/** Upload names become file names: keep a safe basename with its extension, nothing else. */
function safeName(original: string, i: number): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '');
  return `${i}-${cleaned || 'upload'}`.slice(0, 200);
}

function receiveFiles(upload: multer.Multer, req: Request, res: Response): Promise<Express.Multer.File[]> {
  return new Promise((resolve, reject) => {
    upload.array('file')(req, res, (e: unknown) => {
      if (!e) return resolve((req.files as Express.Multer.File[] | undefined) ?? []);
      const m = e as { name?: string; code?: string; message?: string };
      if (m.name === 'MulterError') return reject(e);
      // busboy's own errors (a malformed multipart body) are the client's.
      reject(new InputError(`importCMDB: malformed multipart body: ${m.message ?? 'unreadable'}`));
    });
  });
}

/** A Sink over the response: resolves when the socket can take more (backpressure). */
function responseSink(res: Response): Sink {
  return (chunk) =>
    new Promise<void>((resolve, reject) => {
      if (chunk === '') return resolve();
      if (res.destroyed) return reject(new Error('client went away'));
      if (res.write(chunk)) resolve();
      else res.once('drain', resolve);
    });
}

export function bulkRoutes({ cmdb, tokens }: RouteDeps, limits: BulkLimits = {}): AnyRoute[] {
  const fileBytes = limits.uploadFileBytes ?? 50 * 1024 * 1024;
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: fileBytes, files: limits.uploadFiles ?? 10, fields: 10, fieldSize: 64 * 1024 },
  });

  return [
    defineRoute({
      method: 'post',
      path: '/import',
      operationId: 'importCMDB',
      summary: 'Import CIs and relationships atomically (merge; identical rows are no-ops)',
      tag: 'bulk',
      permission: 'cmdb:import',
      query: EmptyQuery,
      body: ImportBody,
      multipart: true,
      bodyLimit: limits.importBodyLimit ?? '50mb',
      changeId: true,
      responses: {
        200: { description: 'what the import did', schema: ImportSummarySchema },
        400: err('a bad row (named in the message)'),
        413: err('too large'),
        415: err('neither JSON nor multipart'),
        422: err('unknown class or type, or a relationship to a missing CI'),
      },
      async handler({ body, actor, changeId, req, res }) {
        const ctx = writeContext(actor, changeId);
        if (body !== undefined) {
          const parsed = emptyImport();
          addImportDocument(parsed, 'request body', body);
          res.json(await importParsed(cmdb, parsed, ctx));
          return;
        }
        const files = await receiveFiles(upload, req, res);
        if (files.length === 0)
          throw new InputError('importCMDB: no file in field "file" of the multipart body', [
            { in: 'body', path: ['file'], code: 'invalid_type', message: 'expected at least one file' },
          ]);
        if (files.some((f) => f.size > fileBytes)) throw new PayloadTooLargeError('importCMDB: an uploaded file is too large');
        const dir = await mkdtemp(join(tmpdir(), 'cmdb-upload-'));
        try {
          const paths = await Promise.all(
            files.map(async (f, i) => {
              const path = join(dir, safeName(f.originalname, i));
              await writeFile(path, f.buffer, { mode: 0o600 });
              return path;
            }),
          );
          const parsed = await readImportFiles(paths);
          res.json(await importParsed(cmdb, parsed, ctx));
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
    }),
    defineRoute({
      method: 'get',
      path: '/export',
      operationId: 'exportCMDB',
      summary: 'Export the whole CMDB in an import format (streamed)',
      tag: 'bulk',
      permission: 'cmdb:export',
      query: ExportQuery,
      responses: {
        200: {
          description: 'the import document (json), one row per line (ndjson) or one CSV file (csv, with part)',
          contentType: 'application/json',
        },
        400: err('csv without part'),
      },
      async handler({ query, res }) {
        if (query.format === 'csv' && query.part === undefined)
          throw new InputError('exportCMDB: csv is two files; ask for part=cis or part=relationships', [
            { in: 'query', path: ['part'], code: 'invalid_type', message: 'required with format=csv' },
          ]);
        if (query.format !== 'csv' && query.part !== undefined)
          throw new InputError('exportCMDB: part is only for format=csv', [
            { in: 'query', path: ['part'], code: 'unrecognized_keys', message: 'only with format=csv' },
          ]);
        // Probe the store before the 200 goes out, so an unreachable store is a clean 503.
        await cmdb.store.lastSeq();
        const type = query.format === 'json' ? 'application/json' : query.format === 'ndjson' ? 'application/x-ndjson' : 'text/csv';
        const name = query.format === 'csv' ? `${query.part}.csv` : `cmdb.${query.format}`;
        res.status(200).setHeader('Content-Type', `${type}; charset=utf-8`);
        res.setHeader('Content-Disposition', `attachment; filename="${name}"`);
        const sink = responseSink(res);
        const none: Sink = async () => {};
        if (query.format === 'json') await exportJson(cmdb.store, sink);
        else if (query.format === 'ndjson') await exportNdjson(cmdb.store, sink);
        else await exportCsv(cmdb.store, query.part === 'cis' ? sink : none, query.part === 'relationships' ? sink : none);
        res.end();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/registry',
      operationId: 'getRegistry',
      summary: 'The class and relationship-type registries',
      tag: 'registry',
      permission: 'cmdb:read',
      query: EmptyQuery,
      responses: { 200: { description: 'classes and relationship types', schema: RegistrySchema } },
      handler({ res }) {
        res.json(cmdb.registry.toJSON());
      },
    }),
    defineRoute({
      method: 'get',
      path: '/tokens',
      operationId: 'listTokens',
      summary: 'List API tokens (never their secrets)',
      tag: 'tokens',
      permission: 'tokens:manage',
      query: EmptyQuery,
      responses: { 200: { description: 'tokens, revoked ones included', schema: z.object({ items: z.array(TokenInfoSchema) }) } },
      async handler({ res }) {
        res.json({ items: await tokens.list() });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tokens',
      operationId: 'createToken',
      summary: 'Create an API token; the secret is in this answer only',
      tag: 'tokens',
      permission: 'tokens:manage',
      query: EmptyQuery,
      body: TokenCreateBody,
      responses: { 201: { description: 'created', schema: TokenCreatedSchema }, 409: err('the name is taken') },
      async handler({ body, actor, res }) {
        const created = await tokens.create(body, { actor: actor.name });
        res.status(201).setHeader('Cache-Control', 'no-store');
        res.json(created);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/tokens/:id',
      operationId: 'revokeToken',
      summary: 'Revoke an API token (by id or name); the record stays for the audit trail',
      tag: 'tokens',
      permission: 'tokens:manage',
      params: TokenParams,
      query: EmptyQuery,
      responses: { 200: { description: 'revoked', schema: TokenInfoSchema }, 404: err('no such token'), 409: err('already revoked') },
      async handler({ params, actor, res }) {
        res.json(await tokens.revoke(params.id, { actor: actor.name }));
      },
    }),
  ];
}
