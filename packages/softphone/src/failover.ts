// Which SIP server to use next. The credentials list the home centre's server first, then the twin's. When the
// server in use fails, the phone moves to the next one at once; only when every server has failed since the last
// success does it wait (backoff), so losing the home centre costs one failed attempt, not a timeout per server.
import { backoffDelay } from './backoff';
import type { BackoffOptions } from './backoff';

export interface SipServer {
  /** The centre running this SIP server, e.g. fuzhou. */
  centre: string;
  /** Its WebSocket address, e.g. ws://127.0.0.1:5480 */
  wsUrl: string;
}

export interface NextServer {
  index: number;
  server: SipServer;
  /** Wait this long before trying it. */
  delayMs: number;
  /** It is not the server that just failed. */
  switched: boolean;
}

export class FailoverPolicy {
  private index = 0;
  /** Failures since the last successful registration. */
  private failures = 0;

  constructor(
    private servers: readonly SipServer[],
    private readonly backoff: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {
    if (servers.length === 0) throw new Error('no SIP server to use');
  }

  get current(): { index: number; server: SipServer; home: boolean } {
    return { index: this.index, server: this.servers[this.index]!, home: this.index === 0 };
  }

  /** New server list (fresh credentials); keeps using the same server if it is still listed. */
  setServers(servers: readonly SipServer[]): void {
    if (servers.length === 0) throw new Error('no SIP server to use');
    const url = this.servers[this.index]?.wsUrl;
    this.servers = servers;
    const again = servers.findIndex((s) => s.wsUrl === url);
    this.index = again >= 0 ? again : 0;
  }

  /** The server in use failed: the one to try next and when. */
  failed(): NextServer {
    this.failures += 1;
    const before = this.index;
    this.index = (this.index + 1) % this.servers.length;
    // One immediate try of each server; after that, a growing delay per full round of failures.
    const pastFirstRound = this.failures - (this.servers.length - 1);
    const delayMs = pastFirstRound > 0 ? backoffDelay(pastFirstRound, this.backoff, this.random) : 0;
    return { index: this.index, server: this.servers[this.index]!, delayMs, switched: this.index !== before };
  }

  /** Registered: failures are forgotten. */
  succeeded(): void {
    this.failures = 0;
  }

  /** Start again from the home server (connect, or failing back after the home centre recovered). */
  home(): void {
    this.index = 0;
    this.failures = 0;
  }

  get failureCount(): number {
    return this.failures;
  }
}
