/**
 * Knowledge articles: markdown body, tags, links to CIs, classes and problems. Stored as records of
 * kind `article` (`KB-000123`).
 */
import { z } from 'zod';
import { CiId, ClassId } from '../model/ci.ts';

export const ARTICLE_KIND = 'article';

export const ArticleCreate = z
  .object({
    title: z.string().min(1).max(300),
    body: z.string().max(200_000).default(''),
    tags: z.array(z.string().min(1).max(50)).max(50).default([]),
    cis: z.array(CiId).max(1000).default([]),
    classes: z.array(ClassId).max(100).default([]),
    problems: z.array(z.string().min(1).max(100)).max(100).default([]),
  })
  .strict();
export type ArticleCreate = z.infer<typeof ArticleCreate>;

export const ArticlePatch = ArticleCreate.partial().strict();
export type ArticlePatch = z.infer<typeof ArticlePatch>;

export const ArticleDoc = z
  .object({
    id: z.string(),
    title: z.string(),
    body: z.string(),
    tags: z.array(z.string()),
    cis: z.array(z.string()),
    classes: z.array(z.string()),
    problems: z.array(z.string()),
    author: z.string(),
  })
  .strict();
export type ArticleDoc = z.infer<typeof ArticleDoc>;
export type ArticleView = ArticleDoc & { version: number; createdAt: string; updatedAt: string };

export const ArticleSearchQuery = z
  .object({ q: z.string().min(1).max(500), tag: z.string().optional(), limit: z.coerce.number().int().min(1).max(100).default(20) })
  .strict();
export type ArticleSearchQuery = z.infer<typeof ArticleSearchQuery>;

export interface Suggestion {
  article: string;
  title: string;
  score: number;
  reasons: { kind: 'ci' | 'provider' | 'class' | 'known_error' | 'text'; detail: string; points: number }[];
}
