// "Draw the service points": in the declare-outage drawer, the cached customers of some counties as dots on a
// canvas (their demo locations, projected flat; no map tiles, the consoles may have no internet), where the user
// drags a rectangle or a lasso to select customers. The service points (台区) those customers hang off are what the
// outage lists: the screen-pop and the merge match a caller by service point (areaCovers), so the outage covers
// everyone on them, and the drawing shows those too. Adding merges them into the form's list, up to the outage's
// limit, and says so when a selection is over it.
//
// Fast for a county of 20,000 customers or a city of 200,000: the points come in one bridge call (customers.inArea,
// columns of numbers), are projected once into typed arrays, and every frame is one pass writing pixels into an
// ImageData (area-raster.ts), never a DOM node or a path per customer; a drag recomputes at most once per frame.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { FUJIAN_CITIES } from '@twinline/demo-data';
import type { BridgeOutput } from '../../../common/bridge';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { countyName } from '../../i18n';
import { boundsOf, extendLasso, fitProjection, markInside, project, projectAll, summarise } from './area-geometry';
import type { Projection, Shape } from './area-geometry';
import { hex, paintDots, paintSelection } from './area-raster';
import type { Raster } from './area-raster';
import { MAX_OUTAGE_SERVICE_POINTS } from './declare';
import '../../styles/outage-draw.css';

type AreaPoints = BridgeOutput<'customers.inArea'>;

const HEIGHT = 360;
/** Between a change of the districts shown and asking for their points. */
const LOAD_DELAY_MS = 200;
const COLOURS = {
  background: hex('#f8fafc'),
  dot: hex('#9aa5b1'),
  covered: hex('#f59e0b'),
  selected: hex('#c2410c'),
};

export interface AreaDrawProps {
  /** The form's city (give the component a `key` of it: another city starts a new drawing). */
  city: string;
  /** The counties shown first. */
  initialCounties: readonly string[];
  /** The service points the form lists already (adding says what the total would be). */
  existing: readonly string[];
  /** Adds these service points (drawn in `county`) to the form. */
  onAdd: (servicePoints: string[], county: string) => void;
}

interface Loaded {
  city: string;
  counties: string[];
  points: AreaPoints;
  servicePointOf: Uint32Array;
  ms: number;
}

interface View {
  /** The points this view shows (a frame never mixes a new view with old points). */
  loaded: Loaded;
  proj: Projection;
  xs: Float32Array;
  ys: Float32Array;
  dpr: number;
  base: Raster;
  frame: ImageData;
  framePx: Uint32Array;
  labels: { text: string; x: number; y: number }[];
}

interface Counts {
  customers: number;
  servicePoints: number;
  covered: number;
}

const NO_COUNTS: Counts = { customers: 0, servicePoints: 0, covered: 0 };

export function AreaDraw({ city, initialCounties, existing, onAdd }: AreaDrawProps) {
  const { t, i18n } = useTranslation();
  const rt = useRuntime();
  const synced = useAppSelector((s) => s.connection.customers?.rows ?? 0);
  const cityCounties = useMemo(() => FUJIAN_CITIES.find((c) => c.id === city)?.counties ?? [], [city]);
  const [counties, setCounties] = useState<string[]>(() => [...initialCounties]);
  const [mode, setMode] = useState<'rect' | 'lasso'>('rect');
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [reloads, setReloads] = useState(0);
  const [width, setWidth] = useState(0);
  const [counts, setCounts] = useState<Counts>(NO_COUNTS);
  const [drawing, setDrawing] = useState(false);
  const [announced, setAnnounced] = useState('');
  const [notice, setNotice] = useState<{ kind: 'added' | 'over'; text: string } | null>(null);
  /** The projected box (south, north, west, east), on the canvas for tests and support. */
  const [bounds, setBounds] = useState<string | undefined>(undefined);

  const wrapRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const viewRef = useRef<View | null>(null);
  /** The committed selection, one byte per point. */
  const maskRef = useRef<Uint8Array>(new Uint8Array(0));
  /** The selection while a shape is being drawn (the committed one plus the shape, or the shape alone). */
  const draftRef = useRef<Uint8Array>(new Uint8Array(0));
  const shapeRef = useRef<{ shape: Shape; additive: boolean; pointer: number } | null>(null);
  const frameRef = useRef(0);

  // The canvas follows the drawer's width.
  useEffect(() => {
    const el = wrapRef.current;
    if (!el) return;
    const measure = () => setWidth(Math.floor(el.clientWidth));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // The points of the counties, again when asked or when the cache got more customers while nothing is selected.
  const countiesKey = counties.join(',');
  const syncedRef = useRef(synced);
  useEffect(() => {
    if (syncedRef.current === synced) return;
    syncedRef.current = synced;
    if (!maskRef.current.some(Boolean) && !shapeRef.current) setReloads((n) => n + 1);
  }, [synced]);
  useEffect(() => {
    const wanted = countiesKey ? countiesKey.split(',') : [];
    if (!wanted.length) {
      setLoaded(null);
      setLoading(false);
      return;
    }
    let live = true;
    setLoading(true);
    setError(null);
    let t0 = 0;
    // Ticking several districts one after another asks once, for the last choice.
    const timer = setTimeout(() => {
      t0 = performance.now();
      void load();
    }, LOAD_DELAY_MS);
    const load = () =>
      rt.bridge
        .call('customers.inArea', { city, counties: wanted })
        .then((points) => {
          if (!live) return;
          setLoaded({
            city,
            counties: wanted,
            points,
            servicePointOf: Uint32Array.from(points.servicePoint),
            ms: performance.now() - t0,
          });
        })
        .catch((err: unknown) => live && setError(err instanceof Error ? err.message : String(err)))
        .finally(() => live && setLoading(false));
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [rt, city, countiesKey, reloads]);

  // A new set of points starts with nothing selected.
  useEffect(() => {
    const n = loaded?.points.accounts.length ?? 0;
    maskRef.current = new Uint8Array(n);
    draftRef.current = new Uint8Array(n);
    shapeRef.current = null;
    setDrawing(false);
    setCounts(NO_COUNTS);
    setNotice(null);
  }, [loaded]);

  /** Paints the frame: the dots as loaded, the selection (or the one being drawn) over them, labels, the shape. */
  const paint = () => {
    frameRef.current = 0;
    const canvas = canvasRef.current;
    const view = viewRef.current;
    if (!canvas || !view) return;
    const { loaded } = view;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    performance.mark('twinline:outage-draw:start');
    const drawn = shapeRef.current;
    let mask = maskRef.current;
    if (drawn) {
      mask = draftRef.current;
      if (drawn.additive) mask.set(maskRef.current);
      else mask.fill(0);
      markInside(mask, view.xs, view.ys, drawn.shape);
    }
    const sum = summarise(mask, loaded.servicePointOf, loaded.points.servicePoints.length);
    view.framePx.set(view.base.px);
    const raster = { width: view.base.width, height: view.base.height, px: view.framePx };
    paintSelection(
      raster,
      view.xs,
      view.ys,
      view.dpr,
      dotSize(view.dpr, view.xs.length),
      { mask, servicePointOf: loaded.servicePointOf, servicePointMask: sum.servicePointMask },
      COLOURS,
    );
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.putImageData(view.frame, 0, 0);
    ctx.setTransform(view.dpr, 0, 0, view.dpr, 0, 0);
    ctx.font = `12px ${getComputedStyle(canvas).fontFamily || 'sans-serif'}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.lineJoin = 'round';
    for (const l of view.labels) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = 'rgba(255,255,255,0.9)';
      ctx.strokeText(l.text, l.x, l.y);
      ctx.fillStyle = '#1f2933';
      ctx.fillText(l.text, l.x, l.y);
    }
    if (drawn) {
      ctx.beginPath();
      const s = drawn.shape;
      if (s.kind === 'rect') ctx.rect(s.x0, s.y0, s.x1 - s.x0, s.y1 - s.y0);
      else {
        for (let i = 0; i + 1 < s.path.length; i += 2) ctx.lineTo(s.path[i]!, s.path[i + 1]!);
        ctx.closePath();
      }
      ctx.fillStyle = 'rgba(31, 111, 178, 0.08)';
      ctx.fill();
      ctx.setLineDash([5, 3]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = '#1f6fb2';
      ctx.stroke();
      ctx.setLineDash([]);
    }
    performance.measure('twinline:outage-draw', 'twinline:outage-draw:start');
    setCounts((old) =>
      old.customers === sum.customers && old.servicePoints === sum.servicePoints.length && old.covered === sum.covered
        ? old
        : { customers: sum.customers, servicePoints: sum.servicePoints.length, covered: sum.covered },
    );
  };
  const schedule = () => {
    if (!frameRef.current) frameRef.current = requestAnimationFrame(paint);
  };
  useEffect(() => () => cancelAnimationFrame(frameRef.current), []);

  // Projection, dots and labels whenever the points or the size change (the selection is kept: it is by point).
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !loaded || width <= 0) {
      viewRef.current = null;
      canvas?.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
      return;
    }
    const { points } = loaded;
    const shown = cityCounties.filter((k) => loaded.counties.includes(k.id));
    const bounds = boundsOf(points.lat, points.lng, shown);
    if (!bounds) return;
    const dpr = Math.max(1, Math.min(3, window.devicePixelRatio || 1));
    const proj = fitProjection(bounds, width, HEIGHT);
    const { xs, ys } = projectAll(proj, points.lat, points.lng);
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(HEIGHT * dpr);
    const base: Raster = {
      width: canvas.width,
      height: canvas.height,
      px: new Uint32Array(canvas.width * canvas.height),
    };
    base.px.fill(COLOURS.background);
    paintDots(base, xs, ys, dpr, dotSize(dpr, xs.length), COLOURS.dot);
    const frame = new ImageData(canvas.width, canvas.height);
    const labels = shown.map((k) => ({ text: countyName(city, k.id), ...project(proj, k.lat, k.lng) }));
    viewRef.current = { loaded, proj, xs, ys, dpr, base, frame, framePx: new Uint32Array(frame.data.buffer), labels };
    setBounds([proj.bounds.south, proj.bounds.north, proj.bounds.west, proj.bounds.east].join(','));
    paint();
  }, [loaded, width, city, cityCounties, i18n.language]);

  const at = (e: PointerEvent<HTMLCanvasElement>) => {
    const r = e.currentTarget.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const total = loaded?.points.accounts.length ?? 0;
  const onPointerDown = (e: PointerEvent<HTMLCanvasElement>) => {
    if (e.button !== 0 || !viewRef.current || total === 0) return;
    e.preventDefault();
    e.currentTarget.focus();
    e.currentTarget.setPointerCapture(e.pointerId);
    const { x, y } = at(e);
    const shape: Shape =
      mode === 'rect' ? { kind: 'rect', x0: x, y0: y, x1: x, y1: y } : { kind: 'lasso', path: [x, y] };
    shapeRef.current = { shape, additive: e.shiftKey || e.ctrlKey || e.metaKey, pointer: e.pointerId };
    setDrawing(true);
    setNotice(null);
    schedule();
  };
  const onPointerMove = (e: PointerEvent<HTMLCanvasElement>) => {
    const drawn = shapeRef.current;
    if (!drawn || drawn.pointer !== e.pointerId) return;
    const { x, y } = at(e);
    const s = drawn.shape;
    if (s.kind === 'rect') {
      s.x1 = x;
      s.y1 = y;
    } else if (!extendLasso(s.path, x, y)) return;
    schedule();
  };
  const finish = (keep: boolean) => {
    const drawn = shapeRef.current;
    if (!drawn) return;
    shapeRef.current = null;
    setDrawing(false);
    if (canvasRef.current?.hasPointerCapture(drawn.pointer)) canvasRef.current.releasePointerCapture(drawn.pointer);
    cancelAnimationFrame(frameRef.current);
    const view = viewRef.current;
    if (keep && view) {
      // From the shape as it ended (the last pointer move may not have had its frame yet); a click clears.
      const mask = maskRef.current;
      if (!drawn.additive) mask.fill(0);
      markInside(mask, view.xs, view.ys, drawn.shape);
    }
    paint();
    const sum = summarise(maskRef.current, loaded?.servicePointOf ?? [], loaded?.points.servicePoints.length ?? 0);
    setAnnounced(t('outage.draw.count', countArgs(sum.customers, sum.servicePoints.length, sum.covered)));
  };
  const onPointerUp = (e: PointerEvent<HTMLCanvasElement>) => {
    if (shapeRef.current?.pointer === e.pointerId) finish(true);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (e.key !== 'Escape' || !shapeRef.current) return; // not drawing: Esc closes the drawer as usual
    e.preventDefault();
    e.stopPropagation();
    finish(false);
    setAnnounced(t('outage.draw.cancelled'));
  };

  const selectAll = (on: boolean) => {
    maskRef.current.fill(on ? 1 : 0);
    setNotice(null);
    paint();
    const sum = summarise(maskRef.current, loaded?.servicePointOf ?? [], loaded?.points.servicePoints.length ?? 0);
    setAnnounced(t('outage.draw.count', countArgs(sum.customers, sum.servicePoints.length, sum.covered)));
  };

  const selectedIds = () => {
    if (!loaded) return [];
    const sum = summarise(maskRef.current, loaded.servicePointOf, loaded.points.servicePoints.length);
    return sum.servicePoints.map((i) => loaded.points.servicePoints[i]!);
  };
  const existingCount = useMemo(() => new Set(existing).size, [existing]);
  const add = () => {
    const ids = selectedIds();
    if (!ids.length || !loaded) return;
    const total = new Set([...existing, ...ids]).size;
    if (total > MAX_OUTAGE_SERVICE_POINTS) {
      const text = t('outage.draw.overCap', {
        points: fmt(ids.length),
        total: fmt(total),
        max: fmt(MAX_OUTAGE_SERVICE_POINTS),
      });
      setNotice({ kind: 'over', text });
      setAnnounced(text);
      return;
    }
    onAdd(ids, loaded.counties[0]!);
    const text = t('outage.draw.added', { count: fmt(total - existingCount), total: fmt(total) });
    setNotice({ kind: 'added', text });
    setAnnounced(text);
  };

  const area = counties.map((k) => countyName(city, k)).join('、');
  const p = loaded?.points;
  return (
    <section className="outage-draw" data-testid="outage-draw" aria-label={t('outage.draw.title')}>
      <fieldset className="outage-draw-counties" data-testid="outage-draw-counties">
        <legend>{t('outage.draw.counties')}</legend>
        {cityCounties.map((k) => (
          <label key={k.id} className="check">
            <input
              type="checkbox"
              data-testid={`outage-draw-county-${k.id}`}
              checked={counties.includes(k.id)}
              onChange={(e) =>
                setCounties((old) => (e.target.checked ? [...old, k.id] : old.filter((c) => c !== k.id)))
              }
            />
            {countyName(city, k.id)}
          </label>
        ))}
      </fieldset>
      <div className="outage-draw-tools">
        <div role="group" aria-label={t('outage.draw.mode')} className="outage-draw-modes">
          {(['rect', 'lasso'] as const).map((m) => (
            <button
              key={m}
              type="button"
              className={mode === m ? 'primary' : undefined}
              aria-pressed={mode === m}
              data-testid={`outage-draw-mode-${m}`}
              onClick={() => setMode(m)}
            >
              {t(`outage.draw.${m}`)}
            </button>
          ))}
        </div>
        <button type="button" data-testid="outage-draw-all" disabled={!total} onClick={() => selectAll(true)}>
          {t('outage.draw.all')}
        </button>
        <button
          type="button"
          data-testid="outage-draw-clear"
          disabled={!counts.customers}
          onClick={() => selectAll(false)}
        >
          {t('outage.draw.clear')}
        </button>
        <button
          type="button"
          className="ghost"
          data-testid="outage-draw-reload"
          onClick={() => setReloads((n) => n + 1)}
        >
          {t('outage.draw.reload')}
        </button>
        <span className="spacer" />
        <span className="muted" data-testid="outage-draw-loaded">
          {loading
            ? t('outage.draw.loading')
            : p
              ? [
                  t('outage.draw.shown', { count: fmt(p.accounts.length), ms: Math.round(loaded.ms) }),
                  p.step > 1 ? t('outage.draw.thinned', { total: fmt(p.total), step: p.step }) : '',
                  p.withoutLocation ? t('outage.draw.noLocation', { count: fmt(p.withoutLocation * p.step) }) : '',
                ]
                  .filter(Boolean)
                  .join(' · ')
              : ''}
        </span>
      </div>
      <div className="outage-draw-canvas" ref={wrapRef}>
        <canvas
          ref={canvasRef}
          data-testid="outage-draw-canvas"
          data-points={total}
          data-selected={counts.customers}
          data-drawing={drawing ? 'true' : 'false'}
          data-bounds={bounds}
          tabIndex={0}
          role="application"
          aria-label={t('outage.draw.canvas', { area, count: fmt(total) })}
          aria-describedby="outage-draw-help"
          style={{ width: width || '100%', height: HEIGHT, cursor: total ? 'crosshair' : 'default' }}
          onPointerDown={onPointerDown}
          onPointerMove={onPointerMove}
          onPointerUp={onPointerUp}
          onPointerCancel={() => finish(false)}
          onKeyDown={onKeyDown}
        />
        {!loading && loaded && total === 0 && (
          <p className="outage-draw-empty" data-testid="outage-draw-empty">
            {t('outage.draw.empty')}
          </p>
        )}
        {error && (
          <p className="notice notice-error outage-draw-empty" role="alert" data-testid="outage-draw-error">
            {t('outage.draw.error', { message: error })}
          </p>
        )}
      </div>
      <p id="outage-draw-help" className="muted outage-draw-help">
        {t('outage.draw.help')}
      </p>
      <div className="outage-draw-foot">
        <span data-testid="outage-draw-count" className={counts.customers ? 'strong' : 'muted'}>
          {counts.customers
            ? t('outage.draw.count', countArgs(counts.customers, counts.servicePoints, counts.covered))
            : t('outage.draw.none')}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="primary"
          data-testid="outage-draw-add"
          disabled={!counts.customers || drawing}
          onClick={add}
        >
          {t('outage.draw.add')}
        </button>
      </div>
      {notice && (
        <p
          className={`notice ${notice.kind === 'over' ? 'notice-error' : 'notice-info'}`}
          data-testid={`outage-draw-${notice.kind}`}
        >
          {notice.text}
        </p>
      )}
      <p className="sr-only" role="status" aria-live="polite" data-testid="outage-draw-status">
        {announced}
      </p>
    </section>
  );
}

/** 2 CSS px (1.5 for more than 20,000 points, still apart at a county of the million-customer demo), in device px. */
function dotSize(dpr: number, points: number): number {
  return Math.max(2, Math.round((points > 20_000 ? 1.5 : 2) * dpr));
}

const fmt = (n: number) => n.toLocaleString('en');

function countArgs(customers: number, servicePoints: number, covered: number) {
  return { customers: fmt(customers), points: fmt(servicePoints), covered: fmt(covered) };
}
