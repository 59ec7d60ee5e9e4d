export { CorruptDatabaseError } from './driver';
export type { IntegrityCheck, OpenOptions, RunResult, SqlDriver, SqlExecutor, SqlParams, SqlValue } from './driver';
export { openSqlite3 } from './sqlite3';
export { migrate } from './migrate';
export { openSqlite3 as openDatabase } from './sqlite3';
