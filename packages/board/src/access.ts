// Which region documents exist and who may read or write each. One Yjs document per prefecture-level city of Fujian.
import type { Role } from '@twinline/workorder';

export const CITY_IDS = [
  'fuzhou',
  'xiamen',
  'putian',
  'sanming',
  'quanzhou',
  'zhangzhou',
  'nanping',
  'longyan',
  'ningde',
] as const;
export type CityId = (typeof CITY_IDS)[number];

/** Who is connected: the signed-in user, the role they act in, their centre, and for a dispatcher its station and city. */
export interface Principal {
  userId: string;
  role: Role;
  centre: string;
  stationId?: string;
  /** A dispatcher's city: the only region document it loads. */
  city?: string;
}

const PREFIX = 'region/';

export function isCityId(id: string): id is CityId {
  return (CITY_IDS as readonly string[]).includes(id);
}

/** The name of a city's board document, e.g. `region/fuzhou`. Throws for a city that is not one of Fujian's nine. */
export function regionDoc(city: string): string {
  if (!isCityId(city)) throw new Error(`unknown city ${JSON.stringify(city)}`);
  return PREFIX + city;
}

/** `{ city }` for a board document name, or null for anything that is not exactly `region/<one of the nine>`. */
export function parseDocName(name: string): { city: CityId } | null {
  if (typeof name !== 'string' || !name.startsWith(PREFIX)) return null;
  const city = name.slice(PREFIX.length);
  return isCityId(city) ? { city } : null;
}

/** Centre staff see the whole province; a dispatcher only its own city. Unknown documents: nobody. */
export function canRead(p: Principal, docName: string): boolean {
  const parsed = parseDocName(docName);
  if (!parsed) return false;
  switch (p.role) {
    case 'agent':
    case 'team_lead':
    case 'admin':
      return true;
    case 'dispatcher':
      return p.city !== undefined && p.city === parsed.city;
    default:
      return false;
  }
}

/** Today write access equals read access; kept separate so a read-only role can be added without touching callers. */
export function canWrite(p: Principal, docName: string): boolean {
  return canRead(p, docName);
}

/** The region documents a principal's console loads. */
export function docsFor(p: Principal): string[] {
  return CITY_IDS.map(regionDoc).filter((name) => canRead(p, name));
}
