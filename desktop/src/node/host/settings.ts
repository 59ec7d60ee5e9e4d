// Settings defaults: the twin centres of the demo unless the command line names others. Stored settings (only the
// keys the user changed) are laid over these by the host.
import { Settings } from '../../common/bridge';
import type { Centre } from '../../common/bridge';
import { describeIssues } from '../../common/dispatch';

export const DEMO_CENTRES =
  'fuzhou=ws://127.0.0.1:4401;sip=ws://127.0.0.1:5480,xiamen=ws://127.0.0.1:4402;sip=ws://127.0.0.1:5482';

/**
 * `fuzhou=ws://127.0.0.1:4401;sip=ws://127.0.0.1:5480,xiamen=wss://b.example/` → centres; each centre's HTTP URL is
 * its ws URL as http(s); `;sip=` names its SIP server's WebSocket (softphones), when it has one.
 */
export function parseCentres(arg: string): Centre[] {
  return arg
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 1) throw new Error(`--centres: expected name=ws://host:port, got ${JSON.stringify(part)}`);
      const name = part.slice(0, eq);
      const [url = '', ...options] = part.slice(eq + 1).split(';');
      let sip: string | undefined;
      for (const option of options) {
        if (!option.startsWith('sip=')) throw new Error(`--centres: unknown option ${JSON.stringify(option)}`);
        sip = option.slice(4);
      }
      let http: string;
      try {
        const u = new URL(url);
        u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
        http = u.toString().replace(/\/$/, '');
      } catch {
        throw new Error(`--centres: ${JSON.stringify(url)} is not a URL`);
      }
      return sip ? { name, url, http, sip } : { name, url, http };
    });
}

export function defaultSettings(centresArg = DEMO_CENTRES, home?: string): Settings {
  const centres = parseCentres(centresArg);
  const parsed = Settings.safeParse({ homeCentre: home ?? centres[0]?.name ?? '', centres, language: 'zh-CN' });
  if (!parsed.success) throw new Error(`bad centre settings: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
