// Keyboard shortcuts: which key does what, as a pure function (tested), and the hook that carries it out.
import { useEffect } from 'react';
import { useStore } from 'react-redux';
import { cursorMoved, orderOpened, panelClosed } from '../features/board/boardSlice';
import { formClosed } from '../features/drafts/newOrderSlice';
import { openNewOrder } from '../features/drafts/thunks';
import { callStep, toggleMute } from '../features/phone/thunks';
import { helpClosed, helpToggled } from './uiSlice';
import type { AppStore } from './store';
import { useRuntime } from './hooks';

export type Command =
  'new' | 'search' | 'down' | 'up' | 'open' | 'escape' | 'help' | 'answer' | 'hangup' | 'hold' | 'mute';

/** The phone's keys work everywhere, also while typing an order during the call (F-keys type nothing). */
const PHONE_KEYS: Record<string, Command> = { F2: 'answer', F3: 'hangup', F4: 'hold', F5: 'mute' };

export interface KeyInput {
  key: string;
  ctrl: boolean;
  alt: boolean;
  meta: boolean;
  /** Focus is in a text field, select or text area. */
  inField: boolean;
  /** Focus is in the board's search box (arrows and Enter still move / open). */
  inSearch: boolean;
  /** Focus is on a button or link (Enter activates it, not the row). */
  onButton: boolean;
}

export function commandFor(k: KeyInput): Command | null {
  if (k.key === 'Escape') return 'escape';
  if (!k.ctrl && !k.alt && !k.meta && PHONE_KEYS[k.key]) return PHONE_KEYS[k.key]!;
  if (k.ctrl || k.alt || k.meta) return null;
  if (k.inSearch) {
    if (k.key === 'ArrowDown') return 'down';
    if (k.key === 'ArrowUp') return 'up';
    if (k.key === 'Enter') return 'open';
    return null;
  }
  if (k.inField) return null;
  switch (k.key) {
    case 'n':
    case 'N':
      return 'new';
    case '/':
      return 'search';
    case 'j':
    case 'ArrowDown':
      return 'down';
    case 'k':
    case 'ArrowUp':
      return 'up';
    case 'Enter':
      return k.onButton ? null : 'open';
    case '?':
      return 'help';
    default:
      return null;
  }
}

/** The id `delta` rows from `current` (the first row when nothing is selected yet). */
export function moveCursor(ids: readonly string[], current: string | null, delta: number): string | null {
  if (ids.length === 0) return null;
  const i = current ? ids.indexOf(current) : -1;
  if (i < 0) return ids[delta > 0 ? 0 : ids.length - 1]!;
  return ids[Math.min(ids.length - 1, Math.max(0, i + delta))]!;
}

export function useShortcuts(): void {
  const store = useStore() as AppStore;
  const { board } = useRuntime();
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      const tag = target?.tagName ?? '';
      const inField = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || !!target?.isContentEditable;
      const command = commandFor({
        key: e.key,
        ctrl: e.ctrlKey,
        alt: e.altKey,
        meta: e.metaKey,
        inField,
        inSearch: target?.dataset.testid === 'board-search',
        onButton: tag === 'BUTTON' || tag === 'A',
      });
      if (!command) return;
      const state = store.getState();
      if (state.session.phase !== 'signedIn') return;
      const dispatch = store.dispatch;
      switch (command) {
        case 'escape':
          if (state.ui.helpOpen) dispatch(helpClosed());
          else if (state.newOrder.open) dispatch(formClosed());
          else if (state.board.openId) dispatch(panelClosed());
          else if (inField) target?.blur();
          else return;
          break;
        case 'help':
          dispatch(helpToggled());
          break;
        case 'new':
          dispatch(openNewOrder());
          break;
        case 'search':
          document.querySelector<HTMLInputElement>('[data-testid="board-search"]')?.focus();
          break;
        case 'down':
        case 'up':
          dispatch(
            cursorMoved(moveCursor(board.selectVisibleIds(state), state.board.cursorId, command === 'down' ? 1 : -1)),
          );
          break;
        case 'answer':
        case 'hangup':
        case 'hold':
        case 'mute': {
          const calls = state.phone.phone?.calls ?? [];
          const call =
            calls.find((c) => c.id === state.phone.cardCallId && c.status !== 'ended') ??
            calls.find((c) => c.status !== 'ended');
          if (!call) return;
          if (command === 'answer' && call.status === 'ringing') void dispatch(callStep('answer', call.id));
          else if (command === 'hangup')
            void dispatch(callStep(call.status === 'ringing' ? 'reject' : 'hangup', call.id));
          else if (command === 'hold' && call.status === 'active')
            void dispatch(callStep(call.held ? 'resume' : 'hold', call.id));
          else if (command === 'mute' && call.status === 'active') dispatch(toggleMute(call.id));
          break;
        }
        case 'open': {
          const id = state.board.cursorId ?? board.selectVisibleIds(state)[0];
          if (!id) return;
          dispatch(orderOpened(id));
          break;
        }
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
