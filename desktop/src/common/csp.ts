// The renderer's Content-Security-Policy, shared by browser mode (serve.ts) and Electron (its protocol handler and
// session headers): scripts and styles only from the app itself, no inline script, no eval, no frames, no plugins;
// images also from blob: URLs (crew photos fetched with the login's token); network only to the configured centres (their ws:// and http:// origins) and, in browser mode, the host itself.
import type { Settings } from './bridge';

export function contentSecurityPolicy(settings: Settings | undefined, opts: { self: boolean }): string {
  const origins = new Set<string>();
  for (const centre of settings?.centres ?? []) {
    for (const url of [centre.url, centre.http, ...(centre.sip ? [centre.sip] : [])]) {
      try {
        const u = new URL(url);
        origins.add(`${u.protocol}//${u.host}`);
      } catch {
        // settings are validated; ignore anything odd rather than emit a broken header
      }
    }
  }
  const connect = [...(opts.self ? ["'self'"] : []), ...origins];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${connect.length ? connect.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
