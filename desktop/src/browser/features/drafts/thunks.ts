// The new-order form's life: restore the stored draft at start, autosave while typing, submit (createOrder on the
// city's document, then drafts.delete), discard.
import { regionDoc } from '@twinline/board/access';
import { CREATE_ROLES } from '@twinline/workorder';
import type { AppThunk } from '../../app/store';
import type { Runtime } from '../../app/runtime';
import { orderOpened } from '../board/boardSlice';
import { createAutosaver } from './autosave';
import type { Autosaver } from './autosave';
import { isBlank, parseFormJson, validateForm } from './form';
import type { OrderFormValues } from './form';
import {
  draftRestored,
  formChanged,
  formClosed,
  formErrors,
  formOpened,
  formReset,
  submitFailed,
} from './newOrderSlice';

export const NEW_ORDER_DRAFT_ID = 'new-order';

function autosaver(rt: Runtime): Autosaver<OrderFormValues> {
  rt.autosaver ??= createAutosaver<OrderFormValues>({
    id: NEW_ORDER_DRAFT_ID,
    store: {
      put: (draft) => rt.bridge.call('drafts.put', draft),
      delete: (id) => rt.bridge.call('drafts.delete', { id }),
    },
    delayMs: 300,
    onError: (error) => console.warn('draft autosave failed', error),
  });
  return rt.autosaver;
}

export const restoreDraft = (): AppThunk<Promise<void>> => async (dispatch, _getState, rt) => {
  try {
    const { drafts } = await rt.bridge.call('drafts.list');
    const draft = drafts.find((d) => d.id === NEW_ORDER_DRAFT_ID);
    const values = draft && parseFormJson(draft.json);
    if (draft && values && !isBlank(values)) dispatch(draftRestored({ values, at: draft.updatedAt }));
  } catch (error) {
    console.warn('could not read drafts', error);
  }
};

export const openNewOrder = (): AppThunk => (dispatch, getState) => {
  const account = getState().session.account;
  if (!account || !CREATE_ROLES.includes(account.role)) return;
  dispatch(formOpened({ defaultCity: account.city }));
};

/**
 * Opens the form with what a call already told us (the caller's number, the customer, the address): the agent types
 * only what the customer says. Fields the call does not know keep what was typed.
 */
export const openNewOrderFor =
  (known: Partial<OrderFormValues>): AppThunk =>
  (dispatch) => {
    dispatch(openNewOrder());
    const patch = Object.fromEntries(Object.entries(known).filter(([, v]) => v !== undefined && v !== ''));
    if (Object.keys(patch).length > 0) dispatch(changeForm(patch));
  };

export const changeForm =
  (patch: Partial<OrderFormValues>): AppThunk =>
  (dispatch, getState, rt) => {
    dispatch(formChanged(patch));
    const state = getState().newOrder;
    if (state.submitted) {
      const result = validateForm(state.values);
      dispatch(formErrors(result.ok ? {} : result.errors));
    }
    autosaver(rt).change(state.values, isBlank(state.values));
  };

export const submitNewOrder = (): AppThunk<Promise<string | null>> => async (dispatch, getState, rt) => {
  const values = getState().newOrder.values;
  const result = validateForm(values);
  if (!result.ok) {
    dispatch(submitFailed({ errors: result.errors, message: null }));
    return null;
  }
  const fail = (message: string) => {
    dispatch(submitFailed({ errors: {}, message }));
    return null;
  };
  const session = rt.session;
  if (!session) return fail('not signed in');
  try {
    // The worker refolds before it answers, so the new order is on the board when it is opened here.
    const created = await session.board.call('createOrder', {
      doc: regionDoc(result.draft.region.city),
      draft: result.draft,
    });
    if ('code' in created) return fail(created.message);
    void autosaver(rt).discard();
    dispatch(formReset());
    dispatch(formClosed());
    dispatch(orderOpened(created.id));
    return created.id;
  } catch (error) {
    return fail(error instanceof Error ? error.message : String(error));
  }
};

/** Throws the half-typed order away (asks nothing: the button says what it does). */
export const discardNewOrder = (): AppThunk => (dispatch, _getState, rt) => {
  void autosaver(rt).discard();
  dispatch(formReset());
  dispatch(formClosed());
};
