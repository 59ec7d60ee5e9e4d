export { BoardConnection, isTerminalClose } from './connection';
export type {
  BoardConnectionOptions,
  BoardState,
  BoardStatus,
  Centre,
  ConnectionEvent,
  DialReason,
} from './connection';
export { CACHE_FLUSH_MS, CACHE_ORIGIN, MemoryCache, persistDoc } from './cache';
export type { BoardCache, PersistedDoc, PersistOptions } from './cache';
