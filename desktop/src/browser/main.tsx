// The renderer's entry: the bridge client, the store (with the runtime as the thunks' extra argument), i18n, the app.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { I18nextProvider } from 'react-i18next';
import { createBridgeClient } from './bridge-client';
import { App } from './app/App';
import { RuntimeContext } from './app/hooks';
import { Runtime } from './app/runtime';
import { createStore } from './app/store';
import { i18n } from './i18n';
import './styles/base.css';
import './styles/board.css';
import './styles/panel.css';
import './styles/phone.css';

const runtime = new Runtime(createBridgeClient());
// The board's last rows, asked for before React or the login has started: a cold start's first picture.
runtime.prefetchSnapshot();
const store = createStore(runtime);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <Provider store={store}>
        <RuntimeContext.Provider value={runtime}>
          <I18nextProvider i18n={i18n}>
            <App />
          </I18nextProvider>
        </RuntimeContext.Provider>
      </Provider>
    </StrictMode>,
  );
}
