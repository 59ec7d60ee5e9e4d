// The board's version for views that fold many orders in the worker (crews, ratings): it follows the board's at
// most every `ms`, so a busy board (100 edits a second) does not make the worker refold a whole city for each edit.
import { useEffect, useRef, useState } from 'react';
import { useAppSelector } from '../../app/hooks';

export function useBoardVersion(ms = 2000): number {
  const version = useAppSelector((s) => s.board.ordersVersion);
  const [shown, setShown] = useState(version);
  const latest = useRef(version);
  latest.current = version;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => {
    if (version === shown || timer.current) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      setShown(latest.current);
    }, ms);
  }, [version, shown, ms]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  return shown;
}
