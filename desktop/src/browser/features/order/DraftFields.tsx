import { useState } from 'react';
import type { KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CHANNELS, ORDER_TYPES, PRIORITIES } from '@twinline/workorder';
import type { OrderDraft } from '@twinline/workorder';
import type { DraftPatch } from '@twinline/board';
import { useAppDispatch, useAppSelector } from '../../app/hooks';
import { cityName, countyName } from '../../i18n';
import type { PresenceUser } from '../presence/collect';
import { editOrderDraft, setPresence } from './thunks';
import type { StepError } from './thunks';

/** Draft fields that can be edited in place (the region cannot: an order stays in its city's document). */
type EditableField =
  'type' | 'channel' | 'priority' | 'callerNumber' | 'callerName' | 'customerAccount' | 'address' | 'description';

const ROWS: { field: EditableField | 'region'; wide?: boolean }[] = [
  { field: 'type' },
  { field: 'channel' },
  { field: 'priority' },
  { field: 'callerNumber' },
  { field: 'callerName' },
  { field: 'customerAccount' },
  { field: 'region' },
  { field: 'address', wide: true },
  { field: 'description', wide: true },
];

const CHOICES: Partial<Record<EditableField, readonly string[]>> = {
  type: ORDER_TYPES,
  channel: CHANNELS,
  priority: PRIORITIES,
};
const CHOICE_NS: Partial<Record<EditableField, string>> = {
  type: 'types',
  channel: 'channels',
  priority: 'priorities',
};

export function DraftFields({
  orderId,
  draft,
  editable,
  viewers,
}: {
  orderId: string;
  draft: OrderDraft;
  editable: boolean;
  viewers: PresenceUser[] | undefined;
}) {
  const { t } = useTranslation();
  const dispatch = useAppDispatch();
  const [editing, setEditing] = useState<EditableField | null>(null);
  const [value, setValue] = useState('');
  const [error, setError] = useState<StepError | null>(null);
  const openId = useAppSelector((s) => s.board.openId);

  const begin = (field: EditableField) => {
    setEditing(field);
    setValue(String(draft[field] ?? ''));
    setError(null);
    dispatch(setPresence(openId, field));
  };
  const end = () => {
    setEditing(null);
    dispatch(setPresence(openId, null));
  };
  const save = async () => {
    if (!editing) return;
    const v = value.trim();
    const patch: DraftPatch = {};
    // An emptied optional field (the caller's name, the customer account) is cleared.
    (patch as Record<string, string | null>)[editing] =
      (editing === 'callerName' || editing === 'customerAccount') && !v ? null : v;
    const err = await dispatch(editOrderDraft(orderId, patch));
    setError(err);
    if (!err) end();
  };

  return (
    <section className="panel-section draft" aria-label={t('order.draft')}>
      <dl className="fields">
        {ROWS.map(({ field, wide }) => {
          const others = viewers?.filter((u) => u.editing === field) ?? [];
          const label = t(`form.fields.${field === 'region' ? 'county' : field}`);
          return (
            <div key={field} className={`field${wide ? ' wide' : ''}`} data-testid={`order-field-${field}`}>
              <dt>{field === 'region' ? t('order.region') : label}</dt>
              <dd>
                {editing !== null && editing === field ? (
                  <FieldEditor
                    field={field}
                    value={value}
                    onChange={setValue}
                    onSave={() => void save()}
                    onCancel={end}
                  />
                ) : (
                  <>
                    <span className="value">{display(field, draft, t)}</span>
                    {editable && field !== 'region' && (
                      <button
                        type="button"
                        className="link edit"
                        data-testid={`order-edit-${field}`}
                        onClick={() => begin(field)}
                      >
                        {t('order.edit')}
                      </button>
                    )}
                  </>
                )}
                {others.map((u) => (
                  <span key={u.clientId} className="editing-by" data-testid={`editing-${field}`}>
                    {t('order.editing', { name: u.name, field: label })}
                  </span>
                ))}
                {editing === field && error && (
                  <span className="field-error" data-testid="order-edit-error">
                    {error.message}
                  </span>
                )}
              </dd>
            </div>
          );
        })}
      </dl>
    </section>
  );
}

function display(field: EditableField | 'region', d: OrderDraft, t: (k: string) => string): string {
  switch (field) {
    case 'region':
      return `${cityName(d.region.city)} · ${countyName(d.region.city, d.region.county)} · ${t(`areaClasses.${d.region.areaClass}`)}`;
    case 'type':
      return t(`types.${d.type}`);
    case 'channel':
      return t(`channels.${d.channel}`);
    case 'priority':
      return t(`priorities.${d.priority}`);
    default:
      return d[field] || '—';
  }
}

function FieldEditor({
  field,
  value,
  onChange,
  onSave,
  onCancel,
}: {
  field: EditableField;
  value: string;
  onChange: (v: string) => void;
  onSave: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const keys = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onCancel();
    }
    if (e.key === 'Enter' && (field !== 'description' || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      onSave();
    }
  };
  const choices = CHOICES[field];
  return (
    <span className="field-editor">
      {choices ? (
        <select
          autoFocus
          data-testid={`order-edit-input-${field}`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={keys}
        >
          {choices.map((c) => (
            <option key={c} value={c}>
              {t(`${CHOICE_NS[field]}.${c}`)}
            </option>
          ))}
        </select>
      ) : field === 'description' ? (
        <textarea
          autoFocus
          rows={3}
          data-testid={`order-edit-input-${field}`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={keys}
        />
      ) : (
        <input
          autoFocus
          data-testid={`order-edit-input-${field}`}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={keys}
        />
      )}
      <button type="button" className="primary" data-testid="order-edit-save" onClick={onSave}>
        {t('order.save')}
      </button>
      <button type="button" onClick={onCancel}>
        {t('order.cancel')}
      </button>
    </span>
  );
}
