// Steps on an open order: act() with exactly what the action needs, comments, draft edits. The board worker runs
// them against its documents; each resolves to the error to show inline (a WorkOrderError's code and message), or
// null when it worked.
import type { ActInput, DraftPatch } from '@twinline/board';
import type { AppThunk } from '../../app/store';
import type { Runtime } from '../../app/runtime';
import type { StepError } from '../../board-worker/protocol';

export type { StepError };

function run(
  orderId: string,
  fn: (board: NonNullable<Runtime['session']>['board'], doc: string) => Promise<StepError | null>,
): AppThunk<Promise<StepError | null>> {
  return async (_dispatch, _getState, rt) => {
    const entry = rt.order(orderId);
    const session = rt.session;
    if (!entry || !session) return { code: 'invalid_payload', message: `no order ${orderId}` };
    try {
      return await fn(session.board, entry.doc);
    } catch (error) {
      return { code: 'invalid_payload', message: error instanceof Error ? error.message : String(error) };
    }
  };
}

export const performAction = (orderId: string, input: ActInput): AppThunk<Promise<StepError | null>> =>
  run(orderId, (board, doc) => board.call('act', { doc, id: orderId, input }));

export const addComment = (orderId: string, text: string): AppThunk<Promise<StepError | null>> =>
  run(orderId, (board, doc) => board.call('comment', { doc, id: orderId, text }));

export const editOrderDraft = (orderId: string, patch: DraftPatch): AppThunk<Promise<StepError | null>> =>
  run(orderId, (board, doc) => board.call('editDraft', { doc, id: orderId, patch }));

/** Tells the others which order this console has open and which draft field it edits. */
export const setPresence =
  (orderId: string | null, editing?: string | null): AppThunk =>
  (_dispatch, _getState, rt) => {
    const entry = rt.order(orderId);
    void rt.session?.board.call('presence', {
      doc: entry?.doc ?? null,
      orderId: entry ? orderId : null,
      editing: editing ?? null,
    });
  };
