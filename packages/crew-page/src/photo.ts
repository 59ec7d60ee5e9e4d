// Photos as the page sends them: JPEG, PNG or WebP of at most PHOTO_MAX_BYTES. A larger photo (a phone camera's
// 8 MB JPEG) or another format (HEIC) is redrawn as a smaller JPEG; a JPEG keeps its EXIF block (the photo's own time
// and place, which the centre checks), so shrinking does not lose the evidence.
import { PHOTO_MAX_BYTES, PHOTO_TYPES } from './limits';

const MAX_SIDE = 2560;

export async function prepare(file: Blob): Promise<Blob> {
  if ((PHOTO_TYPES as readonly string[]).includes(file.type) && file.size <= PHOTO_MAX_BYTES) return file;
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  let quality = 0.85;
  let out: Blob | null = null;
  while (quality > 0.3) {
    out = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', quality));
    if (out && out.size <= PHOTO_MAX_BYTES - 128 * 1024) break;
    quality -= 0.15;
  }
  if (!out) throw new Error('the photo could not be converted');
  const exif = file.type === 'image/jpeg' ? exifSegment(new Uint8Array(await file.arrayBuffer())) : null;
  if (!exif) return out;
  const jpeg = new Uint8Array(await out.arrayBuffer());
  return new Blob([jpeg.subarray(0, 2), exif, jpeg.subarray(2)], { type: 'image/jpeg' });
}

/** The APP1 "Exif" segment of a JPEG (marker and length included), or null. */
export function exifSegment(b: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | null {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1]!;
    if (marker === 0xda || marker === 0xd9) return null; // image data starts: no more metadata
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    const isExif =
      marker === 0xe1 &&
      String.fromCharCode(...b.subarray(i + 4, i + 8)) === 'Exif' &&
      b[i + 8] === 0 &&
      b[i + 9] === 0;
    if (isExif) return b.subarray(i, i + 2 + len);
    i += 2 + len;
  }
  return null;
}
