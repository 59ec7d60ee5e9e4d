// `pnpm centre --name fuzhou --port 4401 --data .data/fuzhou --peer ws://127.0.0.1:4402`
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { ZodError } from 'zod';
import { startCentre } from './centre';
import { DEMO_PEER_SECRET, DEMO_TOKEN_SECRET } from './config';
import { SIP_CLI_HELP, SIP_CLI_OPTIONS, sipFromArgs } from './sip/cli';
import { loadRoutingConfig } from './calls/routing-config';
import { loadSlaPolicy } from './escalation';

const HELP = `twinline centre: one centre server of the twin-centre board

  --name <name>       centre name (default fuzhou)
  --port <port>       port on 127.0.0.1 (default 4401)
  --host <host>       bind address (default 127.0.0.1)
  --data <dir>        data directory (default .data/<name>)
  --peer <ws url>     the twin centre, e.g. ws://127.0.0.1:4402
  --demo              seed demo accounts (README lists them)
  --demo-orders <n>   also seed n open demo orders into an empty centre
  --demo-roster <on|off>  with --demo, every station's demo crews and settings (default on; off: an empty roster)
  --demo-customers <n> also fill the customer directory with n synthetic customers (background; e.g. 200000)
  --log-level <lvl>   trace|debug|info|warn|error (default info)
  --retention-ms <n>  how long archived orders stay on the live board (default 7 days)
  --janitor-ms <n>    how often the archive/retention pass runs (default 60 s)
  --sla-policy <file> SLA clocks and escalation ladders (JSON, @twinline/workorder's PolicySchema; default built in)
  --escalation-ms <n> how often the escalation ladder is applied (default 60 s; 0: not at all)
  --dispatch-ms <n>   automatic dispatch to the county's station and crew: changes at once, a pass every n ms
                      (default 30000; 0: off, orders wait for a person to dispatch them)
  --unload-ms <n>     unload a document this long after its last socket left (default 10 s)
  --routing-config <file>  call routing (JSON, @twinline/routing's RoutingConfig); default with --demo: the demo's
${SIP_CLI_HELP}

Secrets come from TWINLINE_TOKEN_SECRET and TWINLINE_PEER_SECRET (demo values when unset).`;

const optionalNumber = (v: string | undefined) => (v === undefined ? undefined : Number(v));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      name: { type: 'string', default: 'fuzhou' },
      port: { type: 'string', default: '4401' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string' },
      peer: { type: 'string' },
      demo: { type: 'boolean', default: false },
      'demo-orders': { type: 'string', default: '0' },
      'demo-customers': { type: 'string', default: '0' },
      'demo-roster': { type: 'string', default: 'on' },
      'log-level': { type: 'string', default: 'info' },
      'retention-ms': { type: 'string' },
      'janitor-ms': { type: 'string' },
      'sla-policy': { type: 'string' },
      'escalation-ms': { type: 'string' },
      'dispatch-ms': { type: 'string' },
      'unload-ms': { type: 'string' },
      'routing-config': { type: 'string' },
      ...SIP_CLI_OPTIONS,
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const tokenSecret = process.env.TWINLINE_TOKEN_SECRET ?? DEMO_TOKEN_SECRET;
  const sip = sipFromArgs(values);
  const centre = await startCentre({
    name: values.name,
    host: values.host,
    port: Number(values.port),
    dataDir: resolve(values.data ?? `.data/${values.name}`),
    peer: values.peer,
    demo: values.demo,
    demoOrders: Number(values['demo-orders']),
    demoCustomers: Number(values['demo-customers']),
    demoRoster: values['demo-roster'] !== 'off',
    tokenSecret,
    peerSecret: process.env.TWINLINE_PEER_SECRET ?? DEMO_PEER_SECRET,
    logLevel: values['log-level'] as 'info',
    retentionMs: optionalNumber(values['retention-ms']),
    janitorEveryMs: optionalNumber(values['janitor-ms']),
    escalationEveryMs: optionalNumber(values['escalation-ms']),
    dispatchEveryMs: optionalNumber(values['dispatch-ms']),
    slaPolicy: values['sla-policy'] ? loadSlaPolicy(resolve(values['sla-policy'])) : undefined,
    unloadAfterMs: optionalNumber(values['unload-ms']),
    sip: sip?.config,
    routing: values['routing-config'] ? loadRoutingConfig(resolve(values['routing-config'])) : undefined,
  });
  const kamailio = await sip?.start(centre, tokenSecret).catch(async (error: unknown) => {
    await centre.close();
    throw error;
  });
  const stop = () =>
    void Promise.resolve(kamailio?.stop())
      .then(() => centre.close())
      .then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ZodError) {
    console.error(
      `twinline centre: bad configuration: ${error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  } else {
    console.error(`twinline centre: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
