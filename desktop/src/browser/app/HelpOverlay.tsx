import { useTranslation } from 'react-i18next';
import { useAppDispatch } from './hooks';
import { helpClosed } from './uiSlice';

const KEYS: [string[], string][] = [
  [['N'], 'new'],
  [['/'], 'search'],
  [['J', 'K', '↑', '↓'], 'move'],
  [['Enter'], 'open'],
  [['Esc'], 'close'],
  [['Ctrl', '+', 'Enter'], 'submit'],
  [['?'], 'help'],
  [['F2'], 'answer'],
  [['F3'], 'hangup'],
  [['F4'], 'hold'],
  [['F5'], 'mute'],
];

export function HelpOverlay() {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  return (
    <div className="overlay" onClick={() => dispatch(helpClosed())}>
      <div
        className="help"
        role="dialog"
        aria-label={t('help.title')}
        data-testid="help-overlay"
        onClick={(e) => e.stopPropagation()}
      >
        <h2>{t('help.title')}</h2>
        <table>
          <tbody>
            {KEYS.map(([keys, what]) => (
              <tr key={what}>
                <td>{keys.map((k) => (k === '+' ? ' + ' : <kbd key={k}>{k}</kbd>))}</td>
                <td>{t(`help.keys.${what}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" autoFocus onClick={() => dispatch(helpClosed())}>
          {t('help.close')}
        </button>
      </div>
    </div>
  );
}
