// A centre's configuration: parsed from the command line (main.ts) or given by tests, validated here, once.
import { z } from 'zod';
import { RoutingConfigSchema } from '@twinline/routing';
import { PolicySchema } from '@twinline/workorder';
import { SipConfigSchema } from './sip/config';

export const CentreConfigSchema = z.object({
  name: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a lowercase name such as fuzhou'),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().min(0).max(65535).default(4401),
  dataDir: z.string().min(1),
  /** ws:// address of the twin centre's peer endpoint, e.g. ws://127.0.0.1:4402 */
  peer: z.string().url().optional(),
  /** Signs login tokens; the same in both centres so a console's token works at the twin after a failover. */
  tokenSecret: z.string().min(16),
  /** Shared by the twin centres to authenticate their replication link. */
  peerSecret: z.string().min(16),
  tokenTtlSeconds: z
    .number()
    .int()
    .positive()
    .default(12 * 3600),
  /** Largest single WebSocket message (an update, a catch-up diff) a client may send. */
  maxMessageBytes: z
    .number()
    .int()
    .positive()
    .default(4 * 1024 * 1024),
  maxConnections: z.number().int().positive().default(2000),
  maxConnectionsPerUser: z.number().int().positive().default(16),
  /** Awareness (presence) messages a connection may send per second before they are coalesced. */
  awarenessPerSecond: z.number().positive().default(5),
  /** How often presence changes are sent out to a document's sockets, batched. */
  awarenessFlushMs: z.number().int().positive().default(100),
  /** A document nobody has open is persisted and unloaded after this long. */
  unloadAfterMs: z.number().int().nonnegative().default(10_000),
  /** Archived orders leave the live board after this long (they stay searchable in the archive). */
  retentionMs: z
    .number()
    .int()
    .nonnegative()
    .default(7 * 24 * 3600_000),
  janitorEveryMs: z.number().int().positive().default(60_000),
  /** How often the escalation ladder is applied (src/escalation.ts); 0 turns it off. */
  escalationEveryMs: z.number().int().nonnegative().default(60_000),
  /**
   * Automatic dispatch (src/dispatch.ts): a look at each changed document right away and at the documents held this
   * often; 0 turns it off (tests that dispatch by hand do; test/harness.ts turns it off unless a test asks for it).
   */
  dispatchEveryMs: z.number().int().nonnegative().default(30_000),
  /** SLA clocks and escalation ladders (--sla-policy); @twinline/workorder's DEFAULT_POLICY when absent. */
  slaPolicy: PolicySchema.optional(),
  /** Anti-entropy: full state-vector exchange with the twin this often, besides on every (re)connect. */
  resyncEveryMs: z.number().int().positive().default(30_000),
  /** Seed demo accounts (and, with demoOrders > 0, open orders) into an empty centre. */
  demo: z.boolean().default(false),
  demoOrders: z.number().int().nonnegative().default(0),
  /** With demo: every station's demo crews and dispatch settings (the same bytes at every start and centre). */
  demoRoster: z.boolean().default(true),
  demoSeed: z.number().int().default(95598),
  /** With demo: fill the customer directory with this many synthetic customers (in the background after start). */
  demoCustomers: z.number().int().nonnegative().max(10_000_000).default(0),
  /** Present when the centre runs a SIP server (Kamailio): softphone credentials and call routing. */
  sip: SipConfigSchema.optional(),
  /** Call routing (--routing-config); a demo centre without one routes with the demo configuration. */
  routing: RoutingConfigSchema.optional(),
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});
export type CentreConfig = z.infer<typeof CentreConfigSchema>;
export type CentreConfigInput = z.input<typeof CentreConfigSchema>;

/** Demo-only secrets; a real deployment passes its own through the environment. */
export const DEMO_TOKEN_SECRET = 'twinline-demo-token-secret-change-me';
export const DEMO_PEER_SECRET = 'twinline-demo-peer-secret-change-me';
