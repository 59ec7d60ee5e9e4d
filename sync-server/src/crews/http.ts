// The field crews' side of the centre (the routes are listed in @twinline/crew-page/contract): single-use links a
// dispatcher sends to a crew, the crew sessions they are exchanged for, the job as the crew sees it, photo uploads,
// and the crew's steps (accept, arrive, handle, reply), which the centre writes to the board itself, with the crew as
// the actor and the evidence it computed (with the crew's members on the job as it named them: any the station's
// roster does not have when the step is written are kept and flagged, never refused, for an offline record may name
// someone who has left the crew since). Each such event is sealed (sign.ts): the guard refuses a crew event a console
// relays without a valid seal.
// A refused step leaves nothing behind: its photos stay unattached (swept after a day) and no event is written.
// The photos a step used are copied to the twin centre, which pulls them (replication.ts).
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import { act, canRead, parseDocName, readCrews, readOrder, snapshot } from '@twinline/board';
import type { Crew, Principal } from '@twinline/board';
import { CREWS } from '@twinline/demo-data/people';
import { WorkOrderError, slaStatus } from '@twinline/workorder';
import type { Actor, Evidence, OrderEvent, WorkOrder } from '@twinline/workorder';
import {
  AcceptBodySchema,
  ArriveBodySchema,
  HandleBodySchema,
  LinkRequestSchema,
  PHOTO_MAX_BYTES,
  PHOTO_TYPES,
  ReplyBodySchema,
  SessionRequestSchema,
  TokenSchema,
} from '@twinline/crew-page/contract';
import type {
  CrewStep,
  Job,
  JobNote,
  JobStepRecord,
  LinkResponse,
  PhotoResponse,
  SessionResponse,
  StepResponse,
} from '@twinline/crew-page/contract';
import { HttpError, bearer, readJson, sendJson } from '../http';
import type { Logger } from '../log';
import type { Rooms } from '../rooms';
import { PhotoAttachError } from '../storage';
import type { CrewLink, CrewStore, CustomerDirectory } from '../storage';
import { evidenceFor, when } from './evidence';
import type { EvidenceInput, PhotoFacts } from './evidence';
import { placeOf } from './geo';
import { crewEventSeal } from './sign';
import { readPhotoMeta, sniffImage } from './photos';
import { PEER_PHOTOS_PATH, PhotoCopies } from './replication';
import type { TwinLink } from './replication';

export interface CrewRoutesDeps {
  /** The centre's name: the `centre` of the crew's events. */
  centre: string;
  rooms: Rooms;
  store: CrewStore;
  directory: CustomerDirectory;
  /** The centre's Bearer check for staff (login tokens): the principal, or HttpError 401. */
  authorise: (req: IncomingMessage) => Promise<Principal>;
  /** The twin centre, for copies of crew photos both ways (replication.ts). */
  twin: TwinLink;
  log: Logger;
  /** How long a link (and the session made from it) lasts. Default 12 h. */
  linkTtlMs?: number;
  /** Photos a session may upload. Default 40. */
  photosPerSession?: number;
  now?: () => number;
}

/** States in which the crew holds the order (a link can be sent and used). */
const CREW_HOLDS = ['assigned', 'on_site', 'handled'] as const;
const LINK_ROLES = ['dispatcher', 'team_lead', 'admin'];
const UNUSED_PHOTO_MS = 24 * 3600_000;
const KEEP_EXPIRED_LINKS_MS = 7 * 24 * 3600_000;
const STEP_SCHEMAS = {
  accept: AcceptBodySchema,
  arrive: ArriveBodySchema,
  handle: HandleBodySchema,
  reply: ReplyBodySchema,
} as const satisfies Record<CrewStep, z.ZodType>;

export const newToken = (): string => randomBytes(32).toString('base64url');
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newId = (prefix: string) => `${prefix}-${randomBytes(12).toString('base64url')}`;
const both = (zh: string, en: string) => `${zh} / ${en}`;

/** The current assignment: the latest applied `assign` event. */
function assignment(order: WorkOrder): OrderEvent | undefined {
  return order.history.findLast((e) => e.action === 'assign');
}

/** Why a link no longer speaks for the order's crew (another crew, or a new assignment), or null. */
function voidLink(order: WorkOrder, link: CrewLink): string | null {
  if (order.crewId !== link.crewId || order.stationId !== link.stationId)
    return both(
      `工单 ${order.id} 已不再派给 ${link.crewId}，此链接作废`,
      `order ${order.id} is no longer assigned to crew ${link.crewId}: this link no longer works`,
    );
  if (assignment(order)?.id !== link.assignEventId)
    return both(
      `工单 ${order.id} 已重新派工，此链接作废`,
      `order ${order.id} was assigned again: this link no longer works, ask the dispatcher for the new one`,
    );
  return null;
}

/** The link's crew as the station's roster has it (undefined when the roster does not know it). */
function rosterCrew(doc: Parameters<typeof readCrews>[0], link: CrewLink): Crew | undefined {
  return readCrews(doc).find((c) => c.id === link.crewId && c.stationId === link.stationId);
}

/** The member ids of the link's crew in the station's roster (none when the roster does not know the crew). */
function rosterIds(doc: Parameters<typeof readCrews>[0], link: CrewLink): string[] {
  return rosterCrew(doc, link)?.members.map((m) => m.id) ?? [];
}

/**
 * Refuses (400) a member a step names twice. Members the roster does not have are not refused here: the evidence
 * keeps and flags them (see evidenceFor).
 */
function checkMembers(ids: readonly string[]): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw new HttpError(400, `members.${i}: ${both(`${id} 重复`, `${id} is named twice`)}`);
    seen.add(id);
  });
}

/** The address a link points at: this centre as the request reached it. */
function origin(req: IncomingMessage): string {
  const host = req.headers.host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(req.headers.host) ? req.headers.host : null;
  const proto = req.headers['x-forwarded-proto'] === 'https' ? 'https' : 'http';
  return `${proto}://${host ?? `127.0.0.1:${req.socket.localPort ?? 80}`}`;
}

/** Bodies past this are not read to the end: the answer closes the connection instead. */
const HARD_LIMIT = 4 * PHOTO_MAX_BYTES;

const tooBig = () =>
  new HttpError(
    413,
    both(
      `照片超过 ${PHOTO_MAX_BYTES / 1024 / 1024} MB`,
      `the photo is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB`,
    ),
  );

/**
 * Reads a raw body of at most `limit` bytes (`null` reads and drops it all, to answer a refusal). A body a little too
 * large is read to its end and refused with 413, so the client sees the answer; one far too large is refused at once
 * and its connection closed after the answer.
 */
function readRaw(req: IncomingMessage, res: ServerResponse, limit: number | null): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const hardStop = () => {
      done = true;
      res.setHeader('connection', 'close');
      req.pause();
      if (limit === null) resolve(Buffer.alloc(0));
      else reject(tooBig());
    };
    if (Number(req.headers['content-length'] ?? 0) > HARD_LIMIT) return hardStop();
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > HARD_LIMIT) return hardStop();
      if (limit !== null && size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      if (limit !== null && size > limit) reject(tooBig());
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
  });
}

export function crewRoutes(deps: CrewRoutesDeps) {
  const { rooms, store, log } = deps;
  const now = deps.now ?? Date.now;
  const linkTtlMs = deps.linkTtlMs ?? 12 * 3600_000;
  const photosPerSession = deps.photosPerSession ?? 40;
  const copies = new PhotoCopies({ centre: deps.centre, twin: deps.twin, rooms, store, log });
  const seal = crewEventSeal(deps.twin.secret);

  async function withOrder<T>(doc: string, fn: (room: Awaited<ReturnType<Rooms['get']>>) => Promise<T>): Promise<T> {
    const room = await rooms.get(doc);
    try {
      return await fn(room);
    } finally {
      rooms.release(room);
    }
  }

  /** The link behind the request's crew session (Bearer), or 401 / 410. */
  async function session(req: IncomingMessage): Promise<CrewLink> {
    const token = TokenSchema.safeParse(bearer(req));
    const link = token.success ? await store.linkBySession(hashToken(token.data)) : undefined;
    if (!link)
      throw new HttpError(
        401,
        both('无效的外勤会话，请重新打开派工链接', 'no such crew session: open your link again or ask for a new one'),
      );
    if (link.expiresAt <= now())
      throw new HttpError(
        410,
        both(
          `派工链接已于 ${when(link.expiresAt)} 过期，请向调度索取新链接`,
          `this crew link expired at ${when(link.expiresAt)}: ask the dispatcher for a new one`,
        ),
      );
    return link;
  }

  async function createLink(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = await deps.authorise(req);
    const body = await readJson(req, LinkRequestSchema);
    if (!parseDocName(body.doc)) throw new HttpError(400, `doc: not a board document: ${body.doc}`);
    if (!LINK_ROLES.includes(p.role)) throw new HttpError(403, `a ${p.role} does not send links to crews`);
    if (!canRead(p, body.doc)) throw new HttpError(403, `you may not read ${body.doc}`);
    const order = await withOrder(body.doc, async (room) => readOrder(room.doc, body.orderId)?.order);
    if (!order) throw new HttpError(404, `no order ${body.orderId} on ${body.doc}`);
    if (p.role === 'dispatcher' && p.stationId !== order.stationId)
      throw new HttpError(403, `order ${order.id} is not of your station ${p.stationId ?? ''}`);
    const assign = assignment(order);
    if (!order.crewId || !order.stationId || !assign || !(CREW_HOLDS as readonly string[]).includes(order.state))
      throw new HttpError(409, `order ${order.id} is ${order.state}, not assigned to a crew`);
    const token = newToken();
    const createdAt = now();
    const expiresAt = createdAt + linkTtlMs;
    await store.createLink({
      id: newId('ln'),
      tokenHash: hashToken(token),
      doc: body.doc,
      orderId: order.id,
      crewId: order.crewId,
      stationId: order.stationId,
      assignEventId: assign.id,
      createdBy: p.userId,
      createdAt,
      expiresAt,
    });
    log.info({ order: order.id, crew: order.crewId, by: p.userId }, 'crew link issued');
    const answer: LinkResponse = {
      url: `${origin(req)}/crew/#${token}`,
      expiresAt: new Date(expiresAt).toISOString(),
      orderId: order.id,
      crewId: order.crewId,
    };
    sendJson(res, 200, answer);
  }

  async function openSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { link: token } = await readJson(req, SessionRequestSchema);
    const tokenHash = hashToken(token);
    const known = await store.linkByToken(tokenHash);
    const refuse = (l: CrewLink | undefined, kind: 'unknown' | 'used' | 'expired'): never => {
      if (kind === 'unknown' || !l) throw new HttpError(404, both('没有这个派工链接', 'no such crew link'));
      if (kind === 'used')
        throw new HttpError(
          410,
          both(
            `此链接已于 ${when(l.usedAt ?? 0)} 在另一部手机上打开过（每个链接只能用一次），请向调度索取新链接`,
            `this link was already opened at ${when(l.usedAt ?? 0)} (a link works once, on one phone): ask the dispatcher for a new one`,
          ),
        );
      throw new HttpError(
        410,
        both(
          `派工链接已于 ${when(l.expiresAt)} 过期，请向调度索取新链接`,
          `this crew link expired at ${when(l.expiresAt)}: ask the dispatcher for a new one`,
        ),
      );
    };
    if (!known) return refuse(undefined, 'unknown');
    if (known.usedAt !== null) return refuse(known, 'used');
    if (known.expiresAt <= now()) return refuse(known, 'expired');
    const order = await withOrder(known.doc, async (room) => readOrder(room.doc, known.orderId)?.order);
    if (!order) throw new HttpError(404, `order ${known.orderId} is no longer on the board`);
    const problem = voidLink(order, known);
    if (problem) throw new HttpError(409, problem);
    const session = newToken();
    const result = await store.consumeLink(tokenHash, hashToken(session), now());
    if (result.kind !== 'ok') return refuse('link' in result ? result.link : undefined, result.kind);
    log.info({ order: known.orderId, crew: known.crewId }, 'crew link opened');
    const answer: SessionResponse = {
      session,
      expiresAt: new Date(known.expiresAt).toISOString(),
      orderId: known.orderId,
      crewId: known.crewId,
    };
    sendJson(res, 200, answer);
  }

  async function job(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const link = await session(req);
    const answer = await withOrder(link.doc, async (room) => {
      const order = readOrder(room.doc, link.orderId)?.order;
      if (!order) throw new HttpError(404, `order ${link.orderId} is no longer on the board`);
      const problem = voidLink(order, link);
      if (problem) throw new HttpError(409, problem);
      return jobView(order, link, await placeOf(order.draft, deps.directory), now(), rosterCrew(room.doc, link));
    });
    sendJson(res, 200, answer);
  }

  async function uploadPhoto(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const link = await session(req);
    const declared = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!(PHOTO_TYPES as readonly string[]).includes(declared)) {
      await readRaw(req, res, null);
      throw new HttpError(
        415,
        both(
          '只接受 JPEG、PNG 或 WebP 照片',
          `a photo is sent as ${PHOTO_TYPES.join(', ')}, not ${declared || 'nothing'}`,
        ),
      );
    }
    const data = await readRaw(req, res, PHOTO_MAX_BYTES);
    const sniffed = sniffImage(data);
    if (!sniffed)
      throw new HttpError(
        415,
        both('上传的内容不是图片', `the body is not a JPEG, PNG or WebP image (said ${declared})`),
      );
    if (data.length === 0) throw new HttpError(400, 'empty photo');
    const order = await withOrder(link.doc, async (room) => readOrder(room.doc, link.orderId)?.order);
    if (!order) throw new HttpError(404, `order ${link.orderId} is no longer on the board`);
    const problem = voidLink(order, link);
    if (problem) throw new HttpError(409, problem);
    if ((await store.countPhotos(link.id)) >= photosPerSession)
      throw new HttpError(429, both('照片太多', `at most ${photosPerSession} photos per job`));
    const meta = await readPhotoMeta(data);
    const photo = {
      id: newId('ph'),
      linkId: link.id,
      doc: link.doc,
      orderId: link.orderId,
      crewId: link.crewId,
      sha256: createHash('sha256').update(data).digest('hex'),
      bytes: data.length,
      mime: sniffed,
      takenAt: meta.takenAt ?? null,
      lat: meta.lat ?? null,
      lng: meta.lng ?? null,
      uploadedAt: now(),
    };
    await store.addPhoto(photo, data);
    log.debug({ order: link.orderId, crew: link.crewId, photo: photo.id, bytes: photo.bytes }, 'crew photo stored');
    const answer: PhotoResponse = {
      id: photo.id,
      sha256: photo.sha256,
      bytes: photo.bytes,
      ...(meta.takenAt ? { takenAt: meta.takenAt } : {}),
      ...(meta.lat !== undefined ? { lat: meta.lat, lng: meta.lng } : {}),
    };
    sendJson(res, 200, answer);
  }

  /** The photos a step names, checked to be this job's and unused, with what their content was used for before. */
  async function stepPhotos(ids: string[], link: CrewLink, otherOrders: Map<string, string>): Promise<PhotoFacts[]> {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) throw new HttpError(400, `photoIds.${i}: photo ${id} is named twice`);
      seen.add(id);
    });
    const stored = new Map((await store.photos(ids)).map((p) => [p.id, p]));
    const facts: PhotoFacts[] = [];
    const used = await store.attachedBySha([...stored.values()].map((p) => p.sha256));
    ids.forEach((id, i) => {
      const p = stored.get(id);
      if (!p || p.orderId !== link.orderId || p.crewId !== link.crewId)
        throw new HttpError(400, `photoIds.${i}: no photo ${id} was uploaded for this job`);
      if (p.attachedAt !== null)
        throw new HttpError(409, `photoIds.${i}: photo ${id} is already part of the ${p.attachedAction} record`);
      const usedOn = used.get(p.sha256)?.orderId ?? otherOrders.get(p.sha256);
      facts.push({
        id: p.id,
        sha256: p.sha256,
        bytes: p.bytes,
        ...(p.takenAt ? { takenAt: p.takenAt } : {}),
        ...(p.lat !== null && p.lng !== null ? { lat: p.lat, lng: p.lng } : {}),
        ...(usedOn ? { usedOn } : {}),
      });
    });
    return facts;
  }

  async function step(req: IncomingMessage, res: ServerResponse, action: CrewStep): Promise<void> {
    const link = await session(req);
    const body = (await readJson(req, STEP_SCHEMAS[action])) as z.infer<typeof HandleBodySchema> & {
      photoIds?: string[];
    };
    const members = body.members ?? [];
    checkMembers(members);
    const serverAt = new Date(now());
    const answer = await withOrder(link.doc, async (room) => {
      const order = readOrder(room.doc, link.orderId)?.order;
      if (!order) throw new HttpError(404, `order ${link.orderId} is no longer on the board`);
      const problem = voidLink(order, link);
      if (problem) throw new HttpError(409, problem);
      const ids = body.photoIds ?? [];
      const photos = await stepPhotos(ids, link, ids.length > 0 ? photosOnBoard(room.doc) : new Map());
      const facts: EvidenceInput = {
        step: action,
        serverAt,
        deviceAt: body.deviceAt ? new Date(body.deviceAt) : undefined,
        offline: body.offline,
        location: body.location,
        place: await placeOf(order.draft, deps.directory),
        assignedAt: new Date(assignment(order)!.at),
        photos,
        ...(members.length > 0 ? { members } : {}),
      };
      const actor: Actor = { userId: link.crewId, role: 'crew', centre: deps.centre, stationId: link.stationId };
      try {
        await store.attach(ids, link, action, serverAt.getTime());
      } catch (error) {
        if (error instanceof PhotoAttachError) throw new HttpError(409, `photoIds: ${error.message}`);
        throw error;
      }
      let event: OrderEvent | undefined;
      let evidence: Evidence | undefined;
      try {
        await room.serverChange((doc) => {
          const current = readOrder(doc, link.orderId)?.order;
          const gone = current ? voidLink(current, link) : `order ${link.orderId} is no longer on the board`;
          if (gone) throw new HttpError(409, gone);
          evidence = evidenceFor({ ...facts, roster: rosterIds(doc, link) }); // the roster as the step is written
          event = act(
            doc,
            link.orderId,
            { action, evidence, ...(action === 'handle' || action === 'reply' ? { note: body.note } : {}) },
            actor,
            serverAt,
            (made) => seal.seal(link.orderId, made),
          );
        });
      } catch (error) {
        await store.detach(ids);
        if (error instanceof WorkOrderError)
          throw new HttpError(error.code === 'invalid_payload' ? 400 : 409, error.message);
        throw error;
      }
      const after = readOrder(room.doc, link.orderId)?.order;
      log.info(
        {
          order: link.orderId,
          crew: link.crewId,
          action,
          flags: evidence!.flags.map((f) => f.code),
          ...(members.length > 0 ? { members } : {}),
        },
        'crew step recorded',
      );
      const out: StepResponse = {
        orderId: link.orderId,
        state: after?.state ?? order.state,
        event: { id: event!.id, action, at: event!.at },
        evidence: evidence!,
      };
      return out;
    });
    sendJson(res, 200, answer);
  }

  async function photoForStaff(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const p = await deps.authorise(req);
    const found = await store.photoData(id);
    if (!found || !canRead(p, found.photo.doc)) throw new HttpError(404, `no photo ${id}`);
    res.writeHead(200, {
      'content-type': found.photo.mime,
      'content-length': found.data.length,
      'cache-control': 'private, max-age=3600',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
    });
    res.end(found.data);
  }

  async function sweep(): Promise<void> {
    try {
      const t = now();
      const swept = await store.sweep(t - UNUSED_PHOTO_MS, t - KEEP_EXPIRED_LINKS_MS);
      if (swept.photos + swept.links > 0) log.info(swept, 'crew photos never used and old links swept');
    } catch (error) {
      log.error({ err: error }, 'crew sweep failed');
    }
  }
  const sweeper = setInterval(() => void sweep(), 3600_000);
  sweeper.unref();

  const method = (req: IncomingMessage, allowed: string) => {
    if (req.method !== allowed) throw new HttpError(405, `${allowed} only`);
  };

  async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    if (url.pathname.startsWith(PEER_PHOTOS_PATH)) {
      await copies.serve(req, res, decodeURIComponent(url.pathname.slice(PEER_PHOTOS_PATH.length)));
      return true;
    }
    if (!url.pathname.startsWith('/api/crew/')) return false;
    const route = url.pathname.slice('/api/crew/'.length);
    if (route.startsWith('photos/')) {
      method(req, 'GET');
      await photoForStaff(req, res, decodeURIComponent(route.slice('photos/'.length)));
      return true;
    }
    switch (route) {
      case 'links':
        method(req, 'POST');
        await createLink(req, res);
        return true;
      case 'session':
        method(req, 'POST');
        await openSession(req, res);
        return true;
      case 'job':
        method(req, 'GET');
        await job(req, res);
        return true;
      case 'photos':
        method(req, 'POST');
        await uploadPhoto(req, res);
        return true;
      case 'accept':
      case 'arrive':
      case 'handle':
      case 'reply':
        method(req, 'POST');
        await step(req, res, route);
        return true;
      default:
        return false;
    }
  }

  return {
    handle,
    /** One sweep now (tests, shutdown). */
    sweep,
    /** Starts copying the twin's crew photos this centre lacks (replication.ts). */
    start: () => copies.start(),
    /** An update from the twin was applied to `doc` (the rooms' update hook): copies any crew photo it names. */
    twinUpdate: (doc: string, update: Uint8Array) => copies.seen(doc, update),
    /** Whether a crew event carries this centre's or the twin's seal over exactly that order and event (the guard's). */
    verifyCrewEvent: (orderId: string, event: OrderEvent) => seal.verify(orderId, event),
    stop: () => {
      clearInterval(sweeper);
      copies.stop();
    },
  };
}

/** The content hashes of every photo already in some order's evidence on this board, with that order's id. */
function photosOnBoard(doc: Parameters<typeof snapshot>[0]): Map<string, string> {
  const out = new Map<string, string>();
  for (const { order } of snapshot(doc)) {
    for (const e of order.history)
      for (const p of e.evidence?.photos ?? []) if (!out.has(p.sha256)) out.set(p.sha256, order.id);
  }
  return out;
}

const NOTE_ACTIONS = new Set(['assign', 'urge', 'escalate', 'pause', 'resume']);
/** The milestones the crew's own steps meet (the callback is the centre's). */
const CREW_CLOCKS = new Set(['on_site', 'handle', 'reply']);

/** The job as the crew sees it, with its crew's members from the station's roster (`crew`, when it knows them). */
export function jobView(
  order: WorkOrder,
  link: CrewLink,
  place: Job['place'] | undefined,
  at: number,
  crew?: Crew,
): Job {
  const assign = assignment(order)!;
  const since = order.history.indexOf(assign);
  const current = order.history.slice(since);
  const notes: JobNote[] = current
    .filter((e) => NOTE_ACTIONS.has(e.action) && (e.note || e.reason || e.action === 'urge'))
    .map((e) => ({
      at: e.at,
      action: e.action,
      byRole: e.by.role,
      text: e.note ?? e.reason ?? both('请尽快处理', 'please hurry'),
    }));
  const steps: JobStepRecord[] = current
    .filter((e) => e.by.role === 'crew' && e.by.userId === link.crewId)
    .filter((e): e is OrderEvent & { action: CrewStep } => ['accept', 'arrive', 'handle', 'reply'].includes(e.action))
    .map((e) => ({
      action: e.action,
      at: e.at,
      ...(e.note ? { note: e.note } : {}),
      ...(e.evidence ? { evidence: e.evidence } : {}),
    }));
  const next: CrewStep | null =
    order.state === 'assigned'
      ? order.acceptedByCrewAt
        ? 'arrive'
        : 'accept'
      : order.state === 'on_site'
        ? 'handle'
        : order.state === 'handled'
          ? 'reply'
          : null;
  const d = order.draft;
  const crewName = crew?.name ?? CREWS.find((c) => c.id === link.crewId)?.zh;
  return {
    orderId: order.id,
    crewId: link.crewId,
    ...(crewName ? { crewName } : {}),
    members: (crew?.members ?? []).map(({ id, name, onDuty }) => ({ id, name, onDuty })),
    stationId: link.stationId,
    type: d.type,
    priority: d.priority,
    state: order.state,
    address: d.address,
    city: d.region.city,
    county: d.region.county,
    description: d.description,
    callerNumber: d.callerNumber,
    ...(d.callerName ? { callerName: d.callerName } : {}),
    assignedAt: assign.at,
    ...(order.acceptedByCrewAt ? { acceptedAt: order.acceptedByCrewAt } : {}),
    ...(place ? { place } : {}),
    next,
    notes,
    steps,
    deadlines: slaStatus(order, new Date(at))
      .open.filter((c) => CREW_CLOCKS.has(c.kind))
      .map((c) => ({ kind: c.kind, due: c.due, level: c.level })),
    ...(order.paused ? { paused: { at: order.paused.at, reason: order.paused.reason } } : {}),
    expiresAt: new Date(link.expiresAt).toISOString(),
  };
}
