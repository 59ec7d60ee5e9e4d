// What the centre makes of a crew's record: the evidence kept with the step (its own clock, the phone's location and
// how far that is from the order, the photos with their own time and place) and the flags for what does not add up.
// Nothing is trusted silently and nothing is dropped: a suspicious record is kept, with its flags, for people to judge.
import { EvidenceSchema } from '@twinline/workorder';
import type { Evidence, EvidenceFlag } from '@twinline/workorder';
import type { CrewLocation, CrewStep, PhotoResponse } from '@twinline/crew-page/contract';
import { distanceM, distanceWords } from './geo';
import type { Place } from './geo';

/** Beyond this the phone (or the photo) was not at the order's address. */
export const TOO_FAR_M = 1000;
/** Clocks of phones and centre may disagree by this much before it is worth saying. */
export const CLOCK_SKEW_MS = 2 * 60_000;
/** An offline record that reaches the centre this long after it says it was made is kept, but flagged. */
export const OFFLINE_LATE_MS = 30 * 60_000;
/** A photo taken this long before the record it comes with is not a photo of that moment. */
export const PHOTO_OLD_MS = 2 * 3600_000;

/** A stored photo as the crew page was told of it, and what the centre knows of its content. */
export interface PhotoFacts extends PhotoResponse {
  /** The order this content was already attached to, when it was (the same bytes used before). */
  usedOn?: string;
}

export interface EvidenceInput {
  step: CrewStep;
  /** The centre's clock when the record arrived. */
  serverAt: Date;
  deviceAt?: Date;
  offline: boolean;
  location?: CrewLocation;
  /** The order's place (demo coordinates), when known. */
  place?: Place;
  /** When the current assignment was made (the dispatcher's `assign` event). */
  assignedAt: Date;
  photos: PhotoFacts[];
  /** The crew's members on the job (roster ids, as the page sent them: no id twice), when the page said. */
  members?: readonly string[];
  /**
   * The member ids the crew's roster has as the record is written (none when the roster does not know the crew).
   * Members named that it lacks are kept, and flagged: an offline record may name someone who has left the crew since.
   */
  roster?: readonly string[];
}

const CLOCK = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
/** A time as the crews and dispatchers read it: China time, month/day hour:minute. */
export const when = (d: Date | number) => CLOCK.format(typeof d === 'number' ? new Date(d) : d);
const minutes = (ms: number) => Math.round(ms / 60_000);
const hours = (ms: number) => (ms / 3600_000).toFixed(1);
const both = (zh: string, en: string) => `${zh} / ${en}`.slice(0, 200);

/** As many of `ids` as fit in about 64 characters (at least one), for a flag's detail, and how many are left out. */
function someIds(ids: readonly string[]): { list: string; more: number } {
  let list = ids[0] ?? '';
  let i = 1;
  for (; i < ids.length && list.length + 2 + ids[i]!.length <= 64; i++) list += `, ${ids[i]}`;
  return { list, more: ids.length - i };
}

/** The evidence of one crew step: the centre's facts and every flag, each with a bilingual detail. */
export function evidenceFor(input: EvidenceInput): Evidence {
  const { serverAt, deviceAt, offline, location, place, photos, members = [] } = input;
  const flags: { code: EvidenceFlag; detail: string }[] = [];
  const flag = (code: EvidenceFlag, zh: string, en: string) => flags.push({ code, detail: both(zh, en) });

  let distance: number | undefined;
  if (location && place) {
    distance = Math.round(distanceM(location, place));
    if (distance > TOO_FAR_M) {
      const w = distanceWords(distance);
      flag('too_far', `位置距工单地址 ${w.zh}`, `${w.en} from the address`);
    }
  } else if (!location && (input.step === 'arrive' || input.step === 'handle')) {
    flag('no_location', '手机未提供位置', 'the phone gave no location');
  }

  if (deviceAt) {
    const ahead = deviceAt.getTime() - serverAt.getTime();
    if (ahead > CLOCK_SKEW_MS) {
      flag('clock_skew', `手机时间比中心快 ${minutes(ahead)} 分钟`, `the phone's clock is ${minutes(ahead)} min ahead`);
    } else if (!offline && -ahead > CLOCK_SKEW_MS) {
      flag(
        'clock_skew',
        `在线记录，但手机时间比中心慢 ${minutes(-ahead)} 分钟`,
        `sent online, but the phone's clock is ${minutes(-ahead)} min behind`,
      );
    }
    if (deviceAt < input.assignedAt) {
      flag(
        'too_early',
        `记录时间 ${when(deviceAt)} 早于派工 ${when(input.assignedAt)}`,
        `recorded at ${when(deviceAt)}, before the crew was assigned at ${when(input.assignedAt)}`,
      );
    }
    if (offline && -ahead > OFFLINE_LATE_MS) {
      flag(
        'offline_late',
        `离线记录于 ${when(deviceAt)}，${minutes(-ahead)} 分钟后才送达中心`,
        `recorded offline at ${when(deviceAt)}, reached the centre ${minutes(-ahead)} min later`,
      );
    }
  }

  const roster = new Set(input.roster);
  const unknown = [...new Set(members)].filter((m) => !roster.has(m));
  if (unknown.length > 0) {
    const { list, more } = someIds(unknown);
    flag(
      'member_unknown',
      `${more > 0 ? `${list} 等 ${unknown.length} 人` : list} 不在班组名单中`,
      `${more > 0 ? `${list} and ${more} more` : list} ${unknown.length === 1 ? 'is' : 'are'} not in the crew's roster`,
    );
  }

  const recordAt = deviceAt ?? serverAt;
  for (const [i, p] of photos.entries()) {
    const n = `${i + 1}`;
    if (p.usedOn)
      flag('photo_reused', `照片 ${n} 曾用于工单 ${p.usedOn}`, `photo ${n} was already used on ${p.usedOn}`);
    if (p.takenAt) {
      const age = recordAt.getTime() - Date.parse(p.takenAt);
      if (age > PHOTO_OLD_MS)
        flag('photo_old', `照片 ${n} 拍摄于记录前 ${hours(age)} 小时`, `photo ${n} was taken ${hours(age)} h before`);
    }
    if (p.lat !== undefined && p.lng !== undefined && place) {
      const d = distanceM({ lat: p.lat, lng: p.lng }, place);
      if (d > TOO_FAR_M) {
        const w = distanceWords(d);
        flag('photo_far', `照片 ${n} 拍摄地距工单地址 ${w.zh}`, `photo ${n} was taken ${w.en} from the address`);
      }
    }
    if (!p.takenAt && (p.lat === undefined || p.lng === undefined))
      flag('photo_no_metadata', `照片 ${n} 没有拍摄时间和位置`, `photo ${n} carries no time or place of its own`);
  }

  return EvidenceSchema.parse({
    serverAt: serverAt.toISOString(),
    ...(deviceAt ? { deviceAt: deviceAt.toISOString() } : {}),
    offline,
    ...(location ? { location } : {}),
    ...(distance !== undefined ? { distanceM: distance } : {}),
    photos: photos.map((p) => ({
      id: p.id,
      sha256: p.sha256,
      bytes: p.bytes,
      ...(p.takenAt ? { takenAt: p.takenAt } : {}),
      ...(p.lat !== undefined && p.lng !== undefined ? { lat: p.lat, lng: p.lng } : {}),
    })),
    flags: flags.slice(0, 20),
    ...(members.length > 0 ? { members: [...members] } : {}),
  });
}
