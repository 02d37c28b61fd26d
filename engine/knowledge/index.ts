/** Knowledge: articles, full-text search (MiniSearch) and incident suggestions. */
export * from './model.ts';
export { KnowledgeService, type KnowledgeServiceDeps } from './service.ts';
