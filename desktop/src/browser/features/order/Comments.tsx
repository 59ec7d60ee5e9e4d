import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Comment } from '@twinline/workorder';
import { useAppDispatch } from '../../app/hooks';
import { formatTime } from '../../i18n';
import { addComment } from './thunks';
import type { StepError } from './thunks';

export function Comments({ orderId, comments }: { orderId: string; comments: Comment[] }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const [text, setText] = useState('');
  const [error, setError] = useState<StepError | null>(null);

  const submit = async (e?: FormEvent) => {
    e?.preventDefault();
    if (!text.trim()) return;
    const err = await dispatch(addComment(orderId, text.trim()));
    setError(err);
    if (!err) setText('');
  };

  return (
    <section className="panel-section comments" aria-label={t('order.comments')}>
      <h3>{t('order.comments')}</h3>
      {comments.length === 0 && <p className="muted">{t('order.noComments')}</p>}
      <ul data-testid="order-comments">
        {comments.map((c) => (
          <li key={c.id} data-testid="order-comment">
            <span className="c-meta">
              <span className="mono">{formatTime(c.at)}</span> {c.by.userId}
            </span>
            <span className="c-text">{c.text}</span>
          </li>
        ))}
      </ul>
      <form onSubmit={(e) => void submit(e)} className="comment-form">
        <textarea
          rows={2}
          maxLength={4000}
          data-testid="order-comment-input"
          placeholder={t('order.commentPlaceholder')}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit(e);
          }}
        />
        <button type="submit" data-testid="order-comment-submit" disabled={!text.trim()}>
          {t('order.addComment')}
        </button>
      </form>
      {error && (
        <p className="inline-error" role="alert" data-testid="order-comment-error">
          {t(`order.errors.${error.code}`, { defaultValue: error.code })}
          <span className="detail">{error.message}</span>
        </p>
      )}
    </section>
  );
}
