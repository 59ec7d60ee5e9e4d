// The photos a crew sent with a report, as thumbnails in the order's timeline; a click shows one large. Each photo is
// received by one centre (the one the crew's page talked to: the event's `by.centre`), asked first, and copied by the
// twin a moment later: when the centre asked has it not (404), the other is asked too. Fetched with the login's token
// and shown from a blob: URL, released when the timeline goes.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Evidence } from '@twinline/workorder';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { centreName, formatTime } from '../../i18n';
import { centreFetch } from '../session/centreApi';

type Photo = Evidence['photos'][number];
type Loaded = { url: string } | { error: string } | null;

function usePhoto(id: string, centre: string): Loaded {
  const rt = useRuntime();
  const centres = useAppSelector((s) => s.session.settings?.centres);
  const [loaded, setLoaded] = useState<Loaded>(null);
  useEffect(() => {
    const token = rt.session?.stored.token;
    setLoaded(null); // the URL shown so far is released by the cleanup below
    if (!centres || !token) return;
    let live = true;
    let url: string | null = null;
    centreFetch(centres, centre, token, `/api/crew/photos/${encodeURIComponent(id)}`, {
      timeoutMs: 15_000,
      nextOn404: true,
    })
      .then(async ({ res }) => {
        const blob = await res.blob();
        if (!blob.type.startsWith('image/')) throw new Error(`not an image (${blob.type || 'no type'})`);
        url = URL.createObjectURL(blob);
        if (live) setLoaded({ url });
        else URL.revokeObjectURL(url);
      })
      .catch((error: unknown) => live && setLoaded({ error: error instanceof Error ? error.message : String(error) }));
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [rt, centres, id, centre]);
  return loaded;
}

function Thumb({ photo, centre, onOpen }: { photo: Photo; centre: string; onOpen: (url: string) => void }) {
  const { t } = useTranslation();
  const loaded = usePhoto(photo.id, centre);
  const title = [
    photo.takenAt ? t('order.evidence.takenAt', { time: formatTime(photo.takenAt) }) : t('order.evidence.noTakenAt'),
    `${Math.round(photo.bytes / 1024)} KB`,
  ].join(' · ');
  if (!loaded) return <span className="photo-thumb loading" data-testid="evidence-photo" data-loaded="false" />;
  if ('error' in loaded)
    return (
      <span
        className="photo-thumb missing"
        data-testid="evidence-photo"
        data-loaded="error"
        title={t('order.evidence.photoMissing', { centre: centreName(centre), error: loaded.error })}
      >
        ?
      </span>
    );
  return (
    <button
      type="button"
      className="photo-thumb"
      data-testid="evidence-photo"
      data-loaded="true"
      title={title}
      onClick={() => onOpen(loaded.url)}
    >
      <img src={loaded.url} alt={title} />
    </button>
  );
}

/** The thumbnails of one crew report, and the one opened large. */
export function EvidencePhotos({ photos, centre }: { photos: Photo[]; centre: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<string | null>(null);
  if (photos.length === 0) return null;
  return (
    <span className="evidence-photos">
      {photos.map((p) => (
        <Thumb key={p.id} photo={p} centre={centre} onOpen={setOpen} />
      ))}
      {open && (
        <div
          className="photo-view"
          role="dialog"
          aria-label={t('order.evidence.photo')}
          data-testid="evidence-photo-view"
          tabIndex={-1}
          ref={(el) => el?.focus()}
          onClick={() => setOpen(null)}
          onKeyDown={(e) => e.key === 'Escape' && setOpen(null)}
        >
          <img src={open} alt={t('order.evidence.photo')} />
        </div>
      )}
    </span>
  );
}
