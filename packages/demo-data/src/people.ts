// The people behind the hotline for demos and tests: two or three field crews per station and the demo sign-in
// accounts for every role in both centres. Generated with a fixed faker seed, so every console, test and demo sees
// the same people. Import it as `@twinline/demo-data/people` (the console's bundle stays free of faker).
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import type { Actor, Role } from '@twinline/workorder';
import {
  CENTRE_NAMES,
  CENTRES,
  FUJIAN_CITIES,
  MOBILE_PREFIXES,
  type CentreId,
  type CityId,
  type County,
} from './fujian';
import { STATIONS, type Crew, type Skill } from './org';

const ORG_SEED = 95598;

function nearestOtherCounty(k: County): County | undefined {
  const siblings = FUJIAN_CITIES.find((c) => c.id === k.city)?.counties.filter((o) => o.id !== k.id) ?? [];
  let best: County | undefined;
  let bestD = Infinity;
  for (const o of siblings) {
    const d = (o.lat - k.lat) ** 2 + (o.lng - k.lng) ** 2;
    if (d < bestD) [best, bestD] = [o, d];
  }
  return best;
}

function mobile(f: Faker): string {
  return f.helpers.arrayElement(MOBILE_PREFIXES) + f.string.numeric(8);
}

function buildCrews(): Crew[] {
  const f = new Faker({ locale: [zh_CN, en, base] });
  f.seed(ORG_SEED);
  const crews: Crew[] = [];
  for (const s of STATIONS) {
    const county = FUJIAN_CITIES.find((c) => c.id === s.city)!.counties.find((k) => k.id === s.county)!;
    const neighbour = nearestOtherCounty(county);
    // Urban stations run two repair shifts and a business crew; rural and remote ones one or two repair crews.
    const kinds: { zh: string; kind: Crew['kind'] }[] =
      s.areaClass === 'urban'
        ? [
            { zh: '抢修一班', kind: 'repair' },
            { zh: '抢修二班', kind: 'repair' },
            { zh: '营业班', kind: 'service' },
          ]
        : f.datatype.boolean({ probability: 0.5 })
          ? [
              { zh: '抢修一班', kind: 'repair' },
              { zh: '抢修二班', kind: 'repair' },
              { zh: '营业班', kind: 'service' },
            ]
          : [
              { zh: '抢修一班', kind: 'repair' },
              { zh: '营业班', kind: 'service' },
            ];
    kinds.forEach((k, i) => {
      const id = `${s.id}-c${i + 1}`;
      const skills: Skill[] =
        k.kind === 'repair'
          ? [
              'line',
              'low_voltage',
              ...f.helpers.arrayElements<Skill>(['transformer', 'cable', 'meter'], { min: 1, max: 2 }),
            ]
          : ['business', 'meter'];
      const areas = [s.county];
      // The first repair crew of a rural or remote station also backs up the nearest county of the same city.
      if (i === 0 && s.areaClass !== 'urban' && neighbour) areas.push(neighbour.id);
      const onDuty = k.kind === 'repair' ? i === 0 || f.datatype.boolean({ probability: 0.6 }) : f.datatype.boolean();
      const members = Array.from({ length: f.number.int({ min: 2, max: 4 }) }, (_, m) => ({
        id: `${id}-m${m + 1}`,
        name: f.person.fullName(),
        phone: mobile(f),
        onDuty: onDuty && f.datatype.boolean({ probability: 0.85 }),
      }));
      if (onDuty && !members.some((m) => m.onDuty)) members[0]!.onDuty = true;
      crews.push({ id, stationId: s.id, zh: k.zh, kind: k.kind, skills, areas, onDuty, members });
    });
  }
  return crews;
}

export const CREWS: readonly Crew[] = buildCrews();

export function crewsOfStation(stationId: string): Crew[] {
  return CREWS.filter((c) => c.stationId === stationId);
}

// ---------------------------------------------------------------------------------------------------------------
// Demo accounts

/** Every demo account signs in with this password. Demo only: never reuse it for a real deployment. */
export const DEMO_PASSWORD = 'Twinline!2026';

export interface DemoAccount {
  /** Also the `userId` of the account's Actor. */
  username: string;
  displayName: string;
  role: Role;
  centre: CentreId;
  /** Dispatchers only: the station they work for. */
  stationId?: string;
  /** Dispatchers only: the city of their station. */
  city?: CityId;
  password: string;
}

/** Agents per centre: agent.fz plus agent1.fz … agent6.fz. */
export const AGENTS_PER_CENTRE = 7;

function buildAccounts(): DemoAccount[] {
  const f = new Faker({ locale: [zh_CN, en, base] });
  f.seed(ORG_SEED + 1);
  const out: DemoAccount[] = [];
  const add = (a: Omit<DemoAccount, 'password'>) => out.push({ ...a, password: DEMO_PASSWORD });
  for (const centre of CENTRES) {
    const { short, zh } = CENTRE_NAMES[centre];
    for (let i = 0; i < AGENTS_PER_CENTRE; i++) {
      add({
        username: i === 0 ? `agent.${short}` : `agent${i}.${short}`,
        displayName: f.person.fullName(),
        role: 'agent',
        centre,
      });
    }
    add({ username: `lead.${short}`, displayName: `${f.person.fullName()}（值班长）`, role: 'team_lead', centre });
    add({ username: `lead2.${short}`, displayName: `${f.person.fullName()}（班长）`, role: 'team_lead', centre });
    add({ username: `admin.${short}`, displayName: `${zh}系统管理员`, role: 'admin', centre });
  }
  add({ username: 'admin', displayName: '系统管理员', role: 'admin', centre: 'fuzhou' });
  // One dispatcher per station (so every order can be worked by its own station), signed in on the station's centre.
  for (const s of STATIONS) {
    add({
      username: `disp.${s.city}-${s.county}`,
      displayName: `${f.person.fullName()}（${s.zh.replace('供电服务站', '站')}调度）`,
      role: 'dispatcher',
      centre: s.centre,
      stationId: s.id,
      city: s.city,
    });
  }
  return out;
}

export const DEMO_ACCOUNTS: readonly DemoAccount[] = buildAccounts();

const ACCOUNT_INDEX = new Map(DEMO_ACCOUNTS.map((a) => [a.username, a]));

/** The demo account with this username, or undefined. */
export function findAccount(username: string): DemoAccount | undefined {
  return ACCOUNT_INDEX.get(username);
}

/** The Actor a signed-in demo account acts as (userId = username). */
export function actorOf(account: DemoAccount): Actor {
  const actor: Actor = { userId: account.username, role: account.role, centre: account.centre };
  if (account.stationId) actor.stationId = account.stationId;
  return actor;
}

export function accountsOf(role: Role, centre?: CentreId): DemoAccount[] {
  return DEMO_ACCOUNTS.filter((a) => a.role === role && (centre === undefined || a.centre === centre));
}

/** The dispatcher account of a station. */
export function dispatcherOf(stationId: string): DemoAccount {
  const found = DEMO_ACCOUNTS.find((a) => a.role === 'dispatcher' && a.stationId === stationId);
  if (!found) throw new Error(`no dispatcher for ${stationId}`);
  return found;
}
