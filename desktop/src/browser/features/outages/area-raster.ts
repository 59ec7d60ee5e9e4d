// Painting the outage drawing's dots straight into an ImageData's pixels (one pass over the points, a few device
// pixels each) instead of a canvas path per dot or a DOM node per customer: 20,000 dots take a few ms, a whole
// city's 200,000 well under a frame's worth more. Pure (typed arrays in, typed arrays out), so it is tested in Node.

/** A colour as the 32-bit word an ImageData's Uint32Array view holds on a little-endian machine (all of ours). */
export function rgba(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

/** A CSS hex colour (#rgb or #rrggbb) as such a word. */
export function hex(colour: string): number {
  const h = colour.replace('#', '');
  const full = h.length === 3 ? [...h].map((c) => c + c).join('') : h;
  const n = parseInt(full, 16);
  return rgba((n >> 16) & 255, (n >> 8) & 255, n & 255);
}

export interface Raster {
  /** Device pixels. */
  width: number;
  height: number;
  /** width × height words, row by row. */
  px: Uint32Array;
}

function dot(r: Raster, cx: number, cy: number, size: number, colour: number): void {
  const x0 = Math.round(cx - size / 2);
  const y0 = Math.round(cy - size / 2);
  const x1 = Math.min(r.width, x0 + size);
  const y1 = Math.min(r.height, y0 + size);
  for (let y = Math.max(0, y0); y < y1; y++) {
    const row = y * r.width;
    for (let x = Math.max(0, x0); x < x1; x++) r.px[row + x] = colour;
  }
}

/** Every point (CSS px, times `dpr` for device pixels) as a `size`-pixel square of `colour`. */
export function paintDots(
  r: Raster,
  xs: Float32Array,
  ys: Float32Array,
  dpr: number,
  size: number,
  colour: number,
): void {
  for (let i = 0; i < xs.length; i++) dot(r, xs[i]! * dpr, ys[i]! * dpr, size, colour);
}

/**
 * The selection over the dots: selected customers in `selected`, the other customers on the selected service
 * points (whom the outage covers too) in `covered`; the rest is left as it is.
 */
export function paintSelection(
  r: Raster,
  xs: Float32Array,
  ys: Float32Array,
  dpr: number,
  size: number,
  sel: { mask: Uint8Array; servicePointOf: ArrayLike<number>; servicePointMask: Uint8Array },
  colours: { selected: number; covered: number },
): void {
  const { mask, servicePointOf, servicePointMask } = sel;
  // Covered first, selected over it: a selected dot is never hidden under a covered neighbour.
  for (let i = 0; i < xs.length; i++)
    if (!mask[i] && servicePointMask[servicePointOf[i]!]) dot(r, xs[i]! * dpr, ys[i]! * dpr, size, colours.covered);
  for (let i = 0; i < xs.length; i++) if (mask[i]) dot(r, xs[i]! * dpr, ys[i]! * dpr, size, colours.selected);
}
