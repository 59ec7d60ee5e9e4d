// The open order in full (timeline, comments, allowed steps) for the panel. The board holds rows only; the board
// worker has the documents, so the panel asks it for the order, and again each time the order's row changes.
import { useEffect, useState } from 'react';
import { useOrder, useRuntime } from '../../app/hooks';
import type { BoardRow, OrderEntry } from '../board/types';

export function useOpenOrder(id: string | null): { row: BoardRow | undefined; entry: OrderEntry | null } {
  const rt = useRuntime();
  const row = useOrder(id);
  const [entry, setEntry] = useState<OrderEntry | null>(null);
  useEffect(() => {
    const board = rt.session?.board;
    if (!row || !board) {
      setEntry(null);
      return;
    }
    let live = true;
    board.call('order', { doc: row.doc, id: row.id }).then(
      (e) => live && setEntry(e),
      () => live && setEntry(null),
    );
    return () => {
      live = false;
    };
  }, [rt, row]);
  return { row, entry: entry && entry.order.id === id ? entry : null };
}
