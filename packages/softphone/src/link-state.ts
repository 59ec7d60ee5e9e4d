// The phone's link to its SIP server as the user sees it: one plain object, changed only by the events below, so
// the console shows exactly what is known (never "registered" after the connection died or the laptop slept).
import type { SipServer } from './failover';

export type Registration = 'unregistered' | 'registering' | 'registered' | 'failed';
export type TransportStatus = 'disconnected' | 'connecting' | 'connected';

export interface ServerStatus extends SipServer {
  /** The home centre's server (false: registered with the twin after a failover). */
  home: boolean;
}

export interface LinkState {
  registration: Registration;
  transport: TransportStatus;
  /** The server in use or being tried. */
  server: ServerStatus | null;
  /** The browser's network status (navigator.onLine and online/offline events). */
  online: boolean;
  /** What went wrong last, in words; kept after recovery so the console can say why it moved to the twin. */
  lastError: string | null;
  /** When the current registration was confirmed (epoch ms). */
  registeredAt: number | null;
  /** When the next attempt is due while waiting to retry (epoch ms). */
  retryAt: number | null;
}

export type LinkEvent =
  | { type: 'connecting'; server: ServerStatus }
  | { type: 'connected' }
  | { type: 'registering' }
  | { type: 'registered'; at: number }
  | { type: 'rejected'; code: number; reason: string }
  | { type: 'lost'; reason: string; retryAt: number | null }
  | { type: 'offline' }
  | { type: 'online' }
  | { type: 'error'; message: string }
  | { type: 'stopped' };

export const INITIAL_LINK: LinkState = {
  registration: 'unregistered',
  transport: 'disconnected',
  server: null,
  online: true,
  lastError: null,
  registeredAt: null,
  retryAt: null,
};

/** A REGISTER answer that retrying will not fix: the credentials are wrong, expired or for someone else. */
export function isCredentialsRejection(code: number): boolean {
  return code === 401 || code === 403 || code === 407;
}

export function describeRejection(code: number, reason: string): string {
  const why = reason ? `${code} ${reason}` : String(code);
  if (code === 401 || code === 407) return `the SIP server refused the password (${why})`;
  if (code === 403) return `the SIP server refused these credentials (${why})`;
  if (code === 408) return `the SIP server did not answer the registration (${why})`;
  return `registration refused (${why})`;
}

export function linkReducer(s: LinkState, e: LinkEvent): LinkState {
  switch (e.type) {
    case 'connecting':
      return {
        ...s,
        transport: 'connecting',
        registration: 'registering',
        server: e.server,
        registeredAt: null,
        retryAt: null,
      };
    case 'connected':
      return { ...s, transport: 'connected' };
    case 'registering':
      return { ...s, registration: s.registration === 'registered' ? 'registered' : 'registering' };
    case 'registered':
      return { ...s, transport: 'connected', registration: 'registered', registeredAt: e.at, retryAt: null };
    case 'rejected':
      return {
        ...s,
        registration: isCredentialsRejection(e.code) ? 'failed' : 'unregistered',
        registeredAt: null,
        lastError: describeRejection(e.code, e.reason),
      };
    case 'lost':
      return {
        ...s,
        transport: 'disconnected',
        // A rejected registration stays "failed" until new credentials arrive; anything else is simply not registered.
        registration: s.registration === 'failed' ? 'failed' : 'unregistered',
        registeredAt: null,
        lastError: e.reason,
        retryAt: e.retryAt,
      };
    case 'offline':
      return {
        ...s,
        online: false,
        transport: 'disconnected',
        registration: s.registration === 'failed' ? 'failed' : 'unregistered',
        registeredAt: null,
        lastError: 'the computer is offline (no network)',
        retryAt: null,
      };
    case 'online':
      return { ...s, online: true };
    case 'error':
      return { ...s, lastError: e.message };
    case 'stopped':
      return { ...INITIAL_LINK, online: s.online, lastError: s.lastError };
  }
}
