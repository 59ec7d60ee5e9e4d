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
  // 2: Customer directory (storage/customers.ts): customers, the phone index kept by triggers, the change counter.
  `
  CREATE TABLE customers (
    seq           INTEGER PRIMARY KEY,
    account       TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    phones        TEXT NOT NULL, -- JSON array of normalised numbers
    city          TEXT NOT NULL,
    county        TEXT NOT NULL,
    address       TEXT NOT NULL,
    station_id    TEXT NOT NULL,
    service_point TEXT NOT NULL,
    vip           INTEGER NOT NULL,
    sensitive     INTEGER NOT NULL,
    lat           REAL,
    lng           REAL,
    note          TEXT,
    version       INTEGER NOT NULL,
    deleted       INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX customers_city_version ON customers (city, version);
  CREATE INDEX customers_name ON customers (name);

  CREATE TABLE customer_phones (
    phone   TEXT NOT NULL,
    account TEXT NOT NULL,
    PRIMARY KEY (phone, account)
  ) WITHOUT ROWID;
  CREATE TRIGGER customers_phones_ai AFTER INSERT ON customers WHEN new.deleted = 0 BEGIN
    INSERT OR IGNORE INTO customer_phones (phone, account) SELECT value, new.account FROM json_each(new.phones);
  END;
  CREATE TRIGGER customers_phones_au AFTER UPDATE OF phones, deleted ON customers BEGIN
    DELETE FROM customer_phones WHERE account = old.account AND phone IN (SELECT value FROM json_each(old.phones));
    INSERT OR IGNORE INTO customer_phones (phone, account)
      SELECT value, new.account FROM json_each(new.phones) WHERE new.deleted = 0;
  END;

  -- The directory's change counter: every inserted, changed or removed customer gets the next version.
  CREATE TABLE customer_versions (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
  INSERT INTO customer_versions (id, version) VALUES (1, 0);
  `,
  // 3: Call centre (storage/calls.ts): agent state events (agent states are their fold), calls and routing decisions.
  `
  CREATE TABLE agent_events (
    seq        INTEGER PRIMARY KEY,
    agent_id   TEXT NOT NULL,
    type       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    -- 1 when the agent is signed out after this event: replay starts after the agent's last such event.
    signed_out INTEGER NOT NULL,
    json       TEXT NOT NULL
  );
  CREATE INDEX agent_events_agent ON agent_events (agent_id, seq);
  CREATE INDEX agent_events_signed_out ON agent_events (agent_id, seq) WHERE signed_out = 1;

  CREATE TABLE calls (
    call_id     TEXT PRIMARY KEY,
    caller      TEXT NOT NULL,
    dialled     TEXT NOT NULL,
    digit       TEXT,
    from_twin   INTEGER NOT NULL,
    region      TEXT,
    skill_group TEXT,
    decision    TEXT, -- the latest: offer, queue, overflow, reject
    reason      TEXT,
    sip_code    INTEGER,
    agent_id    TEXT, -- the agent offered last, then the one who answered
    offers      INTEGER NOT NULL DEFAULT 0,
    arrived_at  INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at    INTEGER,
    ending      TEXT, -- completed, abandoned, overflowed, refused, failed
    wrapup_code TEXT,
    wrapup_note TEXT,
    wrapup_by   TEXT,
    wrapup_at   INTEGER
  );
  CREATE INDEX calls_arrived ON calls (arrived_at);
  CREATE INDEX calls_agent_arrived ON calls (agent_id, arrived_at);

  CREATE TABLE call_decisions (
    seq      INTEGER PRIMARY KEY,
    call_id  TEXT NOT NULL,
    at       INTEGER NOT NULL,
    kind     TEXT NOT NULL,
    reason   TEXT NOT NULL,
    agent_id TEXT,
    text_zh  TEXT NOT NULL,
    text_en  TEXT NOT NULL,
    json     TEXT NOT NULL
  );
  CREATE INDEX call_decisions_call ON call_decisions (call_id, seq);
  `,
  // 4: Field crews (storage/crews.ts): single-use links to the crew page, stored hashed, and the crews' photos.
  `
  CREATE TABLE crew_links (
    id              TEXT PRIMARY KEY,
    token_hash      TEXT NOT NULL UNIQUE, -- sha256 of the link's token; the token itself is never stored
    session_hash    TEXT UNIQUE,          -- sha256 of the session the link was exchanged for (once)
    doc             TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    crew_id         TEXT NOT NULL,
    station_id      TEXT NOT NULL,
    assign_event_id TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER NOT NULL,
    used_at         INTEGER
  );
  CREATE INDEX crew_links_expires ON crew_links (expires_at);

  CREATE TABLE crew_photos (
    id              TEXT PRIMARY KEY,
    link_id         TEXT NOT NULL,
    doc             TEXT NOT NULL,
    order_id        TEXT NOT NULL,
    crew_id         TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bytes           INTEGER NOT NULL,
    mime            TEXT NOT NULL,
    taken_at        TEXT,    -- EXIF DateTimeOriginal (ISO), when the photo carries it
    lat             REAL,    -- EXIF GPS, when the photo carries it
    lng             REAL,
    uploaded_at     INTEGER NOT NULL,
    attached_action TEXT,    -- the step it is evidence of (arrive, handle); NULL while unattached
    attached_at     INTEGER,
    data            BLOB NOT NULL
  );
  CREATE INDEX crew_photos_link ON crew_photos (link_id);
  CREATE INDEX crew_photos_sha256 ON crew_photos (sha256) WHERE attached_at IS NOT NULL;
  CREATE INDEX crew_photos_unattached ON crew_photos (uploaded_at) WHERE attached_at IS NULL;
  `,
  // 5: Beside each archived order, the part of its folded order the figures read (FiguresInput of
  // @twinline/board/crew-figures, as JSON, about a sixth of the record), written with the record; NULL for records
  // archived before this step (and for any that do not pass the figures' schema): those are read whole.
  `
  ALTER TABLE archived_orders ADD COLUMN figures TEXT;
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
