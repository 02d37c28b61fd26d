/**
 * Prometheus metrics on a registry per app (tests build many apps in one process): request counts
 * and latency histograms by method, route template and status; mirror size; last sequence; store
 * reachability (probed at scrape time).
 */
import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Cmdb } from '../engine/cmdb.ts';

export interface Metrics {
  registry: Registry;
  middleware: RequestHandler;
}

export function createMetrics(cmdb: Cmdb, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({ name: 'http_requests_total', help: 'HTTP requests answered', labelNames, registers: [registry] });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  new Gauge({
    name: 'cmdb_mirror_cis',
    help: 'CIs (nodes) in the in-memory mirror',
    registers: [registry],
    collect() {
      this.set(cmdb.mirror.graph.order);
    },
  });
  new Gauge({
    name: 'cmdb_mirror_relationships',
    help: 'relationships (edges) in the in-memory mirror',
    registers: [registry],
    collect() {
      this.set(cmdb.mirror.graph.size);
    },
  });
  new Gauge({
    name: 'cmdb_last_seq',
    help: 'sequence number of the last committed event reflected in the mirror',
    registers: [registry],
    collect() {
      this.set(cmdb.seq);
    },
  });
  new Gauge({
    name: 'cmdb_store_up',
    help: '1 when the store answered a ping at scrape time',
    labelNames: ['store'],
    registers: [registry],
    async collect() {
      this.set({ store: cmdb.store.kind }, (await cmdb.store.ping()) ? 1 : 0);
    },
  });

  const middleware: RequestHandler = (req, res, next) => {
    const start = process.hrtime.bigint();
    res.once('finish', () => {
      // Route templates, never raw paths: ids in URLs would explode the label cardinality.
      const route = typeof res.locals.route === 'string' ? res.locals.route : 'unmatched';
      const labels = { method: req.method, route, status: String(res.statusCode) };
      requests.inc(labels);
      duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
  return { registry, middleware };
}
