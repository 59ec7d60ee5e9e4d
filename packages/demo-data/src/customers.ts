// Synthetic electricity customers (电力客户档案) for the screen-pop directory: zh-CN names and addresses across Fujian's
// counties, mobiles and landlines with the city's area code, the station and transformer area that serve each one.
//
// Customer i is a pure function of (seed, i): its own lib0 PRNG is seeded from both, so a million customers stream
// out without holding any of them, any slice can be made on its own (customerAt), and the directory does not change
// when `count` does. faker is not used: a million faker zh_CN names take far longer than these small tables.
//
// Shared numbers: customers are grouped in blocks of BLOCK; the first customer of a block (the anchor) always has its
// own numbers. A few anchors are landlords whose number several tenants in the same building give as theirs; anywhere
// else a customer sometimes gives a family member's number (the anchor's). About 1% of customers share a number.
import * as prng from 'lib0/prng';
import type { Customer } from '@twinline/customers';
import { CITY_IDS, FUJIAN_CITIES, MOBILE_PREFIXES, shortCountyName, type City, type County } from './fujian';
import { stationOf } from './org';

export interface GenerateCustomersOptions {
  seed: number;
  /** How many customers, from index `start`. */
  count: number;
  /** Index of the first customer (default 0): generate a large directory in slices. */
  start?: number;
}

/** Customers [start, start + count) of the seed's directory, one at a time. */
export function* generateCustomers({ seed, count, start = 0 }: GenerateCustomersOptions): Generator<Customer> {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  if (!Number.isSafeInteger(start) || start < 0 || start + count > MAX_CUSTOMERS)
    throw new RangeError(`customers are numbered 0 … ${MAX_CUSTOMERS - 1}`);
  for (let i = start; i < start + count; i++) yield customerAt(seed, i);
}

/** Account numbers have 9 digits after the city digit, so one seed makes at most this many distinct customers. */
export const MAX_CUSTOMERS = 1_000_000_000;

/** Customer `index` of the seed's directory. */
export function customerAt(seed: number, index: number): Customer {
  return build(seed, index).customer;
}

// ---------------------------------------------------------------------------------------------------------------
// Tables

/** Registered population of each city, in 10,000s: how customers spread over the province. */
const POPULATION: Record<(typeof CITY_IDS)[number], number> = {
  fuzhou: 845,
  xiamen: 530,
  putian: 321,
  sanming: 245,
  quanzhou: 888,
  zhangzhou: 507,
  nanping: 264,
  longyan: 272,
  ningde: 315,
};
const AREA_WEIGHT = { urban: 4, rural: 2, remote: 1 } as const;
/** Transformer areas (台区) per station, by area class. */
const TRANSFORMER_AREAS = { urban: 900, rural: 400, remote: 144 } as const;

/**
 * The service point (台区: the customers one distribution transformer feeds) of a place: the county's square of
 * customers cut into a grid of `areas` cells, so a 台区 is a compact patch of the map, as a real one is (drawing a
 * small area over the map then touches a few 台区, not hundreds).
 */
function servicePointAt(
  stationId: string,
  county: { lat: number; lng: number },
  at: { lat: number; lng: number },
  spread: number,
  areas: number,
): string {
  const side = Math.round(Math.sqrt(areas));
  const cell = (v: number, centre: number) =>
    Math.min(side - 1, Math.max(0, Math.floor(((v - centre + spread) / (2 * spread)) * side)));
  const n = cell(at.lat, county.lat) * side + cell(at.lng, county.lng) + 1;
  return `${stationId}-tq${String(n).padStart(4, '0')}`;
}

/** Common surnames in Fujian with rough weights (陈 and 林 lead; 欧阳 for a compound one). */
const SURNAMES: readonly (readonly [string, number])[] = [
  ['陈', 120], ['林', 110], ['黄', 70], ['张', 50], ['吴', 42], ['李', 40], ['王', 40], ['郑', 38], ['刘', 30],
  ['杨', 25], ['蔡', 22], ['许', 20], ['谢', 20], ['洪', 16], ['曾', 15], ['郭', 15], ['苏', 15], ['庄', 12],
  ['叶', 12], ['周', 12], ['江', 10], ['游', 10], ['何', 10], ['徐', 10], ['卢', 10], ['方', 10], ['罗', 10],
  ['余', 10], ['施', 8], ['翁', 8], ['邱', 8], ['朱', 8], ['詹', 6], ['高', 6], ['潘', 6], ['傅', 6], ['杜', 5],
  ['魏', 5], ['颜', 5], ['柯', 5], ['钟', 5], ['廖', 5], ['赖', 5], ['康', 4], ['范', 4], ['肖', 4], ['龚', 3],
  ['严', 3], ['薛', 3], ['欧阳', 1], ['上官', 0.5],
]; // prettier-ignore
const GIVEN = [
  '秀', '英', '华', '丽', '美', '玉', '兰', '芳', '珍', '凤', '金', '银', '燕', '梅', '琴', '娟', '婷', '静', '雪', '慧',
  '敏', '洁', '萍', '红', '霞', '月', '清', '春', '惠', '淑', '明', '伟', '建', '国', '志', '文', '军', '平', '强', '勇',
  '永', '福', '荣', '海', '辉', '德', '成', '东', '晓', '俊', '杰', '峰', '斌', '鑫', '宏', '鹏', '锦', '水', '木',
  '泉', '祥', '瑞', '顺', '发', '财', '添', '坤', '炳', '振', '宗', '耀', '榕', '闽', '厦', '鹭', '婉', '怡', '欣', '佳',
  '宇', '浩', '然', '子', '涵', '轩', '琳', '彬', '龙', '生', '民', '新', '源', '安', '庆', '禄', '寿', '光', '亮', '阳',
]; // prettier-ignore
const ORG_STEMS = [
  '鑫源', '华兴', '恒达', '宏盛', '金海', '永安', '兴隆', '顺达', '福盛', '闽南', '东南', '海峡', '嘉禾', '新华', '瑞丰',
  '万家', '天成', '利民', '盛世', '泰和', '长青', '海西', '榕树', '鹭岛', '武夷', '清源', '鼎盛', '佳美', '祥云', '宝龙',
]; // prettier-ignore
const ORG_KINDS = [
  '贸易有限公司', '食品有限公司', '电子科技有限公司', '物业管理有限公司', '大酒店', '超市', '餐饮店', '建材商行',
  '茶业有限公司', '水产养殖场', '纺织厂', '鞋业有限公司', '石材厂', '五金店', '汽车维修厂', '幼儿园', '诊所',
  '冷链物流有限公司', '家具厂', '印刷厂',
]; // prettier-ignore
const STREET_STEMS = [
  '人民', '解放', '建设', '中山', '五一', '八一', '湖东', '江滨', '福新', '工业', '学府', '华侨', '新华', '团结',
  '胜利', '滨海', '紫阳', '金山', '环城', '文化', '迎宾', '凤凰', '和平', '光明', '长安', '东山', '南门', '北门',
  '西湖', '温泉', '榕城', '鹭江', '梅峰', '城关', '兴业', '桥南', '龙津', '溪南', '湖滨', '莲前', '嘉禾', '仙岳',
  '古田', '杨桥', '乌山', '西洪', '六一', '晋安', '连江', '华林', '东街', '北大', '洪山', '金榕', '白沙', '霞浦',
]; // prettier-ignore
const STREET_SUFFIXES = ['路', '路', '路', '街', '大道', '北路', '南路', '中路', '东路', '西路', '巷'];
const ESTATE_STEMS = [
  '阳光', '金域', '锦绣', '翠苑', '碧水', '融侨', '世纪', '香樟', '海景', '怡园', '龙湖', '万科', '正祥', '建发',
  '名城', '丽景', '金山', '华润', '绿城', '泰禾', '中庚', '三盛', '禹洲', '联发', '国贸', '象屿', '宝龙', '恒禾',
]; // prettier-ignore
const ESTATE_SUFFIXES = ['花园', '小区', '新村', '苑', '家园', '公寓', '大厦', '雅居'];
const TOWN_STEMS = [
  '城关', '洋里', '溪口', '坑头', '上坪', '下洋', '新桥', '石门', '竹林', '大坪', '岭头', '洋中', '东坑', '后山',
  '埔头', '塘前', '白沙', '青口', '南屿', '马鼻', '湖坂', '桂峰',
]; // prettier-ignore
const VILLAGE_STEMS = [
  '上厝', '下厝', '后洋', '前亭', '林坑', '黄田', '吴山', '陈坑', '半岭', '湖头', '新厝', '大埕', '岭后', '水口',
  '龙潭', '东岭', '溪头', '洋边', '后垄', '古厝',
]; // prettier-ignore
const SENSITIVE_NOTES = [
  '多次投诉电费异常，沟通需耐心',
  '曾就停电问题投诉至12345热线',
  '对计划停电非常敏感，要求提前电话告知',
  '曾向媒体反映抢修不及时',
  '反复来电催办，情绪易激动',
];
const CARE_NOTES = ['家中有老人使用制氧机，停电优先处理', '独居老人，来电请放慢语速', '听力不好，请大声清楚说明'];

const BLOCK = 50;

// ---------------------------------------------------------------------------------------------------------------
// Randomness

/** A 32-bit mix of two integers (murmur3's finaliser), never 0: lib0's xorshift seeding needs a non-zero seed. */
function mix(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0 || 1;
}

type Rng = () => number;
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const int = (r: Rng, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const digits = (r: Rng, n: number) => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(r() * 10);
  return s;
};

/** Cumulative weights for fast weighted picks. */
function weighted<T>(items: readonly (readonly [T, number])[]): (r: Rng) => T {
  const values = items.map(([v]) => v);
  const cumulative: number[] = [];
  let total = 0;
  for (const [, w] of items) cumulative.push((total += w));
  return (r) => {
    const x = r() * total;
    let i = 0;
    while (cumulative[i]! <= x) i++;
    return values[i]!;
  };
}

const pickCity = weighted(FUJIAN_CITIES.map((c) => [c, POPULATION[c.id]] as const));
const pickCounty = new Map<string, (r: Rng) => County>(
  FUJIAN_CITIES.map((c) => [c.id, weighted(c.counties.map((k) => [k, AREA_WEIGHT[k.areaClass]] as const))]),
);
const pickSurname = weighted(SURNAMES);

// ---------------------------------------------------------------------------------------------------------------
// One customer

interface Built {
  customer: Customer;
  city: City;
  county: County;
  /** The address up to the building, so a landlord's tenants live under the same roof. */
  building: string;
}

/** Bijective on [0, 10^9): a * b mod 10^9 without leaving exact double arithmetic. */
function mulMod(a: number, b: number): number {
  const m = 1e9;
  const hi = Math.floor(b / 1e5);
  const lo = b % 1e5;
  return (((a * hi) % m) * 1e5 + a * lo) % m;
}

function accountNumber(seed: number, index: number, city: City): string {
  // 3^18 is coprime with 10^9, so index → index * 3^18 + offset (mod 10^9) never repeats for one seed.
  const nine = (mulMod(index, 387_420_489) + (mix(seed, 0x5eed) % 1e9)) % 1e9;
  return `${CITY_IDS.indexOf(city.id) + 1}${String(nine).padStart(9, '0')}`;
}

function mobile(r: Rng): string {
  return pick(r, MOBILE_PREFIXES) + digits(r, 8);
}

function landline(r: Rng, city: City): string {
  return city.areaCode + int(r, 2, 8) + digits(r, city.landlineDigits - 1);
}

function personName(r: Rng): string {
  const surname = pickSurname(r);
  return surname + pick(r, GIVEN) + (r() < 0.75 ? pick(r, GIVEN) : '');
}

function orgName(r: Rng, county: County): string {
  return (r() < 0.5 ? shortCountyName(county.zh) : '') + pick(r, ORG_STEMS) + pick(r, ORG_KINDS);
}

function street(r: Rng): string {
  return pick(r, STREET_STEMS) + pick(r, STREET_SUFFIXES);
}

/** [up to the building, the room]. */
function address(r: Rng, city: City, county: County): [string, string] {
  const prefix = `福建省${city.zhFull}${county.zh}`;
  if (county.areaClass === 'urban' || r() < 0.35) {
    const estate = pick(r, ESTATE_STEMS) + pick(r, ESTATE_SUFFIXES);
    return [`${prefix}${street(r)}${int(r, 1, 399)}号${estate}${int(r, 1, 32)}栋`, room(r)];
  }
  const town = pick(r, TOWN_STEMS) + (r() < 0.7 ? '镇' : '乡');
  return [`${prefix}${town}${pick(r, VILLAGE_STEMS)}村${int(r, 1, 12)}组`, `${int(r, 1, 160)}号`];
}

function room(r: Rng): string {
  return `${int(r, 1, 4)}单元${int(r, 1, 28)}0${int(r, 1, 6)}室`;
}

function build(seed: number, index: number): Built {
  const gen = prng.create(mix(seed, index));
  const r: Rng = () => gen.next();

  const anchorIndex = index - (index % BLOCK);
  const isAnchor = anchorIndex === index;
  // Whether this block's anchor is a landlord decides how likely the others are to give the anchor's number.
  const landlordBlock = mix(seed ^ 0x1a2d, anchorIndex) % 50 === 0;
  const shares = !isAnchor && r() < (landlordBlock ? 0.15 : 0.005);
  const anchor = shares ? build(seed, anchorIndex) : undefined;

  const org = r() < 0.08;
  let city: City;
  let county: County;
  let building: string;
  let unit: string;
  if (anchor && landlordBlock) {
    // A tenant: same building as the landlord, its own room.
    ({ city, county, building } = anchor);
    unit = room(r);
    if (/(村|组)$/.test(building)) unit = `${int(r, 1, 160)}号之${int(r, 1, 9)}`;
  } else {
    city = pickCity(r);
    county = pickCounty.get(city.id)!(r);
    [building, unit] = address(r, city, county);
  }

  const phones: string[] = [];
  if (anchor) phones.push(anchor.customer.phones[0]!);
  if (!anchor || r() < 0.4) {
    if (r() < (org ? 0.4 : 0.85)) phones.push(mobile(r));
    if (r() < (org ? 0.9 : 0.3)) phones.push(landline(r, city));
    if (r() < 0.05) phones.push(mobile(r));
    if (phones.length === 0) phones.push(mobile(r));
  }

  const station = stationOf(city.id, county.id);
  r(); // (was the service point's draw: kept so that every other field stays what it was)
  const spread = county.areaClass === 'urban' ? 0.03 : 0.08;
  const vip = r() < (org ? 0.03 : 0.003);
  const sensitive = r() < 0.003;
  const care = r() < 0.002;

  const customer: Customer = {
    account: accountNumber(seed, index, city),
    name: org ? orgName(r, county) : personName(r),
    phones: [...new Set(phones)],
    region: { city: city.id, county: county.id },
    address: building + unit,
    stationId: station.id,
    servicePoint: '',
    vip,
    sensitive,
    location: {
      lat: Math.round((county.lat + (r() * 2 - 1) * spread) * 1e5) / 1e5,
      lng: Math.round((county.lng + (r() * 2 - 1) * spread) * 1e5) / 1e5,
    },
  };
  customer.servicePoint =
    anchor && landlordBlock
      ? anchor.customer.servicePoint
      : servicePointAt(station.id, county, customer.location!, spread, TRANSFORMER_AREAS[county.areaClass]);
  if (sensitive) customer.note = pick(r, SENSITIVE_NOTES);
  else if (care) customer.note = pick(r, CARE_NOTES);
  return { customer, city, county, building };
}
