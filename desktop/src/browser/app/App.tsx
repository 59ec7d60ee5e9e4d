import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { BoardView } from '../features/board/BoardView';
import { StatusBar } from '../features/connection/StatusBar';
import { NewOrderForm } from '../features/drafts/NewOrderForm';
import { OrderPanel } from '../features/order/OrderPanel';
import { CallCard } from '../features/phone/CallCard';
import { PhoneBar } from '../features/phone/PhoneBar';
import { LoginView } from '../features/session/LoginView';
import { boot } from '../features/session/thunks';
import { HelpOverlay } from './HelpOverlay';
import { useAppDispatch, useAppSelector } from './hooks';
import { useShortcuts } from './shortcuts';

export function App() {
  const { t, i18n } = useTranslation();
  const dispatch = useAppDispatch();
  const phase = useAppSelector((s) => s.session.phase);
  const formOpen = useAppSelector((s) => s.newOrder.open);
  const panelOpen = useAppSelector((s) => s.board.openId !== null);
  const helpOpen = useAppSelector((s) => s.ui.helpOpen);
  useShortcuts();

  useEffect(() => {
    void dispatch(boot());
  }, [dispatch]);

  useEffect(() => {
    document.documentElement.lang = i18n.language;
    document.title = t('app.title');
  }, [i18n.language, t]);

  return (
    <div className="app">
      <StatusBar />
      {phase === 'signedIn' && <PhoneBar />}
      {phase === 'booting' && <p className="booting">{t('app.loading')}</p>}
      {(phase === 'signedOut' || phase === 'signingIn') && <LoginView />}
      {phase === 'signedIn' && (
        <main className={`workspace${panelOpen ? ' with-panel' : ''}`}>
          <BoardView />
          {formOpen && <NewOrderForm />}
          <OrderPanel />
          <CallCard />
        </main>
      )}
      {helpOpen && <HelpOverlay />}
    </div>
  );
}
