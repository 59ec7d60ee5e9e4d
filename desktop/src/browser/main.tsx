// PLACEHOLDER renderer: proves the bridge end to end (build, Electron, browser mode, e2e smoke) by calling
// 'cache.status' and 'settings.get' and showing the results. The real console UI replaces this file.
// Written without JSX on purpose so the root tsconfig needs no `jsx` option yet (see the desktop-bridge decision).
import { StrictMode, createElement as h, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { BridgeOutput } from '../common/bridge';
import { createBridgeClient } from './bridge-client';

interface Loaded {
  status: BridgeOutput<'cache.status'>;
  settings: BridgeOutput<'settings.get'>;
}

function App() {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const bridge = useState(() => createBridgeClient())[0];

  useEffect(() => {
    Promise.all([bridge.call('cache.status'), bridge.call('settings.get')]).then(
      ([status, settings]) => setLoaded({ status, settings }),
      (err: unknown) => setError(err instanceof Error ? err.message : String(err)),
    );
  }, [bridge]);

  return h(
    'main',
    null,
    h('h1', null, 'Twinline 孪线'),
    h('p', { 'data-testid': 'mode' }, `bridge: ${bridge.mode}`),
    error && h('p', { className: 'error', 'data-testid': 'error' }, error),
    loaded?.status.recoveredFrom &&
      h(
        'p',
        { className: 'warning', 'data-testid': 'recovered' },
        `本地缓存已损坏，已移至 ${loaded.status.recoveredFrom} / The local cache was unreadable and was moved aside.`,
      ),
    loaded &&
      h(
        'section',
        null,
        h('h2', null, 'cache.status'),
        h('pre', { 'data-testid': 'cache-status' }, JSON.stringify(loaded.status, null, 2)),
        h('h2', null, 'settings.get'),
        h('pre', { 'data-testid': 'settings' }, JSON.stringify(loaded.settings, null, 2)),
      ),
  );
}

const root = document.getElementById('root');
if (root) createRoot(root).render(h(StrictMode, null, h(App)));
