export { openCentreStorage, CENTRE_DB_FILE } from './storage';
export type { CentreStorage, CentreStorageOptions } from './storage';
export { ACCOUNT_ROLES, AccountSchema } from './accounts';
export type { Account, AccountRole } from './accounts';
export { ArchiveRecordSchema } from './archive';
export type { ArchiveHit, ArchiveQuery, ArchiveRecord } from './archive';
export type { CompactResult, DocStats } from './updates';
export { CorruptDatabaseError } from '@twinline/sql';
