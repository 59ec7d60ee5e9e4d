// Rows from the host's snapshot, checked one by one on the way in: a row that no longer fits the schema (a
// hand-edited file, an older build) is left out and comes back when the board worker has the documents.
import { BoardRow } from '../../../common/board-row';

export function validRows(raw: readonly unknown[]): { rows: BoardRow[]; dropped: number } {
  const rows: BoardRow[] = [];
  for (const r of raw) {
    const parsed = BoardRow.safeParse(r);
    if (parsed.success) rows.push(parsed.data);
  }
  return { rows, dropped: raw.length - rows.length };
}
