// Limits the page and the centre share (no zod here: the page's bundle imports this file).
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type PhotoType = (typeof PHOTO_TYPES)[number];
/** Photos one step may carry (EvidenceSchema allows 10). */
export const PHOTOS_PER_STEP = 10;
