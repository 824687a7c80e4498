import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  observe(service: string, action: string, status: number, seconds: number): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'open_sts_' });
  const requests = new Counter({
    name: 'open_sts_requests_total',
    help: 'API requests by service, action and HTTP status',
    labelNames: ['service', 'action', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'open_sts_request_duration_seconds',
    help: 'API request latency by service and action',
    labelNames: ['service', 'action'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  return {
    registry,
    observe(service, action, status, seconds) {
      requests.inc({ service, action, status: String(status) });
      latency.observe({ service, action }, seconds);
    },
  };
}
