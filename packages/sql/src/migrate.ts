import type { SqlDriver } from './driver';

/**
 * Brings the schema up to `steps.length` using PRAGMA user_version: step i (0-based) runs once, in its own
 * transaction together with `user_version = i + 1`, so a crash mid-migration leaves the previous version intact.
 * Steps are append-only: never edit or reorder a released step, add a new one. Returns the resulting version.
 */
export async function migrate(db: SqlDriver, steps: readonly string[]): Promise<number> {
  const current = await userVersion(db);
  if (current > steps.length) {
    throw new Error(
      `SQLite database ${db.file} has schema version ${current}, newer than this build knows (${steps.length}); ` +
        'refusing to run an older build against it',
    );
  }
  for (let i = current; i < steps.length; i++) {
    await db.transaction(async (tx) => {
      // Re-read inside the write lock: another process may have migrated meanwhile.
      const row = await tx.get<{ user_version: number }>('PRAGMA user_version');
      if ((row?.user_version ?? 0) !== i) return;
      await tx.exec(steps[i] as string);
      await tx.exec(`PRAGMA user_version = ${i + 1}`);
    });
  }
  return userVersion(db);
}

async function userVersion(db: SqlDriver): Promise<number> {
  const row = await db.get<{ user_version: number }>('PRAGMA user_version');
  return row?.user_version ?? 0;
}
