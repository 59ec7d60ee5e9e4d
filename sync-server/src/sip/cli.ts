// The centre command line's SIP options (main.ts): --sip-ws-port, --sip-udp-port, --sip-twin, --sip-twin-ws.
import type { Centre } from '../centre';
import { createLogger } from '../log';
import type { SipConfigInput } from './config';
import { sipApiKeyFrom, sipSecretFrom } from './credentials';
import { parseUdpAddress, startKamailio } from './kamailio';
import type { KamailioProcess } from './kamailio';

export const SIP_CLI_OPTIONS = {
  'sip-ws-port': { type: 'string' },
  'sip-udp-port': { type: 'string' },
  'sip-twin': { type: 'string' },
  'sip-twin-ws': { type: 'string' },
} as const;

export const SIP_CLI_HELP = `  --sip-ws-port <p>   run this centre's SIP server (Kamailio): softphones' WebSocket port on 127.0.0.1
  --sip-udp-port <p>  its UDP port for the hotline trunk and the twin's SIP server
  --sip-twin <addr>   the twin's SIP server for overflow, e.g. udp:127.0.0.1:5462
  --sip-twin-ws <n=u> the twin's softphone address, told to softphones, e.g. xiamen=ws://127.0.0.1:5482`;

type SipArgs = Partial<Record<keyof typeof SIP_CLI_OPTIONS, string>>;

function port(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${flag}: not a port: ${text}`);
  return n;
}

/** The centre's SIP config and how to start its Kamailio, or null when no --sip-ws-port was given. */
export function sipFromArgs(args: SipArgs) {
  if (!args['sip-ws-port']) {
    if (args['sip-udp-port'] || args['sip-twin'] || args['sip-twin-ws'])
      throw new Error('the --sip-* options need --sip-ws-port');
    return null;
  }
  const wsPort = port(args['sip-ws-port'], '--sip-ws-port');
  if (!args['sip-udp-port']) throw new Error('--sip-ws-port needs --sip-udp-port');
  const udpPort = port(args['sip-udp-port'], '--sip-udp-port');
  const twin = args['sip-twin'] ? parseUdpAddress(args['sip-twin']) : undefined;
  const twinWs = /^([a-z][a-z0-9-]*)=(ws:\/\/.+)$/.exec(args['sip-twin-ws'] ?? '');
  if (args['sip-twin-ws'] && !twinWs) throw new Error(`--sip-twin-ws: expected name=ws://host:port`);
  const config: SipConfigInput = {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    twin: twinWs ? { centre: twinWs[1]!, wsUrl: twinWs[2]! } : undefined,
    overflowToTwin: twin !== undefined,
  };
  return {
    config,
    /** Starts Kamailio for a centre that is listening; the caller stops it before closing the centre. */
    start(centre: Centre, tokenSecret: string): Promise<KamailioProcess> {
      const sip = centre.config.sip!;
      return startKamailio({
        centre: centre.config.name,
        httpPort: centre.port,
        wsPort,
        udpPort,
        twin,
        domain: sip.domain,
        hotline: sip.hotline,
        sipSecret: sipSecretFrom(tokenSecret),
        apiKey: sipApiKeyFrom(tokenSecret),
        // Kamailio holds a queued call a little longer than the centre may take to decide (its longest queue wait).
        holdTimeoutMs: centre.calls ? centre.calls.decideTimeoutMs + 10_000 : undefined,
        log: createLogger(centre.config.name, centre.config.logLevel).child({ component: 'sip' }),
      });
    },
  };
}
