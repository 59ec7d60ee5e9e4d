// The screen-pop for a ringing call: who is calling (the console's customer cache first, then the centre), their
// open and recent orders on the board, and active notices for their address. Looked up once per number.
import { useEffect, useState } from 'react';
import { useAppSelector, useRuntime } from '../../app/hooks';
import { screenPop } from '../../customers/screenPop';
import type { ScreenPop } from '../../customers/screenPop';

const NOTHING: ScreenPop = {
  raw: '',
  phone: null,
  customers: [],
  source: 'none',
  orders: { open: [], recent: [] },
  notices: [],
};

export function useCallerInfo(number: string | null): ScreenPop & { loading: boolean } {
  const rt = useRuntime();
  const settings = useAppSelector((s) => s.session.settings);
  const centre = useAppSelector((s) => s.connection.centre);
  const city = useAppSelector((s) => s.session.account?.city);
  const [pop, setPop] = useState<{ number: string; pop: ScreenPop } | null>(null);
  useEffect(() => {
    if (!number) return;
    let live = true;
    const token = rt.session?.stored.token;
    const at = settings?.centres.find((c) => c.name === centre);
    void screenPop(
      {
        bridge: rt.bridge,
        centre: () => (at && token ? { name: at.name, http: at.http, token } : null),
        ...(city ? { cities: [city] } : {}),
        rows: () => rt.orders.values(),
      },
      number,
    ).then((p) => live && setPop({ number, pop: p }));
    return () => {
      live = false;
    };
  }, [rt, number, settings, centre, city]);
  if (!number) return { ...NOTHING, loading: false };
  if (!pop || pop.number !== number) return { ...NOTHING, raw: number, loading: true };
  return { ...pop.pop, loading: false };
}
