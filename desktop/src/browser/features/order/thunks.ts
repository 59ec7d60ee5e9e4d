// Steps on an open order: act() with exactly what the action needs, comments, draft edits. Each returns the error to
// show inline (a WorkOrderError's message, translated by code where we can), or null when it worked.
import { act, comment, editDraft } from '@twinline/board';
import type { ActInput } from '@twinline/board';
import { WorkOrderError } from '@twinline/workorder';
import type { OrderDraft } from '@twinline/workorder';
import type { AppThunk } from '../../app/store';
import type * as Y from 'yjs';

export interface StepError {
  code: string;
  message: string;
}

function failure(error: unknown): StepError {
  if (error instanceof WorkOrderError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'invalid_payload', message: error.message };
  return { code: 'invalid_payload', message: String(error) };
}

function run(orderId: string, fn: (doc: Y.Doc) => void): AppThunk<StepError | null> {
  return (_dispatch, _getState, rt) => {
    const entry = rt.order(orderId);
    if (!entry) return { code: 'invalid_payload', message: `no order ${orderId}` };
    try {
      fn(rt.doc(entry.doc));
      rt.session?.ingest.flush();
      return null;
    } catch (error) {
      return failure(error);
    }
  };
}

export const performAction =
  (orderId: string, input: ActInput): AppThunk<StepError | null> =>
  (dispatch, getState, rt) =>
    dispatch(run(orderId, (doc) => act(doc, orderId, input, rt.actor())));

export const addComment =
  (orderId: string, text: string): AppThunk<StepError | null> =>
  (dispatch, _getState, rt) =>
    dispatch(run(orderId, (doc) => comment(doc, orderId, text, rt.actor())));

export const editOrderDraft =
  (orderId: string, patch: Partial<OrderDraft>): AppThunk<StepError | null> =>
  (dispatch, _getState, rt) =>
    dispatch(run(orderId, (doc) => editDraft(doc, orderId, patch, rt.actor())));

/** Tells the others which order this console has open and which draft field it edits. */
export const setPresence =
  (orderId: string | null, editing?: string | null): AppThunk =>
  (_dispatch, _getState, rt) => {
    const entry = rt.order(orderId);
    rt.session?.presence.set(entry?.doc ?? null, entry ? orderId : null, editing ?? null);
  };
