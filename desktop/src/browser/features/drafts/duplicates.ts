// The duplicate detector of the new-order form: open orders with the same address or the same caller number. A
// warning, never a block (a second caller about the same outage is normal; the agent may merge later).
import type { OrderState } from '@twinline/workorder';
import type { BoardRow } from '../board/types';
import { OPEN_STATES } from '../board/types';

export interface DuplicateIndex {
  byAddress: Map<string, string[]>;
  byCaller: Map<string, string[]>;
}

/** Full-width to half-width, lower case, no spaces or punctuation: `福州市鼓楼区 五四路 12 号` = `福州市鼓楼区五四路12号`. */
export function normaliseAddress(address: string): string {
  return address
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s,.;:'"()[\]{}\-_/\\#，。；：、“”‘’（）【】—·]/g, '');
}

/** Digits only, without a +86 / 0086 country prefix. */
export function normaliseNumber(number: string): string {
  const digits = number.replace(/\D/g, '');
  return digits.replace(/^(0086|86)(?=1\d{10}$)/, '');
}

const push = (map: Map<string, string[]>, key: string, id: string) => {
  if (!key) return;
  const list = map.get(key);
  if (list) list.push(id);
  else map.set(key, [id]);
};

export function buildDuplicateIndex(rows: Iterable<BoardRow>): DuplicateIndex {
  const index: DuplicateIndex = { byAddress: new Map(), byCaller: new Map() };
  for (const r of rows) {
    if (!OPEN_STATES.includes(r.state as OrderState)) continue;
    push(index.byAddress, normaliseAddress(r.address), r.id);
    push(index.byCaller, normaliseNumber(r.callerNumber), r.id);
  }
  return index;
}

export interface Duplicates {
  sameAddress: string[];
  sameCaller: string[];
}

export function findDuplicates(
  index: DuplicateIndex,
  input: { address: string; callerNumber: string },
  excludeId?: string,
): Duplicates {
  const address = normaliseAddress(input.address);
  const caller = normaliseNumber(input.callerNumber);
  const keep = (ids: string[] | undefined) => (ids ?? []).filter((id) => id !== excludeId);
  return {
    // A few characters match too much; only a real address is compared.
    sameAddress: address.length >= 4 ? keep(index.byAddress.get(address)) : [],
    sameCaller: caller.length >= 5 ? keep(index.byCaller.get(caller)) : [],
  };
}
