// A crew's photo as the centre receives it: what kind of image the bytes really are (by their magic numbers, not by
// what the client says), and the photo's own time and place from its EXIF data, where it carries them.
import exifr from 'exifr';
import type { PhotoType } from '@twinline/crew-page/contract';

/** The image type the bytes start with, or null when they are not a JPEG, PNG or WebP image. */
export function sniffImage(b: Uint8Array): PhotoType | null {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length >= 8 && png.every((v, i) => b[i] === v)) return 'image/png';
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return null;
}

export interface PhotoMeta {
  /** ISO time with offset (EXIF DateTimeOriginal with OffsetTimeOriginal; without one, China time is assumed). */
  takenAt?: string;
  lat?: number;
  lng?: number;
}

const EXIF_TIME = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const OFFSET = /^[+-]\d{2}:\d{2}$/;

/** An EXIF time ("2026:11:23 09:30:00") as an ISO time, with the photo's own offset or +08:00. */
export function exifTime(raw: unknown, offset: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const m = EXIF_TIME.exec(raw.trim());
  if (!m) return undefined;
  const zone = typeof offset === 'string' && OFFSET.test(offset.trim()) ? offset.trim() : '+08:00';
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${zone}`;
  return Number.isNaN(Date.parse(iso)) ? undefined : iso;
}

/**
 * The photo's own time and place. Unreadable or absent metadata gives an empty result, never an error: a photo
 * without metadata is still a photo (the centre flags it).
 */
export async function readPhotoMeta(data: Uint8Array): Promise<PhotoMeta> {
  let tags: Record<string, unknown> | undefined;
  try {
    tags = (await exifr.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength), {
      tiff: true,
      exif: true,
      gps: true,
      ifd1: false,
      xmp: false,
      icc: false,
      iptc: false,
      jfif: false,
      ihdr: false,
      reviveValues: false,
      pick: [
        'DateTimeOriginal',
        'OffsetTimeOriginal',
        'GPSLatitude',
        'GPSLatitudeRef',
        'GPSLongitude',
        'GPSLongitudeRef',
      ],
    })) as Record<string, unknown> | undefined;
  } catch {
    return {};
  }
  if (!tags) return {};
  const meta: PhotoMeta = {};
  const takenAt = exifTime(tags.DateTimeOriginal, tags.OffsetTimeOriginal);
  if (takenAt) meta.takenAt = takenAt;
  const lat = dms(tags.GPSLatitude, tags.GPSLatitudeRef, 'S', 90);
  const lng = dms(tags.GPSLongitude, tags.GPSLongitudeRef, 'W', 180);
  if (lat !== undefined && lng !== undefined) Object.assign(meta, { lat, lng });
  return meta;
}

/** Degrees from EXIF's [degrees, minutes, seconds] and its hemisphere letter. */
function dms(value: unknown, ref: unknown, negative: string, limit: number): number | undefined {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return undefined;
  const [d, m, s] = value as [number, number, number];
  const deg = (d + m / 60 + s / 3600) * (typeof ref === 'string' && ref.trim().toUpperCase() === negative ? -1 : 1);
  return Math.abs(deg) <= limit ? Math.round(deg * 1e6) / 1e6 : undefined;
}
