import { createContext, useContext, useSyncExternalStore } from 'react';
import { useDispatch, useSelector } from 'react-redux';
import type { AppDispatch, RootState } from './store';
import type { Runtime } from './runtime';
import type { BoardRow } from '../features/board/types';

export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();

export const RuntimeContext = createContext<Runtime | null>(null);

export function useRuntime(): Runtime {
  const r = useContext(RuntimeContext);
  if (!r) throw new Error('RuntimeContext missing');
  return r;
}

/** One row of the board; renders again only when that order changes. */
export function useOrder(id: string | null | undefined): BoardRow | undefined {
  const rt = useRuntime();
  return useSyncExternalStore(rt.orders.subscribe, () => rt.order(id));
}
