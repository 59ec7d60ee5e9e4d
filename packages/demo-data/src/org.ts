// The organisation behind the hotline: one power-supply service station (供电服务站) per county, and the shape of
// its field crews. Plain data derived from the geography, with no generated names, so the console can import it
// without the name generator (the crews and demo accounts themselves are in people.ts).
import type { AreaClass } from '@twinline/workorder';
import { FUJIAN_CITIES, shortCountyName, type CentreId, type CityId } from './fujian';

export const SKILLS = ['line', 'low_voltage', 'meter', 'transformer', 'cable', 'business'] as const;
export type Skill = (typeof SKILLS)[number];

export interface Station {
  /** `st-${city}-${county}`, e.g. st-fuzhou-gulou. */
  id: string;
  city: CityId;
  county: string;
  /** e.g. 鼓楼供电服务站. */
  zh: string;
  en: string;
  areaClass: AreaClass;
  /** The centre that normally dispatches to this station. */
  centre: CentreId;
  lat: number;
  lng: number;
}

export interface CrewMember {
  id: string;
  name: string;
  phone: string;
  onDuty: boolean;
}

export interface Crew {
  /** `${stationId}-c${n}`. */
  id: string;
  stationId: string;
  /** e.g. 抢修一班, 营业班. */
  zh: string;
  kind: 'repair' | 'service';
  skills: Skill[];
  /** County ids (of the station's city) the crew covers. */
  areas: string[];
  onDuty: boolean;
  members: CrewMember[];
}

function stationId(city: string, county: string): string {
  return `st-${city}-${county}`;
}

export const STATIONS: readonly Station[] = FUJIAN_CITIES.flatMap((c) =>
  c.counties.map((k) => ({
    id: stationId(c.id, k.id),
    city: c.id,
    county: k.id,
    zh: `${shortCountyName(k.zh)}供电服务站`,
    en: `${k.en.replace(/ (District|County|City)$/, '')} power service station`,
    areaClass: k.areaClass,
    centre: c.centre,
    lat: k.lat,
    lng: k.lng,
  })),
);

const STATION_INDEX = new Map(STATIONS.map((s) => [s.id, s]));

/** The station with this id; throws for an unknown id. */
export function stationById(id: string): Station {
  const found = STATION_INDEX.get(id);
  if (!found) throw new Error(`unknown station ${id}`);
  return found;
}

/** The station that serves a county. */
export function stationOf(city: string, county: string): Station {
  return stationById(stationId(city, county));
}

export function stationsOfCity(city: string): Station[] {
  return STATIONS.filter((s) => s.city === city);
}
