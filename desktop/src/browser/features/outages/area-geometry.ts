// The geometry of the outage drawing (AreaDraw.tsx), kept apart from the canvas so it is tested on its own: a flat
// projection of the customers' demo locations onto the canvas, the rectangle and the lasso the user drags, which
// customers fall inside, and the service points (台区) they hang off. Everything works on typed arrays, one pass per
// question: a county has about 20,000 customers, a whole city up to 212,000.
//
// The projection is equirectangular, the longitude scaled by the cosine of the middle latitude: over a county (a few
// km) or a city (100 km) it is within a fraction of a pixel of a real map projection, and it keeps shapes square.

export interface GeoBounds {
  south: number;
  north: number;
  west: number;
  east: number;
}

export interface Projection {
  /** Canvas pixels (CSS px) per degree of latitude. */
  readonly scale: number;
  /** cos(middle latitude): a degree of longitude is this much shorter than one of latitude. */
  readonly kx: number;
  /** The canvas point of (north, west) after centring: x = ox + (lng - west) * kx * scale, y = oy + (north - lat) * scale. */
  readonly ox: number;
  readonly oy: number;
  readonly bounds: GeoBounds;
  readonly width: number;
  readonly height: number;
}

/** The smallest span fitted, degrees (about 200 m): a single customer is not blown up to fill the canvas. */
const MIN_SPAN = 0.002;

/** The box around the points (and `extra` places, e.g. county centres); null when there is nothing. */
export function boundsOf(
  lat: ArrayLike<number>,
  lng: ArrayLike<number>,
  extra: readonly { lat: number; lng: number }[] = [],
): GeoBounds | null {
  let south = Infinity;
  let north = -Infinity;
  let west = Infinity;
  let east = -Infinity;
  const add = (la: number, ln: number) => {
    if (la < south) south = la;
    if (la > north) north = la;
    if (ln < west) west = ln;
    if (ln > east) east = ln;
  };
  for (let i = 0; i < lat.length; i++) add(lat[i]!, lng[i]!);
  for (const p of extra) add(p.lat, p.lng);
  return south <= north ? { south, north, west, east } : null;
}

/** Fits `b` into a width × height canvas (CSS px) with `pad` px on every side, centred, north up. */
export function fitProjection(b: GeoBounds, width: number, height: number, pad = 14): Projection {
  let { south, north, west, east } = b;
  if (north - south < MIN_SPAN) [south, north] = [(south + north - MIN_SPAN) / 2, (south + north + MIN_SPAN) / 2];
  if (east - west < MIN_SPAN) [west, east] = [(west + east - MIN_SPAN) / 2, (west + east + MIN_SPAN) / 2];
  const kx = Math.cos((((south + north) / 2) * Math.PI) / 180);
  const spanX = (east - west) * kx;
  const spanY = north - south;
  const scale = Math.max(1e-9, Math.min((width - 2 * pad) / spanX, (height - 2 * pad) / spanY));
  return {
    scale,
    kx,
    ox: (width - spanX * scale) / 2,
    oy: (height - spanY * scale) / 2,
    bounds: { south, north, west, east },
    width,
    height,
  };
}

export function project(p: Projection, lat: number, lng: number): { x: number; y: number } {
  return { x: p.ox + (lng - p.bounds.west) * p.kx * p.scale, y: p.oy + (p.bounds.north - lat) * p.scale };
}

/** The place under a canvas point (the inverse of `project`). */
export function unproject(p: Projection, x: number, y: number): { lat: number; lng: number } {
  return { lat: p.bounds.north - (y - p.oy) / p.scale, lng: p.bounds.west + (x - p.ox) / (p.kx * p.scale) };
}

/** Every point on the canvas at once, CSS px. */
export function projectAll(
  p: Projection,
  lat: ArrayLike<number>,
  lng: ArrayLike<number>,
): { xs: Float32Array; ys: Float32Array } {
  const n = lat.length;
  const xs = new Float32Array(n);
  const ys = new Float32Array(n);
  const ax = p.kx * p.scale;
  const bx = p.ox - p.bounds.west * ax;
  const by = p.oy + p.bounds.north * p.scale;
  for (let i = 0; i < n; i++) {
    xs[i] = bx + lng[i]! * ax;
    ys[i] = by - lat[i]! * p.scale;
  }
  return { xs, ys };
}

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** A shape being drawn: a rectangle from where the drag began to the pointer, or a lasso's path (x0, y0, x1, y1, …). */
export type Shape =
  { kind: 'rect'; x0: number; y0: number; x1: number; y1: number } | { kind: 'lasso'; path: number[] };

/** The rectangle between two corners, whichever way it was dragged. */
export function rectOf(x0: number, y0: number, x1: number, y1: number): Rect {
  return { left: Math.min(x0, x1), top: Math.min(y0, y1), right: Math.max(x0, x1), bottom: Math.max(y0, y1) };
}

/** Edges included: a dot under the rectangle's border is in it. */
export function pointInRect(x: number, y: number, r: Rect): boolean {
  return x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
}

/**
 * Whether (x, y) is inside the polygon `path` (x0, y0, x1, y1, …; closed from the last vertex back to the first),
 * by the even-odd rule: a lasso that crosses itself leaves the loops it crossed out, as drawing programs do.
 */
export function pointInPolygon(x: number, y: number, path: ArrayLike<number>): boolean {
  const n = path.length >> 1;
  if (n < 3) return false;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) if (crosses(path, i, j, x, y)) inside = !inside;
  return inside;
}

/** Whether the polygon's edge from vertex j to vertex i crosses the ray going right from (x, y). */
function crosses(path: ArrayLike<number>, i: number, j: number, x: number, y: number): boolean {
  const xi = path[2 * i]!;
  const yi = path[2 * i + 1]!;
  const xj = path[2 * j]!;
  const yj = path[2 * j + 1]!;
  return yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi;
}

/**
 * `pointInPolygon` for many points against one lasso: the path's edges are filed by the 1-px band of rows they span,
 * so a point is tested against the few edges that can cross its row instead of all of them (a lasso has hundreds of
 * vertices, a city 200,000 points). Exactly the same answers: an edge that does not span the point's row cannot
 * cross the ray from it.
 */
export function lassoTest(path: ArrayLike<number>): (x: number, y: number) => boolean {
  const n = path.length >> 1;
  if (n < 3) return () => false;
  let top = Infinity;
  let bottom = -Infinity;
  for (let i = 0; i < n; i++) {
    top = Math.min(top, path[2 * i + 1]!);
    bottom = Math.max(bottom, path[2 * i + 1]!);
  }
  const first = Math.floor(top);
  const bands: number[][] = Array.from({ length: Math.floor(bottom) - first + 1 }, () => []);
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const a = path[2 * i + 1]!;
    const b = path[2 * j + 1]!;
    for (let r = Math.floor(Math.min(a, b)); r <= Math.floor(Math.max(a, b)); r++) bands[r - first]!.push(i);
  }
  return (x, y) => {
    const band = bands[Math.floor(y) - first];
    if (!band) return false;
    let inside = false;
    for (const i of band) if (crosses(path, i, i === 0 ? n - 1 : i - 1, x, y)) inside = !inside;
    return inside;
  };
}

/** The shape's bounding box (a lasso's first test: most points are far outside it). */
export function shapeBox(shape: Shape): Rect {
  if (shape.kind === 'rect') return rectOf(shape.x0, shape.y0, shape.x1, shape.y1);
  const p = shape.path;
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (let i = 0; i + 1 < p.length; i += 2) {
    box.left = Math.min(box.left, p[i]!);
    box.right = Math.max(box.right, p[i]!);
    box.top = Math.min(box.top, p[i + 1]!);
    box.bottom = Math.max(box.bottom, p[i + 1]!);
  }
  return box;
}

/** A shape too small to mean anything (a click): under 3 px each way, or a lasso of fewer than 3 vertices. */
export function isTinyShape(shape: Shape): boolean {
  const box = shapeBox(shape);
  if (shape.kind === 'lasso' && shape.path.length < 6) return true;
  return box.right - box.left < 3 && box.bottom - box.top < 3;
}

/**
 * Adds the lasso's next vertex unless it is within `minGap` px of the last one: a pointer reports every few px, and
 * a path of thousands of vertices would make each point test slow for nothing.
 */
export function extendLasso(path: number[], x: number, y: number, minGap = 3): boolean {
  const n = path.length;
  if (n >= 2 && Math.hypot(x - path[n - 2]!, y - path[n - 1]!) < minGap) return false;
  path.push(x, y);
  return true;
}

/** Sets mask[i] = 1 for every point inside the shape; returns how many were inside. */
export function markInside(mask: Uint8Array, xs: Float32Array, ys: Float32Array, shape: Shape): number {
  if (isTinyShape(shape)) return 0;
  const box = shapeBox(shape);
  const inLasso = shape.kind === 'lasso' ? lassoTest(shape.path) : null;
  let inside = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x < box.left || x > box.right || y < box.top || y > box.bottom) continue;
    if (inLasso && !inLasso(x, y)) continue;
    mask[i] = 1;
    inside++;
  }
  return inside;
}

export interface SelectionSummary {
  /** Customers selected. */
  customers: number;
  /** The service points (indexes into the area's list) of the selected customers, in first-seen order. */
  servicePoints: number[];
  /** 1 for each service point selected, by index. */
  servicePointMask: Uint8Array;
  /** Customers (of those loaded) on the selected service points, selected or not: whom the outage would cover. */
  covered: number;
}

/** What a selection amounts to: its customers, their service points, and everyone on those service points. */
export function summarise(mask: Uint8Array, servicePointOf: ArrayLike<number>, servicePointCount: number) {
  const servicePointMask = new Uint8Array(servicePointCount);
  const servicePoints: number[] = [];
  let customers = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    customers++;
    const sp = servicePointOf[i]!;
    if (!servicePointMask[sp]) {
      servicePointMask[sp] = 1;
      servicePoints.push(sp);
    }
  }
  let covered = 0;
  if (servicePoints.length) for (let i = 0; i < mask.length; i++) covered += servicePointMask[servicePointOf[i]!]!;
  return { customers, servicePoints, servicePointMask, covered } satisfies SelectionSummary;
}
