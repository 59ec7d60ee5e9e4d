// Realistic demo work orders for the whole province: Chinese addresses, callers and descriptions, and for each order
// a legal path through the closed loop, produced by actually running createOrder/applyEvent with demo accounts.
// Deterministic for a seed and `now`.
import { Faker, base, en, zh_CN } from '@faker-js/faker';
import {
  RULES,
  STATES,
  applyEvent,
  createOrder,
  type Actor,
  type Channel,
  type Comment,
  type OrderDraft,
  type OrderEvent,
  type OrderState,
  type OrderType,
  type Priority,
  type Satisfaction,
  type WorkOrder,
} from '@twinline/workorder';
import {
  CENTRES,
  FUJIAN_CITIES,
  MOBILE_PREFIXES,
  shortCountyName,
  type CentreId,
  type City,
  type CityId,
  type County,
} from './fujian';
import { stationOf, stationsOfCity } from './org';
import { accountsOf, actorOf, crewsOfStation, dispatcherOf } from './people';

export interface GenerateOrdersOptions {
  seed: number;
  count: number;
  /** Orders are created and worked during the two days before this instant; no event is later than it. */
  now: Date;
}

export interface DemoOrder {
  /** `${centre}-${yyyymmdd}-${nnnn}`: the accepting centre, the day of acceptance (China time), a running number. */
  id: string;
  city: CityId;
  /** The centre whose agent accepted the order (usually the one serving the city; sometimes overflow to the other). */
  centre: CentreId;
  draft: OrderDraft;
  /** Starts with `create`; every event is legal where it stands (refolds with no superseded events). */
  events: OrderEvent[];
  comments: Comment[];
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const WINDOW = 48 * HOUR;

type F = Faker;
const w = <T>(value: T, weight: number) => ({ value, weight });

// ---------------------------------------------------------------------------------------------------------------
// Places and people

const CITY_WEIGHT: Record<CityId, number> = {
  fuzhou: 8,
  xiamen: 5,
  putian: 3,
  sanming: 2,
  quanzhou: 9,
  zhangzhou: 5,
  nanping: 2,
  longyan: 3,
  ningde: 3,
};
const AREA_WEIGHT = { urban: 4, rural: 2, remote: 1 } as const;

const STREET_STEMS = [
  '人民', '解放', '建设', '中山', '五一', '八一', '湖东', '江滨', '福新', '工业', '学府', '华侨', '新华', '团结',
  '胜利', '滨海', '紫阳', '金山', '环城', '文化', '迎宾', '凤凰', '和平', '光明', '长安', '东山', '南门', '北门',
  '西湖', '温泉', '榕城', '鹭江', '梅峰', '城关', '兴业', '桥南', '龙津', '溪南',
]; // prettier-ignore
const STREET_SUFFIXES = ['路', '路', '街', '大道', '北路', '南路', '中路', '东路', '西路', '巷'];
const ESTATE_STEMS = ['阳光', '金域', '锦绣', '翠苑', '碧水', '融侨', '世纪', '香樟', '海景', '怡园', '龙湖', '万科', '正祥', '建发', '名城', '丽景']; // prettier-ignore
const ESTATE_SUFFIXES = ['花园', '小区', '新村', '苑', '家园', '公寓'];
const TOWN_STEMS = ['城关', '洋里', '溪口', '坑头', '上坪', '下洋', '新桥', '石门', '竹林', '大坪', '岭头', '洋中', '东坑', '后山', '埔头', '塘前']; // prettier-ignore
const VILLAGE_STEMS = ['上厝', '下厝', '后洋', '前亭', '林坑', '黄田', '吴山', '陈坑', '半岭', '湖头', '新厝', '大埕', '岭后', '水口', '龙潭', '东岭']; // prettier-ignore

function pickCity(f: F): City {
  return f.helpers.weightedArrayElement(FUJIAN_CITIES.map((c) => w(c, CITY_WEIGHT[c.id])));
}

function pickCounty(f: F, city: City): County {
  return f.helpers.weightedArrayElement(city.counties.map((k) => w(k, AREA_WEIGHT[k.areaClass])));
}

function street(f: F): string {
  return f.helpers.arrayElement(STREET_STEMS) + f.helpers.arrayElement(STREET_SUFFIXES);
}

function address(f: F, city: City, county: County): string {
  const prefix = `福建省${city.zhFull}${county.zh}`;
  if (county.areaClass === 'urban' || f.datatype.boolean({ probability: 0.35 })) {
    const estate = f.helpers.arrayElement(ESTATE_STEMS) + f.helpers.arrayElement(ESTATE_SUFFIXES);
    const kind = f.helpers.weightedArrayElement([w('unit', 6), w('block', 3), w('shop', 1)]);
    const building =
      kind === 'unit'
        ? `${f.number.int({ min: 1, max: 32 })}栋${f.number.int({ min: 1, max: 4 })}单元${f.number.int({ min: 1, max: 28 })}0${f.number.int({ min: 1, max: 6 })}室`
        : kind === 'block'
          ? `${f.number.int({ min: 1, max: 20 })}号楼${f.number.int({ min: 1, max: 18 })}0${f.number.int({ min: 1, max: 4 })}室`
          : `${f.number.int({ min: 1, max: 12 })}座${f.number.int({ min: 1, max: 3 })}层店面`;
    return `${prefix}${street(f)}${f.number.int({ min: 1, max: 399 })}号${estate}${building}`;
  }
  const town = f.helpers.arrayElement(TOWN_STEMS) + f.helpers.arrayElement(['镇', '镇', '乡']);
  const village = f.helpers.arrayElement(VILLAGE_STEMS) + '村';
  return `${prefix}${town}${village}${f.number.int({ min: 1, max: 12 })}组${f.number.int({ min: 1, max: 120 })}号`;
}

function mobile(f: F): string {
  return f.helpers.arrayElement(MOBILE_PREFIXES) + f.string.numeric(8);
}

function callerNumber(f: F, city: City): string {
  if (f.datatype.boolean({ probability: 0.65 })) return mobile(f);
  return (
    city.areaCode +
    f.string.numeric({ length: 1, exclude: ['0', '1', '9'] }) +
    f.string.numeric(city.landlineDigits - 1)
  );
}

function callerName(f: F): string | undefined {
  const r = f.number.float({ min: 0, max: 1 });
  if (r < 0.12) return undefined;
  if (r < 0.5) return f.person.lastName() + f.helpers.arrayElement(['先生', '女士']);
  return f.person.fullName();
}

// ---------------------------------------------------------------------------------------------------------------
// What callers say, by order type

interface Ctx {
  f: F;
  city: City;
  county: County;
  account: string;
}
interface Template {
  text: (c: Ctx) => string;
  /** Lowest priority the agent would give it (danger to people → critical). */
  min?: Priority;
}

const T = (text: (c: Ctx) => string, min?: Priority): Template => ({ text, min });
const place = (c: Ctx) => shortCountyName(c.county.zh);

const TEMPLATES: Record<OrderType, Template[]> = {
  outage: [], // outages are declared by stations and team leads, never a caller's order
  repair: [
    T((c) => `家里突然停电，邻居家也没有电，已经停了大约${c.f.number.int({ min: 2, max: 9 })}0分钟，请尽快派人抢修。`),
    T(() => '家中电压不稳，灯一闪一闪的，空调和冰箱启动不了，担心烧坏电器。'),
    T(() => '楼道里的表箱烧坏了，冒烟有烧焦味，整栋楼都停电了，担心起火。', 'critical'),
    T((c) => `${street(c.f)}路口电线杆上的电线断落在地上，行人很多，请马上处理。`, 'critical'),
    T(() => '只有我家停电，总闸跳了合不上去，电表显示正常，怀疑是表后线路有问题。'),
    T(() => '村里变压器一直有嗡嗡的异响，晚上电压很低，电饭煲都用不了。', 'urgent'),
    T(() => '刮大风后树枝压在电线上，有火花，附近一片都停电了。', 'critical'),
    T((c) => `店里停电，冷库里有货，户号${c.account}，请尽快恢复供电。`, 'urgent'),
    T(() => '小区地下车库充电桩全部没电，物业说是供电线路故障。'),
    T(() => '家里有老人用制氧机，突然停电，请优先安排抢修。', 'critical'),
  ],
  complaint: [
    T(
      (c) =>
        `对上月电费有异议，比平时多了${c.f.number.int({ min: 80, max: 600 })}元，家里用电没有变化，怀疑电表计量有问题。`,
    ),
    T(() => '营业厅工作人员服务态度差，办理过户时不耐烦，还让我来回跑了三次。'),
    T((c) => `抢修人员承诺的到达时间已过去${c.f.number.int({ min: 2, max: 5 })}个小时，仍然没有人到现场。`, 'urgent'),
    T(() => '没有提前通知就计划停电，影响店铺营业，要求说明原因并赔偿损失。'),
    T(() => '多次来电反映晚上电压低，到现在还没有解决，非常不满。', 'urgent'),
    T(() => '抄表员估抄电量，电费单上的读数和电表上的对不上。'),
  ],
  consultation: [
    T(() => '咨询峰谷分时电价的时段是怎么划分的，居民怎么申请执行峰谷电价。'),
    T(() => '咨询居民阶梯电价第二档、第三档的电量标准和电价。'),
    T(() => '咨询新装居民用电需要准备哪些材料，大概多久能装好。'),
    T(() => '咨询家庭屋顶分布式光伏并网的办理流程和上网电价。'),
    T(() => '咨询小区车位安装电动汽车充电桩的报装流程。'),
    T(() => '咨询一户多人口如何申请增加阶梯电量基数。'),
  ],
  inquiry: [
    T((c) => `查询户号${c.account}本月的电费和缴费记录。`),
    T((c) => `查询${place(c)}明天计划停电的时间和范围。`),
    T(() => '查询前几天报修工单的处理进度，到现在还没有人联系我。'),
    T(() => '手机上显示欠费，但已经通过网上国网缴过费了，查询是否到账。'),
    T(() => '查询增值税专用发票的开具进度。'),
  ],
  report: [
    T((c) => `举报${street(c.f)}附近有人私拉乱接电线，疑似窃电。`),
    T(() => '有人冒充供电公司工作人员上门，说要更换电表并收取费用。', 'urgent'),
    T((c) => `反映${street(c.f)}路边电缆井盖缺失，晚上很危险。`, 'urgent'),
    T(() => '发现高压线下有人违章搭建彩钢棚，存在安全隐患。'),
  ],
  suggestion: [
    T(() => '建议网上国网App增加停电抢修进度推送。'),
    T(() => '建议营业厅周末延长营业时间，方便上班族办理业务。'),
    T(() => '建议计划停电通知至少提前一周，并在小区公告栏张贴。'),
    T(() => '建议电费账单增加峰谷用电明细。'),
  ],
  gov12345: [
    T((c) => `12345转办：市民反映${place(c)}${street(c.f)}一带近期频繁停电，要求供电公司查明原因。`, 'urgent'),
    T(() => '12345转办：市民反映小区配电房噪音大，影响休息。'),
    T(() => '12345转办：市民对电费计量有异议，要求供电公司上门核实。'),
    T(() => '12345转办：市民反映村道路灯线路老化，存在安全隐患。'),
  ],
};

const HANDLE_NOTES: Record<'repair' | 'other', string[]> = {
  repair: [
    '表箱内空开烧毁，已更换并恢复供电。',
    '接户线接头松动，已紧固处理，电压恢复正常。',
    '线路跳闸，巡线后清除故障点并恢复送电。',
    '熔断器熔断，已更换，恢复供电。',
    '清理压线树枝，修复断线后恢复供电。',
    '配变低压出线过载，已调整负荷并恢复供电。',
    '客户内部线路故障，已告知客户联系电工处理，产权分界点以上供电正常。',
  ],
  other: [
    '已电话联系客户，说明相关政策并提供办理指引。',
    '上门核实电表运行正常，已向客户解释电费构成，客户表示理解。',
    '已现场核实并处理，结果告知客户。',
    '已联系客户上门办理，资料已受理。',
    '经核实情况属实，已安排整改并告知客户。',
  ],
};
const CALLBACK_NOTES: Record<Satisfaction, string> = {
  very_satisfied: '客户对处理结果非常满意。',
  satisfied: '客户表示满意。',
  neutral: '客户认为处理一般，希望加快响应。',
  dissatisfied: '客户不满意，认为到场太慢。',
  unreachable: '三次回访均未接通。',
};
const URGE_NOTES = [
  '客户再次来电催促，请尽快处理。',
  '客户第三次来电，情绪激动，请加快处理。',
  '班长督办：超时未到场，请立即反馈进度。',
];
const ESCALATE_REASONS = ['客户多次催办仍未处理，升级督办。', '影响范围扩大，疑似台区故障，升级处理。', '涉及敏感客户，升级至值班长跟踪。', '客户扬言投诉媒体，升级处理。']; // prettier-ignore
const COMMENT_TEXTS = [
  '客户为独居老人，请优先处理。',
  '已与客户电话确认，家中有人，可随时上门。',
  '同一台区还有其他报修，疑似同一故障。',
  '客户要求抢修人员到场前先电话联系。',
  '客户反映之前已报修过一次，请关注。',
  '已告知客户预计到达时间。',
  '小区门禁需联系物业开门。',
];

// ---------------------------------------------------------------------------------------------------------------
// The closed loop

/** How far along the loop an order is meant to get (it may stop earlier if it was accepted too recently). */
const TARGETS: { value: OrderState; weight: number }[] = [
  w('accepted', 8),
  w('dispatched', 12),
  w('taken', 10),
  w('assigned', 15),
  w('on_site', 12),
  w('handled', 8),
  w('replied', 8),
  w('called_back', 10),
  w('archived', 17),
];
/** The closed loop in order (every state but `merged`, which is a side path). */
const LOOP: readonly OrderState[] = STATES.filter((st) => st !== 'merged');
const URGEABLE = RULES.urge.from;
const ESCALATABLE = RULES.escalate.from;

function chinaDay(ms: number): string {
  const d = new Date(ms + 8 * HOUR);
  return `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
}

function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

/**
 * Generates `count` demo orders over the 48 hours before `now`, sorted by acceptance time. Most are recent, as on a
 * live board (half are under six hours old, about a quarter under one hour), so SLA clocks show every level, not a
 * wall of overdue orders.
 */
export function generateOrders({ seed, count, now }: GenerateOrdersOptions): DemoOrder[] {
  const f = new Faker({ locale: [zh_CN, en, base] });
  f.seed(seed);
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  const created = Array.from(
    { length: count },
    () => nowMs - 2 * MINUTE - Math.floor((WINDOW - 2 * MINUTE) * f.number.float({ min: 0, max: 1 }) ** 3),
  );
  created.sort((a, b) => a - b);
  const counters = new Map<string, number>();
  return created.map((createdMs) => {
    const city = pickCity(f);
    const centre: CentreId = f.datatype.boolean({ probability: 0.9 })
      ? city.centre
      : (CENTRES.find((c) => c !== city.centre) ?? city.centre);
    const day = chinaDay(createdMs);
    const key = `${centre}-${day}`;
    const n = (counters.get(key) ?? 0) + 1;
    counters.set(key, n);
    const id = `${key}-${String(n).padStart(4, '0')}`;
    return generateOne(f, { id, city, centre, createdMs, nowMs });
  });
}

function generateOne(
  f: F,
  o: { id: string; city: City; centre: CentreId; createdMs: number; nowMs: number },
): DemoOrder {
  const { id, city, centre, createdMs, nowMs } = o;
  const county = pickCounty(f, city);
  const type = f.helpers.weightedArrayElement<OrderType>([
    w('repair', 50),
    w('complaint', 10),
    w('consultation', 14),
    w('inquiry', 12),
    w('report', 3),
    w('suggestion', 3),
    w('gov12345', 8),
  ]);
  const channel: Channel =
    type === 'gov12345'
      ? 'gov12345'
      : f.helpers.weightedArrayElement<Channel>([
          w('phone', 80),
          w('app', 15),
          w('walk_in', type === 'repair' ? 1 : 5),
        ]);
  const account = '0' + f.string.numeric(9);
  const template = f.helpers.arrayElement(TEMPLATES[type]);
  const description = template.text({ f, city, county, account });
  let priority = f.helpers.weightedArrayElement<Priority>(
    type === 'repair'
      ? [w('normal', 60), w('urgent', 32), w('critical', 8)]
      : type === 'complaint' || type === 'report' || type === 'gov12345'
        ? [w('normal', 80), w('urgent', 20)]
        : [w('normal', 1)],
  );
  if (template.min === 'critical' || (template.min === 'urgent' && priority === 'normal')) priority = template.min;
  const draft: OrderDraft = {
    type,
    channel,
    priority,
    region: { city: city.id, county: county.id, areaClass: county.areaClass },
    address: address(f, city, county),
    callerNumber: callerNumber(f, city),
    description,
  };
  const name = callerName(f);
  if (name) draft.callerName = name;
  if (type !== 'suggestion' && f.datatype.boolean({ probability: 0.7 })) draft.customerAccount = account;

  // Who works the order.
  const agents = accountsOf('agent', centre).map(actorOf);
  const leads = accountsOf('team_lead', centre).map(actorOf);
  const agent = f.helpers.arrayElement(agents);
  const station = stationOf(city.id, county.id);
  const stationDispatcher = actorOf(dispatcherOf(station.id));
  const crews = crewsOfStation(station.id);
  const crew = f.helpers.arrayElement(
    crews.filter((c) => (type === 'repair' ? c.kind === 'repair' : c.kind === 'service')),
  );

  // The plan: how far it goes and which side paths it takes.
  const target = LOOP.indexOf(f.helpers.weightedArrayElement(TARGETS));
  const sendBack = target >= 1 && f.datatype.boolean({ probability: 0.025 });
  let urges =
    target >= 1 && f.datatype.boolean({ probability: priority === 'normal' ? 0.1 : 0.2 })
      ? f.number.int({ min: 1, max: 2 })
      : 0;
  let escalations = f.datatype.boolean({ probability: priority === 'critical' ? 0.2 : 0.04 }) ? 1 : 0;
  const speed = priority === 'critical' ? 0.5 : priority === 'urgent' ? 0.75 : 1;
  const arriveRange: Record<County['areaClass'], [number, number]> = {
    urban: [10, 45],
    rural: [25, 90],
    remote: [45, 120],
  };

  const events: OrderEvent[] = [];
  let seq = 0;
  let t = createdMs;
  const mk = (action: OrderEvent['action'], by: Actor, at: number, extra: Partial<OrderEvent> = {}): OrderEvent => ({
    id: `${id}-e${++seq}`,
    action,
    by,
    at: iso(at),
    ...extra,
  });
  const createEvent = mk('create', agent, t);
  let order: WorkOrder = createOrder(id, draft, createEvent);
  events.push(createEvent);

  /** Applies the next event `minutes` later unless that would be after now; returns whether it happened. */
  const step = (
    action: OrderEvent['action'],
    by: Actor,
    minutes: [number, number],
    extra: Partial<OrderEvent> = {},
  ): boolean => {
    const at =
      t +
      f.number.int({ min: Math.round(minutes[0] * MINUTE * speed), max: Math.round(minutes[1] * MINUTE * speed) }) +
      1000;
    if (at > nowMs - 30_000) return false;
    const event = mk(action, by, at, extra);
    order = applyEvent(order, event);
    events.push(event);
    t = at;
    return true;
  };
  /** Side steps that may come between two loop steps: urges and escalations. */
  const sideSteps = (): boolean => {
    if (urges > 0 && URGEABLE.includes(order.state) && f.datatype.boolean({ probability: 0.4 })) {
      const by = f.datatype.boolean({ probability: 0.7 })
        ? f.helpers.arrayElement(agents)
        : f.helpers.arrayElement(leads);
      if (!step('urge', by, [10, 60], { note: f.helpers.arrayElement(URGE_NOTES) })) return false;
      urges--;
    }
    if (escalations > 0 && ESCALATABLE.includes(order.state) && f.datatype.boolean({ probability: 0.3 })) {
      const by = f.helpers.weightedArrayElement([
        w(f.helpers.arrayElement(leads), 6),
        w(agent, 2),
        w(order.stationId === station.id ? stationDispatcher : agent, 2),
      ]);
      if (!step('escalate', by, [5, 60], { reason: f.helpers.arrayElement(ESCALATE_REASONS) })) return false;
      escalations--;
    }
    return true;
  };

  const satisfaction = f.helpers.weightedArrayElement<Satisfaction>([
    w('very_satisfied', 30),
    w('satisfied', 45),
    w('neutral', 10),
    w('dissatisfied', 5),
    w('unreachable', 10),
  ]);
  const handleNote = f.helpers.arrayElement(HANDLE_NOTES[type === 'repair' ? 'repair' : 'other']);
  const fieldMinutes: [number, number] = type === 'repair' ? arriveRange[county.areaClass] : [60, 480];

  const loop: (() => boolean)[] = [
    () => {
      if (sendBack) {
        // Misrouted to the neighbouring station, which sends it back; the agent then re-dispatches correctly.
        const wrong = f.helpers.arrayElement(stationsOfCity(city.id).filter((s) => s.id !== station.id));
        if (wrong) {
          const wrongDispatcher = actorOf(dispatcherOf(wrong.id));
          if (!step('dispatch', agent, [1, 15], { stationId: wrong.id })) return false;
          if (f.datatype.boolean() && !step('take', wrongDispatcher, [1, 20])) return false;
          const reason = `地址属于${shortCountyName(county.zh)}辖区，不属于本站，请改派${station.zh}。`;
          if (!step('send_back', wrongDispatcher, [3, 30], { reason })) return false;
        }
      }
      return step('dispatch', agent, [1, 15], { stationId: station.id });
    },
    () => step('take', stationDispatcher, [1, 25]),
    () => step('assign', stationDispatcher, [2, 30], { crewId: crew.id }),
    () => step('arrive', stationDispatcher, fieldMinutes),
    () => step('handle', stationDispatcher, [20, 150], { note: handleNote }),
    () =>
      step('reply', stationDispatcher, [5, 60], {
        note: type === 'repair' ? `${handleNote}现场照片已上传。` : `${handleNote}已回单。`,
      }),
    () => {
      const by = f.helpers.arrayElement(agents);
      // Unreachable is recorded on the third try; a dissatisfied customer sends the order back to the station.
      if (satisfaction === 'unreachable') {
        if (!step('callback_attempt', by, [30, 600], { note: '无人接听' })) return false;
        if (!step('callback_attempt', by, [30, 240], { note: '无人接听' })) return false;
      }
      // Dissatisfied: the order is back with the station, and its loop ends there (nothing to archive).
      return (
        step('callback', by, [30, 600], { satisfaction, note: CALLBACK_NOTES[satisfaction] }) &&
        satisfaction !== 'dissatisfied'
      );
    },
    () => step('archive', f.helpers.arrayElement([...agents, ...leads]), [10, 180]),
  ];
  for (let i = 0; i < target; i++) {
    if (!sideSteps()) break;
    if (!loop[i]!()) break;
  }
  sideSteps();

  // A few orders carry comments from the people working them.
  const comments: Comment[] = [];
  if (f.datatype.boolean({ probability: 0.12 })) {
    const last = Math.max(t, Math.min(nowMs - MINUTE, t + 30 * MINUTE));
    // The station's dispatcher only comments once the order has reached the station.
    const reached = events.find((e) => e.action === 'dispatch' && e.stationId === station.id);
    const authors = [
      { by: agent, from: createdMs + 1000 },
      { by: f.helpers.arrayElement(leads), from: createdMs + 1000 },
      ...(reached ? [{ by: stationDispatcher, from: Date.parse(reached.at) + 1000 }] : []),
    ];
    const drafts = Array.from({ length: f.number.int({ min: 1, max: 2 }) }, () => {
      const a = f.helpers.arrayElement(authors);
      return { by: a.by, at: f.number.int({ min: a.from, max: Math.max(a.from, last) }) };
    }).sort((a, b) => a.at - b.at);
    drafts.forEach((d, i) =>
      comments.push({ id: `${id}-m${i + 1}`, by: d.by, at: iso(d.at), text: f.helpers.arrayElement(COMMENT_TEXTS) }),
    );
  }

  return { id, city: city.id, centre, draft, events, comments };
}
