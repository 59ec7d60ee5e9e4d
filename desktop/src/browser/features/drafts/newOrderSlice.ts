// The new-order form (快捷键 N): its values (autosaved to drafts.put, restored at start), field errors, submit state.
import { createSlice } from '@reduxjs/toolkit';
import type { PayloadAction } from '@reduxjs/toolkit';
import { emptyForm } from './form';
import type { FormErrors, OrderFormValues } from './form';

export interface NewOrderState {
  open: boolean;
  values: OrderFormValues;
  errors: FormErrors;
  /** Set after a submit attempt: from then on errors update as the user types. */
  submitted: boolean;
  submitError: string | null;
  /** The values came from a stored draft (shown as a notice). */
  restoredAt: number | null;
}

const initialState: NewOrderState = {
  open: false,
  values: emptyForm(),
  errors: {},
  submitted: false,
  submitError: null,
  restoredAt: null,
};

export const newOrderSlice = createSlice({
  name: 'newOrder',
  initialState,
  reducers: {
    formOpened(state, action: PayloadAction<{ defaultCity?: string } | undefined>) {
      state.open = true;
      if (!state.values.city && action.payload?.defaultCity) state.values.city = action.payload.defaultCity;
    },
    formClosed(state) {
      state.open = false;
    },
    formChanged(state, action: PayloadAction<Partial<OrderFormValues>>) {
      const patch = action.payload;
      if (patch.city !== undefined && patch.city !== state.values.city && patch.county === undefined) {
        state.values.county = '';
      }
      state.values = { ...state.values, ...patch };
      state.submitError = null;
    },
    formErrors(state, action: PayloadAction<FormErrors>) {
      state.errors = action.payload;
    },
    submitFailed(state, action: PayloadAction<{ errors: FormErrors; message: string | null }>) {
      state.submitted = true;
      state.errors = action.payload.errors;
      state.submitError = action.payload.message;
    },
    formReset(state, action: PayloadAction<{ defaultCity?: string } | undefined>) {
      state.values = emptyForm(action.payload?.defaultCity ?? '');
      state.errors = {};
      state.submitted = false;
      state.submitError = null;
      state.restoredAt = null;
    },
    draftRestored(state, action: PayloadAction<{ values: OrderFormValues; at: number }>) {
      state.values = action.payload.values;
      state.restoredAt = action.payload.at;
      state.open = true;
    },
  },
});

export const { formOpened, formClosed, formChanged, formErrors, submitFailed, formReset, draftRestored } =
  newOrderSlice.actions;
