// The crews' mobile page (migration 4 in schema.ts): single-use links (stored hashed, with the crew session each one
// was exchanged for) and the photos crews upload, kept as blobs with their own time and place. A photo is stored
// unattached when uploaded and attached to its order's step only when the step is written; unattached photos are
// swept after a day. A copy of a photo the twin received (crews/replication.ts) is stored attached from the start, so
// the sweep never takes it.
import type { SqlDriver } from '@twinline/sql';

export interface CrewLink {
  id: string;
  doc: string;
  orderId: string;
  crewId: string;
  stationId: string;
  /** The `assign` event the link was made for: a new assignment makes the link (and its session) void. */
  assignEventId: string;
  createdBy: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

export interface NewCrewLink extends Omit<CrewLink, 'usedAt'> {
  tokenHash: string;
}

export type ConsumeResult =
  | { kind: 'ok'; link: CrewLink }
  | { kind: 'unknown' }
  | { kind: 'used'; link: CrewLink }
  | { kind: 'expired'; link: CrewLink };

export interface CrewPhoto {
  id: string;
  linkId: string;
  doc: string;
  orderId: string;
  crewId: string;
  sha256: string;
  bytes: number;
  mime: string;
  /** ISO time from EXIF, when the photo carries one. */
  takenAt: string | null;
  lat: number | null;
  lng: number | null;
  uploadedAt: number;
  /** The step it was attached to (arrive, handle), or null while unattached. */
  attachedAction: string | null;
  attachedAt: number | null;
}

interface LinkRow {
  id: string;
  doc: string;
  order_id: string;
  crew_id: string;
  station_id: string;
  assign_event_id: string;
  created_by: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

interface PhotoRow {
  id: string;
  link_id: string;
  doc: string;
  order_id: string;
  crew_id: string;
  sha256: string;
  bytes: number;
  mime: string;
  taken_at: string | null;
  lat: number | null;
  lng: number | null;
  uploaded_at: number;
  attached_action: string | null;
  attached_at: number | null;
}

const LINK_COLUMNS =
  'id, doc, order_id, crew_id, station_id, assign_event_id, created_by, created_at, expires_at, used_at';
const PHOTO_COLUMNS =
  'id, link_id, doc, order_id, crew_id, sha256, bytes, mime, taken_at, lat, lng, uploaded_at, attached_action, attached_at';

const link = (r: LinkRow): CrewLink => ({
  id: r.id,
  doc: r.doc,
  orderId: r.order_id,
  crewId: r.crew_id,
  stationId: r.station_id,
  assignEventId: r.assign_event_id,
  createdBy: r.created_by,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  usedAt: r.used_at,
});

const photo = (r: PhotoRow): CrewPhoto => ({
  id: r.id,
  linkId: r.link_id,
  doc: r.doc,
  orderId: r.order_id,
  crewId: r.crew_id,
  sha256: r.sha256,
  bytes: r.bytes,
  mime: r.mime,
  takenAt: r.taken_at,
  lat: r.lat,
  lng: r.lng,
  uploadedAt: r.uploaded_at,
  attachedAction: r.attached_action,
  attachedAt: r.attached_at,
});

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');

/** Photos were not all this job's unattached ones (another crew's, already used, unknown): nothing was attached. */
export class PhotoAttachError extends Error {}

export class CrewStore {
  constructor(private readonly db: SqlDriver) {}

  async createLink(l: NewCrewLink): Promise<void> {
    await this.db.run(
      `INSERT INTO crew_links (id, token_hash, doc, order_id, crew_id, station_id, assign_event_id, created_by,
         created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        l.id,
        l.tokenHash,
        l.doc,
        l.orderId,
        l.crewId,
        l.stationId,
        l.assignEventId,
        l.createdBy,
        l.createdAt,
        l.expiresAt,
      ],
    );
  }

  /** The link with this token hash, whether or not it was used or has expired. */
  async linkByToken(tokenHash: string): Promise<CrewLink | undefined> {
    const r = await this.db.get<LinkRow>(`SELECT ${LINK_COLUMNS} FROM crew_links WHERE token_hash = ?`, [tokenHash]);
    return r && link(r);
  }

  /**
   * Uses a link up: at most one caller ever gets `ok` for a token (the check and the mark are one transaction), and
   * only that caller's session hash is bound to it.
   */
  consumeLink(tokenHash: string, sessionHash: string, now: number): Promise<ConsumeResult> {
    return this.db.transaction(async (tx) => {
      const r = await tx.get<LinkRow>(`SELECT ${LINK_COLUMNS} FROM crew_links WHERE token_hash = ?`, [tokenHash]);
      if (!r) return { kind: 'unknown' };
      if (r.used_at !== null) return { kind: 'used', link: link(r) };
      if (r.expires_at <= now) return { kind: 'expired', link: link(r) };
      await tx.run('UPDATE crew_links SET used_at = ?, session_hash = ? WHERE id = ?', [now, sessionHash, r.id]);
      return { kind: 'ok', link: link({ ...r, used_at: now }) };
    });
  }

  /** The link a crew session was made from. */
  async linkBySession(sessionHash: string): Promise<CrewLink | undefined> {
    const r = await this.db.get<LinkRow>(`SELECT ${LINK_COLUMNS} FROM crew_links WHERE session_hash = ?`, [
      sessionHash,
    ]);
    return r && link(r);
  }

  async addPhoto(p: Omit<CrewPhoto, 'attachedAction' | 'attachedAt'>, data: Uint8Array): Promise<void> {
    await this.insertPhoto('INSERT', { ...p, attachedAction: null, attachedAt: null }, data);
  }

  /**
   * Stores a copy of a photo the twin centre received, already attached to its step (`attachedAction`, `attachedAt`),
   * under the twin's id, link and upload time. False when this centre has a photo with that id already (nothing
   * changed).
   */
  async addCopy(p: CrewPhoto & { attachedAction: string; attachedAt: number }, data: Uint8Array): Promise<boolean> {
    return (await this.insertPhoto('INSERT OR IGNORE', p, data)) === 1;
  }

  private async insertPhoto(verb: 'INSERT' | 'INSERT OR IGNORE', p: CrewPhoto, data: Uint8Array): Promise<number> {
    const r = await this.db.run(
      `${verb} INTO crew_photos (id, link_id, doc, order_id, crew_id, sha256, bytes, mime, taken_at, lat, lng,
         uploaded_at, attached_action, attached_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        p.id,
        p.linkId,
        p.doc,
        p.orderId,
        p.crewId,
        p.sha256,
        p.bytes,
        p.mime,
        p.takenAt,
        p.lat,
        p.lng,
        p.uploadedAt,
        p.attachedAction,
        p.attachedAt,
        data,
      ],
    );
    return r.changes;
  }

  /** Photos uploaded with a session's link (how many a session may still upload is counted from these). */
  async countPhotos(linkId: string): Promise<number> {
    const r = await this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM crew_photos WHERE link_id = ?', [linkId]);
    return r?.n ?? 0;
  }

  /** The photos with these ids (without their bytes), in no particular order; unknown ids are left out. */
  async photos(ids: readonly string[]): Promise<CrewPhoto[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.all<PhotoRow>(
      `SELECT ${PHOTO_COLUMNS} FROM crew_photos WHERE id IN (${marks(ids.length)})`,
      ids,
    );
    return rows.map(photo);
  }

  /** One photo with its bytes. */
  async photoData(id: string): Promise<{ photo: CrewPhoto; data: Uint8Array } | undefined> {
    const r = await this.db.get<PhotoRow & { data: Uint8Array }>(
      `SELECT ${PHOTO_COLUMNS}, data FROM crew_photos WHERE id = ?`,
      [id],
    );
    return r && { photo: photo(r), data: r.data };
  }

  /** For each of these contents already attached to some order's step, one such photo (the earliest attached). */
  async attachedBySha(shas: readonly string[]): Promise<Map<string, CrewPhoto>> {
    const out = new Map<string, CrewPhoto>();
    if (shas.length === 0) return out;
    const rows = await this.db.all<PhotoRow>(
      `SELECT ${PHOTO_COLUMNS} FROM crew_photos WHERE sha256 IN (${marks(shas.length)}) AND attached_at IS NOT NULL
       ORDER BY attached_at`,
      shas,
    );
    for (const r of rows) if (!out.has(r.sha256)) out.set(r.sha256, photo(r));
    return out;
  }

  /**
   * Attaches photos to a step of the order, all or none: each must be an unattached photo of this order and crew.
   * Throws PhotoAttachError (nothing changed) otherwise.
   */
  attach(ids: readonly string[], owner: { orderId: string; crewId: string }, action: string, now: number) {
    if (ids.length === 0) return Promise.resolve();
    return this.db.transaction(async (tx) => {
      const r = await tx.run(
        `UPDATE crew_photos SET attached_action = ?, attached_at = ?
         WHERE id IN (${marks(ids.length)}) AND attached_at IS NULL AND order_id = ? AND crew_id = ?`,
        [action, now, ...ids, owner.orderId, owner.crewId],
      );
      if (r.changes !== new Set(ids).size) throw new PhotoAttachError('a photo is not an unused photo of this job');
    });
  }

  /** Undoes `attach` when the step could not be written. */
  async detach(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.run(
      `UPDATE crew_photos SET attached_action = NULL, attached_at = NULL WHERE id IN (${marks(ids.length)})`,
      ids,
    );
  }

  /**
   * Removes photos left unattached since before `photosBefore` (uploaded for a step that never happened) and links
   * that expired before `linksBefore` (their attached photos stay: they are the orders' evidence).
   */
  async sweep(photosBefore: number, linksBefore: number): Promise<{ photos: number; links: number }> {
    const photos = await this.db.run('DELETE FROM crew_photos WHERE attached_at IS NULL AND uploaded_at < ?', [
      photosBefore,
    ]);
    const links = await this.db.run('DELETE FROM crew_links WHERE expires_at < ?', [linksBefore]);
    return { photos: photos.changes, links: links.changes };
  }
}
