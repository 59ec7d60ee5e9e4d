// Presence over the documents' awareness (y-protocols): each console sets {user, viewing, editing?} on the
// awareness of the document that holds the order it has open; everyone else's states are folded into "who has
// which order open, and which field they are editing".

export interface PresenceUser {
  clientId: number;
  userId: string;
  name: string;
  /** A draft field being edited in the order panel. */
  editing?: string;
}

export type PresenceByOrder = Record<string, PresenceUser[]>;

/** What a console puts in its awareness state. */
export interface LocalPresence {
  user: { id: string; name: string };
  viewing: string | null;
  editing?: string | null;
}

interface AwarenessLike {
  clientID: number;
  getStates(): Map<number, unknown>;
}

function isPresence(v: unknown): v is LocalPresence {
  const s = v as Partial<LocalPresence> | null;
  return (
    !!s &&
    typeof s === 'object' &&
    !!s.user &&
    typeof s.user.id === 'string' &&
    typeof s.user.name === 'string' &&
    typeof s.viewing === 'string'
  );
}

/** Everyone but this console, grouped by the order they view, sorted by name for a stable display. */
export function collectPresence(awarenesses: Iterable<AwarenessLike>): PresenceByOrder {
  const out: PresenceByOrder = {};
  const seen = new Set<string>();
  for (const a of awarenesses) {
    for (const [clientId, state] of a.getStates()) {
      if (clientId === a.clientID || !isPresence(state)) continue;
      const key = `${clientId}:${state.viewing}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const user: PresenceUser = { clientId, userId: state.user.id, name: state.user.name.slice(0, 60) };
      if (typeof state.editing === 'string') user.editing = state.editing;
      (out[state.viewing!] ??= []).push(user);
    }
  }
  for (const list of Object.values(out)) list.sort((a, b) => a.name.localeCompare(b.name) || a.clientId - b.clientId);
  return out;
}

/** Initials for an avatar: the surname of a Chinese name (first character), else the initials of two words. */
export function initials(name: string): string {
  const clean = name.replace(/[（(].*$/, '').trim();
  if (!clean) return '?';
  if (/^[\u4e00-\u9fff]/.test(clean)) return clean.slice(0, 1);
  const words = clean.split(/\s+/);
  return ((words[0]?.[0] ?? '') + (words[1]?.[0] ?? '')).toUpperCase();
}
