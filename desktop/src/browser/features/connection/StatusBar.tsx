import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { helpToggled } from '../../app/uiSlice';
import { centreName } from '../../i18n';
import type { Language } from '../../i18n';
import { setLanguage, signOut, switchCentre } from '../session/thunks';
import { loginViaDismissed } from '../session/sessionSlice';
import { cacheNoticeDismissed, writeRefused } from './connectionSlice';

export function StatusBar() {
  const { t, i18n } = useTranslation();
  const dispatch = useAppDispatch();
  const conn = useAppSelector((s) => s.connection);
  const account = useAppSelector((s) => s.session.account);
  const loginVia = useAppSelector((s) => s.session.loginVia);
  const status = account ? conn.status : 'offline';
  const level = status === 'synced' || status === 'connected' ? 'ok' : status === 'connecting' ? 'pending' : 'down';

  return (
    <header className="statusbar" role="status">
      <span className="brand">{t('app.title')}</span>
      {account && (
        <>
          <span className="status-item" data-testid="status-centre" data-centre={conn.centre ?? ''}>
            {centreName(conn.centre)}
          </span>
          <span
            className={`status-item conn conn-${level}`}
            data-testid="status-connection"
            data-status={status}
            title={conn.lastError ? t('status.refused', conn.lastError) : undefined}
          >
            <i className="dot" aria-hidden />
            {t(`status.connection.${status}`)}
          </span>
        </>
      )}
      {account && conn.failedOver && conn.home && (
        <span className="notice notice-warn" data-testid="status-failover">
          {t('status.failedOver', { centre: centreName(conn.centre) })}
          <button type="button" data-testid="status-return-home" onClick={() => dispatch(switchCentre(conn.home!))}>
            {t('status.returnHome', { home: centreName(conn.home) })}
          </button>
        </span>
      )}
      {account && loginVia && !conn.failedOver && (
        <span className="notice notice-warn" data-testid="status-login-via">
          {t('login.via', {
            home: loginVia.unreachable.map((c) => centreName(c)).join('、'),
            via: centreName(loginVia.via),
          })}
          <button type="button" className="link" onClick={() => dispatch(loginViaDismissed())}>
            {t('status.dismiss')}
          </button>
        </span>
      )}
      {conn.lastError && status === 'offline' && account && (
        <span className="notice notice-error" data-testid="status-refused">
          {t('status.refused', conn.lastError)}
        </span>
      )}
      {conn.cacheRecovered && !conn.cacheNoticeDismissed && (
        <span
          className="notice notice-info"
          data-testid="status-cache-recovered"
          title={conn.cacheRecovered.reason ?? ''}
        >
          {t('status.cacheRecovered', { path: conn.cacheRecovered.from })}
          <button type="button" className="link" onClick={() => dispatch(cacheNoticeDismissed())}>
            {t('status.dismiss')}
          </button>
        </span>
      )}
      {conn.writeRefused && (
        <span className="notice notice-error" data-testid="status-write-refused">
          {t('status.writeRefused', { reason: conn.writeRefused.reason })}
          <button type="button" className="link" onClick={() => dispatch(writeRefused(null))}>
            {t('status.dismiss')}
          </button>
        </span>
      )}
      <span className="spacer" />
      {account && (
        <span className="status-item user" data-testid="status-user" data-role={account.role}>
          {account.displayName}
          <span className="role">{t(`roles.${account.role}`)}</span>
        </span>
      )}
      <select
        className="lang"
        aria-label={t('status.language')}
        data-testid="status-language"
        value={i18n.language === 'en' ? 'en' : 'zh-CN'}
        onChange={(e) => void dispatch(setLanguage(e.target.value as Language))}
      >
        <option value="zh-CN">{t('language.zh-CN')}</option>
        <option value="en">{t('language.en')}</option>
      </select>
      <button type="button" className="ghost" data-testid="status-help" onClick={() => dispatch(helpToggled())}>
        ?
      </button>
      {account && (
        <button type="button" className="ghost" data-testid="status-signout" onClick={() => void dispatch(signOut())}>
          {t('status.signOut')}
        </button>
      )}
    </header>
  );
}
