import { configureStore } from '@reduxjs/toolkit';
import type { ThunkAction, UnknownAction } from '@reduxjs/toolkit';
import { boardSlice } from '../features/board/boardSlice';
import { connectionSlice } from '../features/connection/connectionSlice';
import { newOrderSlice } from '../features/drafts/newOrderSlice';
import { phoneSlice } from '../features/phone/phoneSlice';
import { presenceSlice } from '../features/presence/presenceSlice';
import { sessionSlice } from '../features/session/sessionSlice';
import { uiSlice } from './uiSlice';
import type { Runtime } from './runtime';

export function createStore(runtime: Runtime) {
  return configureStore({
    reducer: {
      session: sessionSlice.reducer,
      connection: connectionSlice.reducer,
      board: boardSlice.reducer,
      presence: presenceSlice.reducer,
      newOrder: newOrderSlice.reducer,
      phone: phoneSlice.reducer,
      ui: uiSlice.reducer,
    },
    middleware: (getDefault) =>
      getDefault({
        thunk: { extraArgument: runtime },
        // 20,000 orders: the dev-only deep checks would walk the whole board on every action.
        serializableCheck: false,
        immutableCheck: false,
      }),
  });
}

export type AppStore = ReturnType<typeof createStore>;
export type RootState = ReturnType<AppStore['getState']>;
export type AppDispatch = AppStore['dispatch'];
export type AppThunk<R = void> = ThunkAction<R, RootState, Runtime, UnknownAction>;
