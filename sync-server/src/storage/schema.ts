// The centre database's schema, as append-only migration steps (PRAGMA user_version counts how many ran).
// Never edit a released step; add a new one.
export const MIGRATIONS: readonly string[] = [
  // 1: Yjs update log, accounts, order archive.
  `
  CREATE TABLE yjs_updates (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    doc  TEXT NOT NULL,
    data BLOB NOT NULL
  );
  CREATE INDEX yjs_updates_doc_id ON yjs_updates (doc, id);

  CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('agent', 'dispatcher', 'team_lead', 'admin')),
    centre        TEXT NOT NULL,
    station_id    TEXT,
    city          TEXT,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
  );

  -- An explicit INTEGER PRIMARY KEY so the rowid the FTS index points at survives VACUUM.
  CREATE TABLE archived_orders (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    city         TEXT NOT NULL,
    archived_at  TEXT NOT NULL,
    archived_ms  INTEGER NOT NULL,
    summary      TEXT NOT NULL,
    json         TEXT NOT NULL
  );
  CREATE INDEX archived_orders_newest ON archived_orders (archived_ms DESC, seq DESC);
  CREATE INDEX archived_orders_city_newest ON archived_orders (city, archived_ms DESC, seq DESC);
  `,
];

/**
 * Full-text index over archived_orders.summary, created outside MIGRATIONS because it depends on the SQLite build
 * (FTS5 with the trigram tokenizer, SQLite >= 3.34). Trigram matches any substring of >= 3 characters, which is what
 * Chinese text (no spaces between words) and phone numbers need. Idempotent.
 */
export const ARCHIVE_FTS = `
  CREATE VIRTUAL TABLE IF NOT EXISTS archived_orders_fts
    USING fts5 (summary, content = 'archived_orders', content_rowid = 'seq', tokenize = 'trigram');
  CREATE TRIGGER IF NOT EXISTS archived_orders_ai AFTER INSERT ON archived_orders BEGIN
    INSERT INTO archived_orders_fts (rowid, summary) VALUES (new.seq, new.summary);
  END;
  CREATE TRIGGER IF NOT EXISTS archived_orders_ad AFTER DELETE ON archived_orders BEGIN
    INSERT INTO archived_orders_fts (archived_orders_fts, rowid, summary) VALUES ('delete', old.seq, old.summary);
  END;
  CREATE TRIGGER IF NOT EXISTS archived_orders_au AFTER UPDATE ON archived_orders BEGIN
    INSERT INTO archived_orders_fts (archived_orders_fts, rowid, summary) VALUES ('delete', old.seq, old.summary);
    INSERT INTO archived_orders_fts (rowid, summary) VALUES (new.seq, new.summary);
  END;
`;
