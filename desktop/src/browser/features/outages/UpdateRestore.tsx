// The expected restoration of an outage, changed from its order as the crews learn more: the notice every agent's
// screen-pop shows for a caller from the area follows at once (it is the outage order's draft, replicated).
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkOrder } from '@twinline/workorder';
import { useAppDispatch } from '../../app/hooks';
import { editOrderDraft } from '../order/thunks';
import { localInput } from './declare';

export function UpdateRestore({ order }: { order: WorkOrder }) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const outage = order.draft.outage!;
  const current = localInput(Date.parse(outage.expectedRestoreAt));
  const [value, setValue] = useState(current);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setValue(current), [current]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const at = new Date(value);
    if (!value || Number.isNaN(at.getTime())) {
      setError(t('outage.restore.invalid'));
      return;
    }
    const err = await dispatch(
      editOrderDraft(order.id, { outage: { ...outage, expectedRestoreAt: at.toISOString() } }),
    );
    setError(err ? err.message : null);
  };

  return (
    <form className="update-restore" onSubmit={(e) => void submit(e)} data-testid="outage-update-restore">
      <label>
        {t('outage.restore.label')}{' '}
        <input
          type="datetime-local"
          data-testid="outage-restore-input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
        />
      </label>{' '}
      <button type="submit" disabled={value === current} data-testid="outage-restore-submit">
        {t('outage.restore.update')}
      </button>
      {error && (
        <span className="inline-error" role="alert">
          {error}
        </span>
      )}
    </form>
  );
}
