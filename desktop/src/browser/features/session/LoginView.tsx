import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { centreName } from '../../i18n';
import { signIn } from './thunks';

export function LoginView() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const settings = useAppSelector((s) => s.session.settings);
  const phase = useAppSelector((s) => s.session.phase);
  const error = useAppSelector((s) => s.session.error);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [centre, setCentre] = useState<string>(settings?.homeCentre ?? '');
  const busy = phase === 'signingIn';

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (busy || !username.trim() || !password) return;
    void dispatch(signIn({ username, password, centre: centre || settings?.homeCentre || '' }));
  };

  return (
    <div className="login">
      <form className="login-card" onSubmit={submit} data-testid="login-form">
        <h1>{t('app.title')}</h1>
        <p className="login-sub">{t('login.subtitle')}</p>
        <label>
          <span>{t('login.username')}</span>
          <input
            data-testid="login-username"
            autoFocus
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </label>
        <label>
          <span>{t('login.password')}</span>
          <input
            data-testid="login-password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </label>
        <label>
          <span>{t('login.centre')}</span>
          <select data-testid="login-centre" value={centre} onChange={(e) => setCentre(e.target.value)}>
            {settings?.centres.map((c) => (
              <option key={c.name} value={c.name}>
                {centreName(c.name)}
              </option>
            ))}
          </select>
        </label>
        {error && (
          <p className="login-error" role="alert" data-testid="login-error" data-code={error.code}>
            {t(`login.errors.${error.code}`, { detail: error.detail })}
          </p>
        )}
        <button
          type="submit"
          className="primary"
          data-testid="login-submit"
          disabled={busy || !settings || !username.trim() || !password}
        >
          {busy ? t('login.signingIn') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
