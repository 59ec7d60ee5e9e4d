// The routing configuration of one centre: regions (cities) bound by landline area code, mobile number segment or a
// menu digit; skill groups picked by a menu digit; agents' skills; queue limits and waits; per-region limits on calls
// in progress. Validated with zod (cross-references included); `compileConfig` turns it into lookup tables.
import { z } from 'zod';
import { ConfigError, parseConfig } from '@twinline/config';

const id = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/i, 'an id: letters, digits, . _ -');
const text = z.object({ zh: z.string().min(1), en: z.string().min(1) });
const ms = z.number().int().nonnegative();
const digit = z.string().regex(/^[0-9]$/, 'one menu digit 0-9');

export const RegionConfigSchema = z.object({
  id,
  name: text,
  /** Long-distance area code with the trunk 0, e.g. 0591. */
  areaCode: z.string().regex(/^0[1-9]\d{1,2}$/, 'an area code such as 0591'),
  /** The centre that normally serves the region. */
  centre: id,
  /** Calls from this region this centre holds at once (queued, ringing or connected); past it, 503. */
  maxCallsInProgress: z.number().int().positive(),
});

export const GroupConfigSchema = z.object({
  id,
  name: text,
  /** The service-menu digit that picks this group (e.g. 1 repair, 9 Minnan). */
  menuDigit: digit.optional(),
  /** Calls that may wait in this group's queue; a call past it overflows to the twin, or is refused (486). */
  queueLimit: z.number().int().nonnegative(),
  /** The longest a call waits in the queue before it overflows to the twin, or is refused (486). */
  maxWaitMs: ms,
  /** After-call work (话后处理) after each call of this group; the agent becomes ready when it ends. */
  afterCallWorkMs: ms.default(30_000),
  /** Talk plus after-call time assumed for wait estimates until real calls have been measured. */
  expectedHandleMs: z.number().int().positive().default(240_000),
});

export const AgentConfigSchema = z.object({
  id: z.string().min(1).max(128),
  /** Skill groups the agent takes calls for. */
  skills: z.array(id).min(1),
  /**
   * The agent's own centre (default: this one). The twin's agents are listed with `home` set to the twin so that
   * they can work here when their phone fails over (their console carries their state over); they stay signed out
   * here otherwise.
   */
  home: id.optional(),
});

export const RoutingConfigSchema = z
  .object({
    /** The centre this router runs in, and its twin (the overflow target). */
    centre: id,
    twin: id,
    regions: z.array(RegionConfigSchema).min(1),
    /** Mobile number segments (号段, first 3-11 digits) to region ids; the longest matching prefix wins. */
    mobilePrefixes: z.record(z.string().regex(/^1\d{2,10}$/, 'a mobile segment such as 1385000'), id).default({}),
    /** Region-menu digits (asked of callers whose number binds no region) to region ids. */
    regionMenu: z.record(digit, id).default({}),
    /** The region of a call nothing else binds. */
    defaultRegion: id,
    groups: z.array(GroupConfigSchema).min(1),
    /** The group of a call that chose no (or an unknown) service-menu digit. */
    defaultGroup: id,
    agents: z.array(AgentConfigSchema).default([]),
    /** An offer not answered within this becomes not_ready(missed) and the call goes to the next agent. */
    offerTimeoutMs: z.number().int().positive().default(15_000),
    /** A call from a region the twin normally serves goes to the twin when the twin is up. */
    sendToHomeCentre: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
    const unique = <T>(xs: readonly T[], key: (x: T) => string | undefined, path: string, what: string) => {
      const seen = new Set<string>();
      xs.forEach((x, i) => {
        const k = key(x);
        if (k === undefined) return;
        if (seen.has(k)) issue([path, i], `duplicate ${what} ${k}`);
        seen.add(k);
      });
    };
    if (c.centre === c.twin) issue(['twin'], 'the twin must be another centre');
    unique(c.regions, (r) => r.id, 'regions', 'region id');
    unique(c.regions, (r) => r.areaCode, 'regions', 'area code');
    unique(c.groups, (g) => g.id, 'groups', 'group id');
    unique(c.groups, (g) => g.menuDigit, 'groups', 'menu digit');
    unique(c.agents, (a) => a.id, 'agents', 'agent id');
    const regions = new Set(c.regions.map((r) => r.id));
    const groups = new Set(c.groups.map((g) => g.id));
    c.regions.forEach((r, i) => {
      if (r.centre !== c.centre && r.centre !== c.twin) issue(['regions', i, 'centre'], `unknown centre ${r.centre}`);
    });
    for (const [prefix, r] of Object.entries(c.mobilePrefixes))
      if (!regions.has(r)) issue(['mobilePrefixes', prefix], `unknown region ${r}`);
    for (const [d, r] of Object.entries(c.regionMenu))
      if (!regions.has(r)) issue(['regionMenu', d], `unknown region ${r}`);
    if (!regions.has(c.defaultRegion)) issue(['defaultRegion'], `unknown region ${c.defaultRegion}`);
    if (!groups.has(c.defaultGroup)) issue(['defaultGroup'], `unknown group ${c.defaultGroup}`);
    c.agents.forEach((a, i) => {
      a.skills.forEach((s, j) => {
        if (!groups.has(s)) issue(['agents', i, 'skills', j], `unknown group ${s}`);
      });
      if (a.home !== undefined && a.home !== c.centre && a.home !== c.twin)
        issue(['agents', i, 'home'], `unknown centre ${a.home}`);
    });
  });
export type RoutingConfigInput = z.input<typeof RoutingConfigSchema>;
export type RoutingConfig = z.output<typeof RoutingConfigSchema>;
export type RegionConfig = z.output<typeof RegionConfigSchema>;
export type GroupConfig = z.output<typeof GroupConfigSchema>;

/** A configuration that does not parse. `message` lists every problem with its path, one a line. */
export class RoutingConfigError extends ConfigError {
  override readonly name = 'RoutingConfigError';
}

/** Parses a configuration from JSON text or an already-parsed value; throws RoutingConfigError naming each bad field. */
export function parseRoutingConfig(json: unknown): RoutingConfig {
  return parseConfig(
    RoutingConfigSchema,
    json,
    'routing configuration',
    (m, issues) => new RoutingConfigError(m, issues),
  );
}

// ---- binding a call -------------------------------------------------------------------------------------------------

/** How a call's region was found, in the order they are tried. */
export const REGION_SOURCES = ['area_code', 'menu', 'mobile_prefix', 'trunk', 'default'] as const;
export type RegionSource = (typeof REGION_SOURCES)[number];
export type GroupSource = 'requested' | 'menu' | 'default';

/** Lookup tables built once from a configuration. */
export interface CompiledConfig {
  config: RoutingConfig;
  regions: Map<string, RegionConfig>;
  groups: Map<string, GroupConfig>;
  areaCodes: Map<string, string>;
  mobile: Map<string, string>;
  /** Distinct prefix lengths of `mobile`, longest first. */
  mobileLengths: number[];
  groupByDigit: Map<string, string>;
  agentSkills: Map<string, readonly string[]>;
  /** Each agent's home centre. */
  agentHome: Map<string, string>;
}

export function compileConfig(config: RoutingConfig): CompiledConfig {
  const mobile = new Map(Object.entries(config.mobilePrefixes));
  return {
    config,
    regions: new Map(config.regions.map((r) => [r.id, r])),
    groups: new Map(config.groups.map((g) => [g.id, g])),
    areaCodes: new Map(config.regions.map((r) => [r.areaCode, r.id])),
    mobile,
    mobileLengths: [...new Set([...mobile.keys()].map((k) => k.length))].sort((a, b) => b - a),
    groupByDigit: new Map(config.groups.flatMap((g) => (g.menuDigit ? [[g.menuDigit, g.id] as const] : []))),
    agentSkills: new Map(config.agents.map((a) => [a.id, a.skills])),
    agentHome: new Map(config.agents.map((a) => [a.id, a.home ?? config.centre])),
  };
}

export type NumberKind = 'mobile' | 'landline' | 'other';

/**
 * A caller number in national form: `+86 138…`, `0086138…` and `86138…` (13 digits) become `138…`; `+86 591…`
 * becomes `0591…`. Spaces, dashes and brackets are dropped. Anything else is kept as its digits.
 */
export function normaliseNumber(raw: string): { digits: string; kind: NumberKind } {
  const international = /^\s*(\+|00)/.test(raw);
  let d = raw.replace(/\D/g, '');
  const national = d.startsWith('0086')
    ? d.slice(4)
    : (international && d.startsWith('86')) || (d.length === 13 && /^861[3-9]/.test(d))
      ? d.slice(2)
      : undefined;
  // Without the country code a landline loses its trunk 0: +86 591 8765 4321 is 0591 8765 4321.
  if (national !== undefined) d = national.startsWith('1') ? national : `0${national}`;
  const kind: NumberKind = /^1[3-9]\d{9}$/.test(d) ? 'mobile' : /^0[1-9]\d{6,11}$/.test(d) ? 'landline' : 'other';
  return { digits: d, kind };
}

/** What the router needs to know about a call to bind it. */
export interface CallBinding {
  caller: string;
  /** Digits the caller pressed: `region` in the region menu, `service` in the service menu. */
  menu?: { region?: string; service?: string };
  /** The region of the access point (trunk) the call came in on, when the carrier tells it. */
  trunkRegion?: string;
  /** A skill group asked for directly (a transfer to a group), ahead of the menu. */
  group?: string;
}

/**
 * The region of a call: a landline's area code; else the region-menu digit; else a mobile's segment (longest prefix);
 * else the access point's region; else the configured default.
 */
export function bindRegion(c: CompiledConfig, call: CallBinding): { region: string; source: RegionSource } {
  const { digits, kind } = normaliseNumber(call.caller);
  if (kind === 'landline') {
    const r = c.areaCodes.get(digits.slice(0, 4)) ?? c.areaCodes.get(digits.slice(0, 3));
    if (r) return { region: r, source: 'area_code' };
  }
  const byMenu = call.menu?.region !== undefined ? c.config.regionMenu[call.menu.region] : undefined;
  if (byMenu) return { region: byMenu, source: 'menu' };
  if (kind === 'mobile') {
    for (const n of c.mobileLengths) {
      const r = c.mobile.get(digits.slice(0, n));
      if (r) return { region: r, source: 'mobile_prefix' };
    }
  }
  if (call.trunkRegion && c.regions.has(call.trunkRegion)) return { region: call.trunkRegion, source: 'trunk' };
  return { region: c.config.defaultRegion, source: 'default' };
}

/** The skill group of a call: one asked for directly, else the service-menu digit, else the default group. */
export function bindGroup(c: CompiledConfig, call: CallBinding): { group: string; source: GroupSource } {
  if (call.group && c.groups.has(call.group)) return { group: call.group, source: 'requested' };
  const byMenu = call.menu?.service !== undefined ? c.groupByDigit.get(call.menu.service) : undefined;
  if (byMenu) return { group: byMenu, source: 'menu' };
  return { group: c.config.defaultGroup, source: 'default' };
}
