// Settings defaults: the twin centres of the demo unless the command line names others. Stored settings (only the
// keys the user changed) are laid over these by the host.
import { Settings } from '../../common/bridge';
import type { Centre } from '../../common/bridge';
import { describeIssues } from '../../common/dispatch';

export const DEMO_CENTRES = 'fuzhou=ws://127.0.0.1:4401,xiamen=ws://127.0.0.1:4402';

/** `fuzhou=ws://127.0.0.1:4401,xiamen=wss://b.example/` → centres; each centre's HTTP URL is its ws URL as http(s). */
export function parseCentres(arg: string): Centre[] {
  return arg
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq < 1) throw new Error(`--centres: expected name=ws://host:port, got ${JSON.stringify(part)}`);
      const name = part.slice(0, eq);
      const url = part.slice(eq + 1);
      let http: string;
      try {
        const u = new URL(url);
        u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
        http = u.toString().replace(/\/$/, '');
      } catch {
        throw new Error(`--centres: ${JSON.stringify(url)} is not a URL`);
      }
      return { name, url, http };
    });
}

export function defaultSettings(centresArg = DEMO_CENTRES, home?: string): Settings {
  const centres = parseCentres(centresArg);
  const parsed = Settings.safeParse({ homeCentre: home ?? centres[0]?.name ?? '', centres, language: 'zh-CN' });
  if (!parsed.success) throw new Error(`bad centre settings: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
