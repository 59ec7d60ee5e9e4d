import { z } from 'zod';
import type { SqlDriver } from '@twinline/sql';
import { hashPassword, needsRehash, verifyPassword } from './passwords';

export const ACCOUNT_ROLES = ['agent', 'dispatcher', 'team_lead', 'admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

const name = z.string().trim().min(1).max(64);
export const AccountSchema = z.object({
  username: name,
  displayName: z.string().trim().min(1).max(128),
  role: z.enum(ACCOUNT_ROLES),
  centre: name,
  stationId: name.optional(),
  city: name.optional(),
});
export type Account = z.infer<typeof AccountSchema>;

interface AccountRow {
  username: string;
  display_name: string;
  role: AccountRole;
  centre: string;
  station_id: string | null;
  city: string | null;
  password_hash: string;
}

const COLUMNS = 'username, display_name, role, centre, station_id, city, password_hash';

function toAccount(row: AccountRow): Account {
  const account: Account = {
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    centre: row.centre,
  };
  if (row.station_id !== null) account.stationId = row.station_id;
  if (row.city !== null) account.city = row.city;
  return account;
}

export class Accounts {
  constructor(private readonly db: SqlDriver) {}

  /** Creates or replaces the account and sets its password (hashed with scrypt; the password is never stored). */
  async upsert(input: Account, password: string): Promise<Account> {
    const account = AccountSchema.parse(input);
    if (typeof password !== 'string' || password.length === 0) throw new TypeError('password must be non-empty');
    const hash = await hashPassword(password);
    const now = new Date().toISOString();
    await this.db.run(
      `INSERT INTO accounts (${COLUMNS}, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (username) DO UPDATE SET display_name = excluded.display_name, role = excluded.role,
         centre = excluded.centre, station_id = excluded.station_id, city = excluded.city,
         password_hash = excluded.password_hash, updated_at = excluded.updated_at`,
      [
        account.username,
        account.displayName,
        account.role,
        account.centre,
        account.stationId ?? null,
        account.city ?? null,
        hash,
        now,
        now,
      ],
    );
    return account;
  }

  /** The account if the password matches, else null. Unknown users cost one scrypt too (no existence oracle). */
  async verifyLogin(username: string, password: string): Promise<Account | null> {
    const row = await this.db.get<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE username = ?`, [username]);
    const ok = await verifyPassword(String(password), row?.password_hash ?? null);
    if (!ok || !row) return null;
    if (needsRehash(row.password_hash)) {
      // Parameters were raised since this hash was made: upgrade it now that we know the password.
      const hash = await hashPassword(password);
      await this.db.run('UPDATE accounts SET password_hash = ? WHERE username = ? AND password_hash = ?', [
        hash,
        username,
        row.password_hash,
      ]);
    }
    return toAccount(row);
  }

  async get(username: string): Promise<Account | null> {
    const row = await this.db.get<AccountRow>(`SELECT ${COLUMNS} FROM accounts WHERE username = ?`, [username]);
    return row ? toAccount(row) : null;
  }

  async list(): Promise<Account[]> {
    const rows = await this.db.all<AccountRow>(`SELECT ${COLUMNS} FROM accounts ORDER BY username`);
    return rows.map(toAccount);
  }
}
