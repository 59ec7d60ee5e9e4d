// Prometheus metrics of one centre (its own registry, so tests can run several centres in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(centre: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ centre });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    connections: new Gauge({
      name: 'twinline_connections',
      help: 'Open client WebSocket connections',
      registers: [registry],
    }),
    documentsLoaded: new Gauge({
      name: 'twinline_documents_loaded',
      help: 'Documents held in memory',
      registers: [registry],
    }),
    updates: new Counter({
      name: 'twinline_updates_total',
      help: 'Document updates applied, by source (client, peer, server)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    refusedWrites: new Counter({
      name: 'twinline_refused_writes_total',
      help: 'Client updates refused by the permission guard',
      registers: [registry],
    }),
    closedForBadInput: new Counter({
      name: 'twinline_bad_input_closes_total',
      help: 'Connections closed for malformed or oversized input',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    awarenessDropped: new Counter({
      name: 'twinline_awareness_coalesced_total',
      help: 'Presence messages coalesced by the rate limit',
      registers: [registry],
    }),
    peerConnected: new Gauge({
      name: 'twinline_peer_connected',
      help: '1 while the link to the twin centre is up',
      registers: [registry],
    }),
    replicationLag: new Gauge({
      name: 'twinline_replication_lag_seconds',
      help: 'Time from sending an update to the twin to its acknowledgement (latest)',
      registers: [registry],
    }),
    replicationPending: new Gauge({
      name: 'twinline_replication_pending',
      help: 'Updates sent to the twin and not yet acknowledged',
      registers: [registry],
    }),
    persistSeconds: new Histogram({
      name: 'twinline_persist_seconds',
      help: 'Time to commit an update to SQLite',
      buckets: [0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
