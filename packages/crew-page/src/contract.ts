// The crew page's HTTP contract with its centre: request bodies (zod, parsed by the centre) and the answers' types.
// The centre imports it as `@twinline/crew-page/contract`; the page uses the types only (its bundle stays free of zod).
//
//   POST /api/crew/links    {doc, orderId}                   Bearer login token (the station's dispatcher, a lead)
//   POST /api/crew/session  {link}                           consumes the single-use link, answers a session
//   GET  /api/crew/job                                        Bearer session: what the crew needs to know
//   POST /api/crew/photos   raw image body (jpeg/png/webp)   Bearer session, at most PHOTO_MAX_BYTES
//   POST /api/crew/accept   {deviceAt?, offline?, location?, members?}
//   POST /api/crew/arrive   {deviceAt, offline, location?, photoIds (at least one), members?}
//   POST /api/crew/handle   {note, photoIds, deviceAt?, offline?, location?, members?}
//   POST /api/crew/reply    {note, deviceAt?, offline?, location?, members?}
//   (members: the roster ids of the crew's members on the job when it reports; ids the crew's roster does not have are
//   kept and flagged member_unknown, as an offline record may name someone who has left the crew since)
//   GET  /api/crew/photos/<id>                               Bearer login token: a stored photo, for the staff
import { z } from 'zod';
import { MemberIdSchema } from '@twinline/workorder';
import type { Evidence, OrderState, OrderType, Priority } from '@twinline/workorder';

import { PHOTOS_PER_STEP } from './limits';

export { PHOTO_MAX_BYTES, PHOTO_TYPES, PHOTOS_PER_STEP } from './limits';
export type { PhotoType } from './limits';

const id = z.string().min(1).max(64);
/** A link or session token: 32 random bytes, base64url (43 characters). */
export const TokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a crew link');

export const LinkRequestSchema = z.strictObject({
  doc: z.string().min(1).max(64),
  orderId: id,
});
export type LinkRequest = z.infer<typeof LinkRequestSchema>;

export const SessionRequestSchema = z.strictObject({ link: TokenSchema });

export const LocationSchema = z.strictObject({
  lat: z.number().min(-90, 'a latitude is between -90 and 90').max(90, 'a latitude is between -90 and 90'),
  lng: z.number().min(-180, 'a longitude is between -180 and 180').max(180, 'a longitude is between -180 and 180'),
  accuracyM: z.number().min(0).max(100_000),
});
export type CrewLocation = z.infer<typeof LocationSchema>;

const isoTime = z.iso.datetime({ offset: true, error: 'an ISO time with its offset, e.g. 2026-11-23T09:30:00+08:00' });
/** A crew has at most this many members (the roster's limit). */
const MEMBERS_MAX = 30;
const photoIds = z.array(id).max(PHOTOS_PER_STEP, `at most ${PHOTOS_PER_STEP} photos`);
const note = z.string().trim().min(1, 'write what was done').max(2000);

/** What every step may say about where and when the phone made it. */
const StepFields = {
  /** The phone's clock when the crew made the record (for an offline record: possibly long ago). */
  deviceAt: isoTime.optional(),
  /** Recorded without signal and sent later. */
  offline: z.boolean().default(false),
  location: LocationSchema.optional(),
  /** Who of the crew (roster member ids) is on the job as it reports. Absent from pages that do not say. */
  members: z
    .array(MemberIdSchema)
    .min(1, 'name at least one member on the job, or leave members out')
    .max(MEMBERS_MAX, `at most ${MEMBERS_MAX} members`)
    .optional(),
};

export const AcceptBodySchema = z.strictObject({ ...StepFields });
export const ArriveBodySchema = z.strictObject({
  ...StepFields,
  deviceAt: isoTime,
  photoIds: photoIds.min(1, 'arrival needs at least one photo taken on site'),
});
export const HandleBodySchema = z.strictObject({ ...StepFields, note, photoIds: photoIds.default([]) });
export const ReplyBodySchema = z.strictObject({ ...StepFields, note });

export const CREW_STEPS = ['accept', 'arrive', 'handle', 'reply'] as const;
export type CrewStep = (typeof CREW_STEPS)[number];
export type AcceptBody = z.input<typeof AcceptBodySchema>;
export type ArriveBody = z.input<typeof ArriveBodySchema>;
export type HandleBody = z.input<typeof HandleBodySchema>;
export type ReplyBody = z.input<typeof ReplyBodySchema>;
export type StepBody = AcceptBody | ArriveBody | HandleBody | ReplyBody;

// ---- answers --------------------------------------------------------------------------------------------------------

export interface LinkResponse {
  /** `<centre>/crew/#<link>`: the token travels in the fragment, which browsers never send to a server. */
  url: string;
  expiresAt: string;
  orderId: string;
  crewId: string;
}

export interface SessionResponse {
  session: string;
  expiresAt: string;
  orderId: string;
  crewId: string;
}

export interface PhotoResponse {
  id: string;
  sha256: string;
  bytes: number;
  /** The photo's own time (EXIF DateTimeOriginal) and place (EXIF GPS), where it carries them. */
  takenAt?: string;
  lat?: number;
  lng?: number;
}

/** A word for the crew from the order's events: the dispatcher's note with the assignment, an urge, a pause. */
export interface JobNote {
  at: string;
  action: string;
  byRole: string;
  text: string;
}

/** One step the crew recorded, with what the centre made of it. */
export interface JobStepRecord {
  action: CrewStep;
  at: string;
  note?: string;
  evidence?: Evidence;
}

/** A member of the crew as its roster at the station has it. */
export interface JobMember {
  id: string;
  name: string;
  onDuty: boolean;
}

export interface Job {
  orderId: string;
  crewId: string;
  crewName?: string;
  /** The crew's members from the station's roster (empty when the roster does not know the crew). */
  members: JobMember[];
  stationId: string;
  type: OrderType;
  priority: Priority;
  state: OrderState;
  address: string;
  city: string;
  county: string;
  description: string;
  callerNumber: string;
  callerName?: string;
  assignedAt: string;
  acceptedAt?: string;
  /** The order's place as the centre knows it (demo coordinates): the customer's location or its county's. */
  place?: { lat: number; lng: number; source: 'customer' | 'county' };
  /** The step the crew takes next, or null when its part is done. */
  next: CrewStep | null;
  notes: JobNote[];
  steps: JobStepRecord[];
  /** The open SLA milestones (on site, handled, replied), due first first. */
  deadlines: { kind: string; due: string; level: string }[];
  paused?: { at: string; reason: string };
  /** The session ends with the link's expiry. */
  expiresAt: string;
}

export interface StepResponse {
  orderId: string;
  state: OrderState;
  event: { id: string; action: CrewStep; at: string };
  evidence: Evidence;
}

export interface ErrorResponse {
  error: string;
}
