// Crew photos at both twin centres (decision note docs/decisions/2026-11-23-crew-evidence.md). A crew uploads its
// photos to one centre; the board (with the evidence: each photo's id, sha256 and size) replicates, the blobs do not.
// So each centre pulls the photos its board names and it lacks from the twin:
//
// - The twin serves them on a peer-only route, `GET /api/peer/crew-photos/<id>` (the shared peer secret as Bearer,
//   as on the replication link; 401 for anything else, a console's login token included; 404 for an unknown photo or
//   one no step has used): the bytes, with the photo's document, order, link, sha256, size and type in one header.
// - This centre looks for crew photos in every update the twin sends (`seen`, from the rooms' update hook, so the
//   catch-up after a downtime is looked at too) and, at start, in every stored document. Each one it lacks is pulled,
//   one try after another with a jittered backoff (1 s doubling to 30 s) while the twin cannot give it, and again at
//   once when the replication link comes back.
// - A copy is stored only when it is what this centre's own board says: an order of the same document whose crew step
//   lists the photo with exactly this sha256 and size, and bytes that are an image. It is stored attached to that step
//   (so the sweep of unused photos never takes it), under the twin's id, so `GET /api/crew/photos/<id>` answers the
//   same at both centres with the same access rule. Anything else is logged and not stored, and not asked for again
//   until the next start.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as Y from 'yjs';
import { z } from 'zod';
import { orderIds, orderRecord, parseDocName, readOrder } from '@twinline/board';
import type { BoardOrder } from '@twinline/board';
import { PHOTO_MAX_BYTES, PHOTO_TYPES } from '@twinline/crew-page/contract';
import type { Evidence, OrderEvent } from '@twinline/workorder';
import { isTwin } from '../auth';
import { HttpError } from '../http';
import type { Logger } from '../log';
import type { Rooms } from '../rooms';
import type { CrewStore } from '../storage';
import { sniffImage } from './photos';

/** The peer-only route's prefix. */
export const PEER_PHOTOS_PATH = '/api/peer/crew-photos/';
/** The header carrying what the twin knows of the photo (JSON, URI-encoded). */
export const PEER_PHOTO_HEADER = 'x-twinline-photo';

/** What the twin says of a photo it serves, besides its bytes. */
export const PeerPhotoSchema = z.object({
  id: z.string().min(1).max(64),
  doc: z.string().min(1).max(64),
  orderId: z.string().min(1).max(64),
  crewId: z.string().min(1).max(64),
  linkId: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive().max(PHOTO_MAX_BYTES),
  mime: z.enum(PHOTO_TYPES),
  uploadedAt: z.number().int().nonnegative(),
});
export type PeerPhoto = z.infer<typeof PeerPhotoSchema>;

/** A photo a crew step's evidence names. */
export interface PhotoRef {
  id: string;
  sha256: string;
  bytes: number;
}

const PhotoRefSchema = z.object({
  id: z.string().min(1).max(64),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().positive(),
});
const CrewEventSchema = z.object({
  by: z.object({ role: z.literal('crew') }),
  evidence: z.object({ photos: z.array(PhotoRefSchema) }),
});

/** Adds the photos named by crew steps' evidence among `values` (events, or anything else, which is passed over). */
function addCrewPhotos(values: Iterable<unknown>, out: Map<string, PhotoRef>): void {
  for (const v of values) {
    if (typeof v !== 'object' || v === null || !('evidence' in v)) continue;
    const event = CrewEventSchema.safeParse(v);
    if (!event.success) continue;
    for (const { id, sha256, bytes } of event.data.evidence.photos) out.set(id, { id, sha256, bytes });
  }
}

/**
 * The photos named by crew steps' evidence among the values an update inserts (read without the document, so only
 * what the update brings is looked at). A hint only: what is stored is checked against the order as the board folds it.
 */
export function crewPhotosIn(update: Uint8Array): PhotoRef[] {
  const out = new Map<string, PhotoRef>();
  for (const s of Y.decodeUpdate(update).structs)
    if (s instanceof Y.Item && s.content instanceof Y.ContentAny) addCrewPhotos(s.content.getContent(), out);
  return [...out.values()];
}

/** The crew step of an order that lists photo `id` (applied or superseded), with the photo as listed. */
function stepWith(order: BoardOrder, id: string): { event: OrderEvent; photo: Evidence['photos'][number] } | undefined {
  for (const event of [...order.order.history, ...order.superseded.map((s) => s.event)]) {
    const photo = event.by.role === 'crew' ? event.evidence?.photos.find((p) => p.id === id) : undefined;
    if (photo) return { event, photo };
  }
  return undefined;
}

export interface TwinLink {
  /** The peer secret both centres share (--peer's credentials): asked of the twin, and given to it. */
  secret: string;
  /** The twin's address as configured (--peer: ws://, wss://, http:// or https://); none: nothing is pulled. */
  url?: string;
  /** Whether the replication link to the twin is up now. */
  connected: () => boolean;
  /** The names of the documents this centre stores (looked through at start). */
  docs: () => Promise<string[]>;
}

export interface PhotoCopiesOptions {
  centre: string;
  twin: TwinLink;
  rooms: Rooms;
  store: CrewStore;
  log: Logger;
  /** First retry after this long, doubling to maxRetryMs. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** Pulls at once. */
  concurrency?: number;
}

interface Wanted {
  ref: PhotoRef;
  doc: string;
  /** Epoch ms of the next try; Infinity while it is being looked up or pulled. */
  dueAt: number;
  tries: number;
}

/** Why a copy was not stored: logged, and the photo is not asked for again until the next start. */
class Refused extends Error {}

/** The twin's copies of crew photos, both ways: the peer-only route that serves ours, and the puller of theirs. */
export class PhotoCopies {
  private readonly wanted = new Map<string, Wanted>();
  private readonly refused = new Set<string>();
  private readonly abort = new AbortController();
  private readonly base: URL | null;
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private linkWasUp = false;
  private stopped = false;

  constructor(private readonly o: PhotoCopiesOptions) {
    if (o.twin.url) {
      const u = new URL(o.twin.url);
      u.protocol = u.protocol === 'wss:' || u.protocol === 'https:' ? 'https:' : 'http:';
      this.base = u;
    } else this.base = null;
  }

  /** Starts pulling (when there is a twin): every stored document is looked through once, then the twin's updates. */
  start(): void {
    if (!this.base || this.stopped) return;
    this.timer = setInterval(() => this.tick(), 250);
    void this.scanAll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.abort.abort();
  }

  /** Photos this centre wants and has not got yet. */
  get pending(): number {
    return this.wanted.size;
  }

  /** An update the twin sent for `doc` was applied: any crew photo it names that this centre lacks is pulled. */
  seen(doc: string, update: Uint8Array): void {
    if (!this.base || this.stopped) return;
    try {
      const refs = crewPhotosIn(update);
      if (refs.length > 0)
        this.want(doc, refs).catch((error: unknown) =>
          this.o.log.error({ err: error, doc }, 'crew photos: could not look up the photos an update names'),
        );
    } catch (error) {
      this.o.log.error({ err: error, doc }, 'crew photos: an update from the twin could not be read');
    }
  }

  /** The peer-only route: a photo's bytes for the twin. */
  async serve(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    if (req.method !== 'GET') throw new HttpError(405, 'GET only');
    if (!isTwin(req, this.o.twin.secret)) {
      this.o.log.warn({ from: req.socket.remoteAddress, photo: id }, 'photo copy refused: not the twin centre');
      throw new HttpError(401, 'only the twin centre may ask for photo copies (the peer secret as Bearer)');
    }
    const found = await this.o.store.photoData(id);
    // Only a photo a step used is evidence; an unattached one may still be refused with its step.
    if (!found || found.photo.attachedAt === null) throw new HttpError(404, `no photo ${id}`);
    const p = found.photo;
    const meta: PeerPhoto = {
      id: p.id,
      doc: p.doc,
      orderId: p.orderId,
      crewId: p.crewId,
      linkId: p.linkId,
      sha256: p.sha256,
      bytes: p.bytes,
      mime: p.mime as PeerPhoto['mime'],
      uploadedAt: p.uploadedAt,
    };
    res.writeHead(200, {
      'content-type': p.mime,
      'content-length': found.data.length,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      [PEER_PHOTO_HEADER]: encodeURIComponent(JSON.stringify(meta)),
    });
    res.end(found.data);
    this.o.log.debug({ photo: id, to: req.headers['x-twinline-centre'] }, 'crew photo copy served to the twin');
  }

  private async scanAll(): Promise<void> {
    let missing = 0;
    try {
      for (const name of await this.o.twin.docs()) {
        if (this.stopped) return;
        if (!parseDocName(name)) continue;
        const room = await this.o.rooms.get(name);
        const found = new Map<string, PhotoRef>();
        try {
          // Order by order (a city of 20,000 orders: about 0.3 s), letting the sockets be served every 500.
          const ids = orderIds(room.doc);
          for (let i = 0; i < ids.length && !this.stopped; i++) {
            if (i > 0 && i % 500 === 0) await new Promise((r) => setImmediate(r));
            addCrewPhotos(orderRecord(room.doc, ids[i]!)?.events ?? [], found);
          }
        } finally {
          this.o.rooms.release(room);
        }
        if (found.size > 0) missing += await this.want(name, [...found.values()]);
      }
      this.o.log.info({ missing }, 'crew photos: the board looked through for photos to copy');
    } catch (error) {
      this.o.log.error({ err: error }, 'crew photos: looking through the stored documents failed');
    }
  }

  /** Queues the photos of `refs` this centre has not got (nor is getting, nor refused); returns how many. */
  private async want(doc: string, refs: PhotoRef[]): Promise<number> {
    const fresh = refs.filter((r) => !this.wanted.has(r.id) && !this.refused.has(r.id));
    if (fresh.length === 0) return 0;
    for (const ref of fresh) this.wanted.set(ref.id, { ref, doc, dueAt: Infinity, tries: 0 });
    const have = new Set<string>();
    try {
      for (let i = 0; i < fresh.length; i += 500)
        for (const p of await this.o.store.photos(fresh.slice(i, i + 500).map((r) => r.id))) have.add(p.id);
      for (const ref of fresh) {
        if (have.has(ref.id)) this.wanted.delete(ref.id);
        else this.wanted.get(ref.id)!.dueAt = Date.now();
      }
    } catch (error) {
      for (const ref of fresh) this.wanted.delete(ref.id); // looked for again at the next start
      throw error;
    }
    this.tick();
    return fresh.length - have.size;
  }

  private tick(): void {
    if (this.stopped) return;
    const up = this.o.twin.connected();
    if (up && !this.linkWasUp) for (const w of this.wanted.values()) if (w.dueAt !== Infinity) w.dueAt = Date.now();
    this.linkWasUp = up;
    const now = Date.now();
    for (const w of this.wanted.values()) {
      if (this.running >= (this.o.concurrency ?? 2)) return;
      if (w.dueAt > now) continue;
      w.dueAt = Infinity;
      this.running++;
      void this.pull(w).finally(() => {
        this.running--;
        this.tick();
      });
    }
  }

  private async pull(w: Wanted): Promise<void> {
    const { id } = w.ref;
    try {
      const stored = await this.fetchAndStore(w);
      this.wanted.delete(id);
      if (stored) this.o.log.info({ photo: id, doc: w.doc, bytes: w.ref.bytes }, 'crew photo copied from the twin');
    } catch (error) {
      if (this.stopped) return;
      if (error instanceof Refused) {
        this.wanted.delete(id);
        this.refused.add(id);
        this.o.log.error({ photo: id, doc: w.doc, why: error.message }, 'crew photo from the twin refused');
        return;
      }
      const delay =
        Math.min(this.o.maxRetryMs ?? 30_000, (this.o.firstRetryMs ?? 1000) * 2 ** w.tries) * (0.5 + Math.random() / 2);
      w.tries++;
      w.dueAt = Date.now() + delay;
      const why = error instanceof Error ? error.message : String(error);
      // The first failure says why; the retries (the twin may be down for hours) only at debug.
      this.o.log[w.tries === 1 ? 'warn' : 'debug'](
        { photo: id, doc: w.doc, why, tries: w.tries, retryInMs: Math.round(delay) },
        'crew photo not copied from the twin yet',
      );
    }
  }

  /** Pulls one photo and stores it if it is what the board says. False when it was here already. */
  private async fetchAndStore(w: Wanted): Promise<boolean> {
    const { id } = w.ref;
    const url = new URL(`${PEER_PHOTOS_PATH}${encodeURIComponent(id)}`, this.base!);
    const res = await fetch(url, {
      headers: { authorization: `Bearer ${this.o.twin.secret}`, 'x-twinline-centre': this.o.centre },
      signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(30_000)]),
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`the twin answered ${res.status}`);
    }
    const declared = Number(res.headers.get('content-length') ?? NaN);
    if (declared > PHOTO_MAX_BYTES) {
      await res.body?.cancel();
      throw new Refused(`the twin's copy is ${declared} bytes, more than a photo may be`);
    }
    let meta: PeerPhoto;
    try {
      meta = PeerPhotoSchema.parse(JSON.parse(decodeURIComponent(res.headers.get(PEER_PHOTO_HEADER) ?? '')));
    } catch {
      await res.body?.cancel();
      throw new Refused(`the twin's answer has no valid ${PEER_PHOTO_HEADER} header`);
    }
    const data = new Uint8Array(await res.arrayBuffer());
    if (meta.id !== id) throw new Refused(`the twin answered with photo ${meta.id}`);
    if (meta.doc !== w.doc) throw new Refused(`the twin says it belongs to ${meta.doc}, the board has it in ${w.doc}`);

    const room = await this.o.rooms.get(meta.doc);
    let step: ReturnType<typeof stepWith>;
    try {
      const order = readOrder(room.doc, meta.orderId);
      step = order && stepWith(order, id);
    } finally {
      this.o.rooms.release(room);
    }
    if (!step) throw new Refused(`no crew step of order ${meta.orderId} on ${meta.doc} lists it here`);
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (sha256 !== step.photo.sha256 || data.length !== step.photo.bytes)
      throw new Refused(
        `its content (sha256 ${sha256}, ${data.length} bytes) is not what the ${step.event.action} step of order ` +
          `${meta.orderId} lists (sha256 ${step.photo.sha256}, ${step.photo.bytes} bytes)`,
      );
    const mime = sniffImage(data);
    if (!mime) throw new Refused('its bytes are not a JPEG, PNG or WebP image');
    return this.o.store.addCopy(
      {
        id,
        linkId: meta.linkId,
        doc: meta.doc,
        orderId: meta.orderId,
        crewId: step.event.by.userId,
        sha256,
        bytes: data.length,
        mime,
        takenAt: step.photo.takenAt ?? null,
        lat: step.photo.lat ?? null,
        lng: step.photo.lng ?? null,
        uploadedAt: meta.uploadedAt,
        attachedAction: step.event.action,
        attachedAt: Date.parse(step.event.at),
      },
      data,
    );
  }
}
