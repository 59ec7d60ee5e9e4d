// A routing configuration for the demo and the tests, built from the demo data (Fujian's nine cities, their area
// codes and home centres, and the demo agent accounts). The engine never imports this: it takes any configuration.
import { FUJIAN_CITIES, MOBILE_PREFIXES, type CentreId } from '@twinline/demo-data';
import { accountsOf } from '@twinline/demo-data/people';
import { parseRoutingConfig, type RoutingConfig, type RoutingConfigInput } from './config';

export const DEMO_GROUPS = [
  { id: 'repair', name: { zh: '故障报修', en: 'repair' }, menuDigit: '1' },
  { id: 'business', name: { zh: '业务咨询', en: 'business' }, menuDigit: '2' },
  { id: 'complaint', name: { zh: '投诉举报', en: 'complaint' }, menuDigit: '3' },
  { id: 'fuzhouhua', name: { zh: '福州话', en: 'Fuzhou dialect' }, menuDigit: '8' },
  { id: 'minnan', name: { zh: '闽南话', en: 'Minnan dialect' }, menuDigit: '9' },
] as const;

/** Skills of the demo agents by index (agent.fz is 0, agent1.fz is 1, ...). */
const DEMO_SKILLS: Record<CentreId, string[][]> = {
  fuzhou: [
    ['repair', 'business', 'complaint'],
    ['repair', 'fuzhouhua'],
    ['repair', 'minnan'],
    ['business', 'complaint'],
    ['repair'],
    ['repair', 'business'],
    ['complaint', 'fuzhouhua'],
  ],
  xiamen: [
    ['repair', 'business', 'complaint'],
    ['repair', 'minnan'],
    ['business', 'minnan'],
    ['repair', 'fuzhouhua'],
    ['repair'],
    ['repair', 'business'],
    ['complaint', 'minnan'],
  ],
};

/**
 * Synthetic mobile segments: the first ten 3-digit prefixes followed by the city's area code without its 0, so
 * 138 591 xxxxx is a Fuzhou mobile and 139 592 xxxxx a Xiamen one. Real segment tables come from the carriers.
 */
export function demoMobilePrefixes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of MOBILE_PREFIXES.slice(0, 10)) for (const c of FUJIAN_CITIES) out[`${p}${c.areaCode.slice(1)}`] = c.id;
  return out;
}

/** The demo routing configuration of one centre; `overrides` replaces top-level fields. */
export function demoRoutingConfig(centre: CentreId, overrides: Partial<RoutingConfigInput> = {}): RoutingConfig {
  const twin: CentreId = centre === 'fuzhou' ? 'xiamen' : 'fuzhou';
  const input: RoutingConfigInput = {
    centre,
    twin,
    regions: FUJIAN_CITIES.map((c) => ({
      id: c.id,
      name: { zh: c.zh, en: c.en },
      areaCode: c.areaCode,
      centre: c.centre,
      maxCallsInProgress: 30,
    })),
    mobilePrefixes: demoMobilePrefixes(),
    regionMenu: Object.fromEntries(FUJIAN_CITIES.map((c, i) => [String(i + 1), c.id])),
    defaultRegion: centre,
    groups: DEMO_GROUPS.map((g) => ({
      ...g,
      queueLimit: 50,
      maxWaitMs: 60_000,
      afterCallWorkMs: 30_000,
      expectedHandleMs: 240_000,
    })),
    defaultGroup: 'repair',
    // This centre's agents, then the twin's (who work here only after their phone fails over).
    agents: [centre, twin].flatMap((home) =>
      accountsOf('agent', home).map((a, i) => ({
        id: a.username,
        skills: DEMO_SKILLS[home][i % DEMO_SKILLS[home].length]!,
        ...(home === centre ? {} : { home }),
      })),
    ),
    offerTimeoutMs: 15_000,
    sendToHomeCentre: true,
    ...overrides,
  };
  return parseRoutingConfig(input);
}
