// The nine prefecture-level cities of Fujian as dispatch regions: their counties and districts, telephone area codes
// and the centre that normally serves each. Coordinates are approximate seat-of-government centres (WGS-84, ~0.05°).
// Kinmen (金门县) is nominally part of Quanzhou but is not served by the 95598 hotline, so it is left out.
import type { AreaClass } from '@twinline/workorder';

export const CENTRES = ['fuzhou', 'xiamen'] as const;
export type CentreId = (typeof CENTRES)[number];

export const CENTRE_NAMES: Record<CentreId, { zh: string; en: string; short: string }> = {
  fuzhou: { zh: '福州客服中心', en: 'Fuzhou centre', short: 'fz' },
  xiamen: { zh: '厦门客服中心', en: 'Xiamen centre', short: 'xm' },
};

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

export interface County {
  /** Pinyin, unique within its city. */
  id: string;
  city: CityId;
  zh: string;
  en: string;
  areaClass: AreaClass;
  lat: number;
  lng: number;
}

export interface City {
  id: CityId;
  /** Short name, e.g. 福州. */
  zh: string;
  /** Full name, e.g. 福州市. */
  zhFull: string;
  en: string;
  /** Long-distance area code, with the trunk 0. */
  areaCode: string;
  /** Digits of a local landline number after the area code. */
  landlineDigits: number;
  /** The centre that normally serves the city (the other takes over when it fails). */
  centre: CentreId;
  lat: number;
  lng: number;
  counties: readonly County[];
}

/** Prefixes (first three digits) of mainland mobile numbers, for callers who ring from a mobile. */
export const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139',
  '150', '151', '152', '153', '155', '156', '157', '158', '159',
  '166', '173', '175', '176', '177', '178',
  '180', '181', '182', '183', '184', '185', '186', '187', '188', '189',
  '191', '198', '199',
] as const; // prettier-ignore

type Row = readonly [id: string, zh: string, en: string, areaClass: AreaClass, lat: number, lng: number];

function city(
  id: CityId,
  zh: string,
  en: string,
  areaCode: string,
  landlineDigits: number,
  centre: CentreId,
  lat: number,
  lng: number,
  rows: readonly Row[],
): City {
  const counties = rows.map(([cid, czh, cen, areaClass, clat, clng]) => ({
    id: cid,
    city: id,
    zh: czh,
    en: cen,
    areaClass,
    lat: clat,
    lng: clng,
  }));
  return { id, zh, zhFull: `${zh}市`, en, areaCode, landlineDigits, centre, lat, lng, counties };
}

export const FUJIAN_CITIES: readonly City[] = [
  city('fuzhou', '福州', 'Fuzhou', '0591', 8, 'fuzhou', 26.07, 119.3, [
    ['gulou', '鼓楼区', 'Gulou District', 'urban', 26.08, 119.3],
    ['taijiang', '台江区', 'Taijiang District', 'urban', 26.05, 119.31],
    ['cangshan', '仓山区', 'Cangshan District', 'urban', 26.05, 119.27],
    ['jinan', '晋安区', "Jin'an District", 'urban', 26.08, 119.33],
    ['mawei', '马尾区', 'Mawei District', 'urban', 25.99, 119.46],
    ['changle', '长乐区', 'Changle District', 'urban', 25.96, 119.52],
    ['minhou', '闽侯县', 'Minhou County', 'rural', 26.15, 119.13],
    ['lianjiang', '连江县', 'Lianjiang County', 'rural', 26.2, 119.54],
    ['luoyuan', '罗源县', 'Luoyuan County', 'rural', 26.49, 119.55],
    ['minqing', '闽清县', 'Minqing County', 'rural', 26.22, 118.86],
    ['yongtai', '永泰县', 'Yongtai County', 'remote', 25.87, 118.94],
    ['pingtan', '平潭县', 'Pingtan County', 'remote', 25.5, 119.79],
    ['fuqing', '福清市', 'Fuqing City', 'rural', 25.72, 119.38],
  ]),
  city('xiamen', '厦门', 'Xiamen', '0592', 7, 'xiamen', 24.48, 118.09, [
    ['siming', '思明区', 'Siming District', 'urban', 24.45, 118.08],
    ['huli', '湖里区', 'Huli District', 'urban', 24.51, 118.15],
    ['jimei', '集美区', 'Jimei District', 'urban', 24.58, 118.1],
    ['haicang', '海沧区', 'Haicang District', 'urban', 24.48, 117.99],
    ['tongan', '同安区', "Tong'an District", 'urban', 24.72, 118.15],
    ['xiangan', '翔安区', "Xiang'an District", 'urban', 24.62, 118.25],
  ]),
  city('putian', '莆田', 'Putian', '0594', 7, 'fuzhou', 25.45, 119.01, [
    ['chengxiang', '城厢区', 'Chengxiang District', 'urban', 25.42, 119.0],
    ['hanjiang', '涵江区', 'Hanjiang District', 'urban', 25.46, 119.12],
    ['licheng', '荔城区', 'Licheng District', 'urban', 25.43, 119.02],
    ['xiuyu', '秀屿区', 'Xiuyu District', 'urban', 25.32, 119.11],
    ['xianyou', '仙游县', 'Xianyou County', 'rural', 25.36, 118.69],
  ]),
  city('sanming', '三明', 'Sanming', '0598', 7, 'fuzhou', 26.26, 117.64, [
    ['sanyuan', '三元区', 'Sanyuan District', 'urban', 26.23, 117.61],
    ['shaxian', '沙县区', 'Shaxian District', 'urban', 26.4, 117.79],
    ['yongan', '永安市', "Yong'an City", 'rural', 25.94, 117.36],
    ['mingxi', '明溪县', 'Mingxi County', 'remote', 26.36, 117.2],
    ['qingliu', '清流县', 'Qingliu County', 'remote', 26.18, 116.82],
    ['ninghua', '宁化县', 'Ninghua County', 'rural', 26.26, 116.65],
    ['datian', '大田县', 'Datian County', 'rural', 25.69, 117.85],
    ['youxi', '尤溪县', 'Youxi County', 'rural', 26.17, 118.19],
    ['jiangle', '将乐县', 'Jiangle County', 'rural', 26.73, 117.47],
    ['taining', '泰宁县', 'Taining County', 'remote', 26.9, 117.18],
    ['jianning', '建宁县', 'Jianning County', 'remote', 26.83, 116.85],
  ]),
  city('quanzhou', '泉州', 'Quanzhou', '0595', 8, 'xiamen', 24.87, 118.68, [
    ['licheng', '鲤城区', 'Licheng District', 'urban', 24.91, 118.59],
    ['fengze', '丰泽区', 'Fengze District', 'urban', 24.89, 118.61],
    ['luojiang', '洛江区', 'Luojiang District', 'urban', 24.94, 118.67],
    ['quangang', '泉港区', 'Quangang District', 'urban', 25.13, 118.92],
    ['shishi', '石狮市', 'Shishi City', 'urban', 24.73, 118.65],
    ['jinjiang', '晋江市', 'Jinjiang City', 'urban', 24.78, 118.55],
    ['nanan', '南安市', "Nan'an City", 'rural', 24.96, 118.39],
    ['huian', '惠安县', "Hui'an County", 'rural', 25.03, 118.8],
    ['anxi', '安溪县', 'Anxi County', 'rural', 25.06, 118.19],
    ['yongchun', '永春县', 'Yongchun County', 'rural', 25.32, 118.29],
    ['dehua', '德化县', 'Dehua County', 'remote', 25.49, 118.24],
  ]),
  city('zhangzhou', '漳州', 'Zhangzhou', '0596', 7, 'xiamen', 24.51, 117.65, [
    ['xiangcheng', '芗城区', 'Xiangcheng District', 'urban', 24.51, 117.65],
    ['longwen', '龙文区', 'Longwen District', 'urban', 24.5, 117.71],
    ['longhai', '龙海区', 'Longhai District', 'urban', 24.45, 117.82],
    ['changtai', '长泰区', 'Changtai District', 'urban', 24.63, 117.76],
    ['yunxiao', '云霄县', 'Yunxiao County', 'rural', 23.96, 117.34],
    ['zhangpu', '漳浦县', 'Zhangpu County', 'rural', 24.12, 117.61],
    ['zhaoan', '诏安县', "Zhao'an County", 'rural', 23.71, 117.18],
    ['dongshan', '东山县', 'Dongshan County', 'remote', 23.7, 117.43],
    ['nanjing', '南靖县', 'Nanjing County', 'rural', 24.51, 117.36],
    ['pinghe', '平和县', 'Pinghe County', 'rural', 24.36, 117.31],
    ['huaan', '华安县', "Hua'an County", 'remote', 25.0, 117.53],
  ]),
  city('nanping', '南平', 'Nanping', '0599', 7, 'fuzhou', 26.64, 118.18, [
    ['yanping', '延平区', 'Yanping District', 'urban', 26.64, 118.18],
    ['jianyang', '建阳区', 'Jianyang District', 'urban', 27.33, 118.12],
    ['shaowu', '邵武市', 'Shaowu City', 'rural', 27.34, 117.49],
    ['wuyishan', '武夷山市', 'Wuyishan City', 'rural', 27.76, 118.04],
    ['jianou', '建瓯市', "Jian'ou City", 'rural', 27.02, 118.3],
    ['shunchang', '顺昌县', 'Shunchang County', 'rural', 26.79, 117.81],
    ['pucheng', '浦城县', 'Pucheng County', 'rural', 27.92, 118.54],
    ['guangze', '光泽县', 'Guangze County', 'remote', 27.54, 117.33],
    ['songxi', '松溪县', 'Songxi County', 'remote', 27.53, 118.79],
    ['zhenghe', '政和县', 'Zhenghe County', 'remote', 27.37, 118.86],
  ]),
  city('longyan', '龙岩', 'Longyan', '0597', 7, 'xiamen', 25.08, 117.02, [
    ['xinluo', '新罗区', 'Xinluo District', 'urban', 25.1, 117.04],
    ['yongding', '永定区', 'Yongding District', 'urban', 24.72, 116.73],
    ['zhangping', '漳平市', 'Zhangping City', 'rural', 25.29, 117.42],
    ['changting', '长汀县', 'Changting County', 'rural', 25.83, 116.36],
    ['shanghang', '上杭县', 'Shanghang County', 'rural', 25.05, 116.42],
    ['wuping', '武平县', 'Wuping County', 'remote', 25.1, 116.1],
    ['liancheng', '连城县', 'Liancheng County', 'rural', 25.71, 116.75],
  ]),
  city('ningde', '宁德', 'Ningde', '0593', 7, 'fuzhou', 26.66, 119.55, [
    ['jiaocheng', '蕉城区', 'Jiaocheng District', 'urban', 26.66, 119.53],
    ['fuan', '福安市', "Fu'an City", 'rural', 27.09, 119.65],
    ['fuding', '福鼎市', 'Fuding City', 'rural', 27.32, 120.22],
    ['xiapu', '霞浦县', 'Xiapu County', 'rural', 26.89, 120.01],
    ['gutian', '古田县', 'Gutian County', 'rural', 26.58, 118.75],
    ['pingnan', '屏南县', 'Pingnan County', 'remote', 26.91, 118.99],
    ['shouning', '寿宁县', 'Shouning County', 'remote', 27.45, 119.51],
    ['zhouning', '周宁县', 'Zhouning County', 'remote', 27.1, 119.34],
    ['zherong', '柘荣县', 'Zherong County', 'rural', 27.23, 119.9],
  ]),
];

const CITY_INDEX = new Map<string, City>(FUJIAN_CITIES.map((c) => [c.id, c]));

export function isCityId(id: string): id is CityId {
  return CITY_INDEX.has(id);
}

/** The city with this id; throws for an unknown id. */
export function cityById(id: string): City {
  const found = CITY_INDEX.get(id);
  if (!found) throw new Error(`unknown city ${id}`);
  return found;
}

/** The county `countyId` of city `cityId`; throws when the city has no such county. */
export function countyById(cityId: string, countyId: string): County {
  const found = cityById(cityId).counties.find((c) => c.id === countyId);
  if (!found) throw new Error(`unknown county ${countyId} in ${cityId}`);
  return found;
}

/** The centre that normally serves a city. */
export function centreOfCity(cityId: string): CentreId {
  return cityById(cityId).centre;
}

/** Cities a centre normally serves. */
export function citiesOfCentre(centre: CentreId): City[] {
  return FUJIAN_CITIES.filter((c) => c.centre === centre);
}

/** 鼓楼区 → 鼓楼, 沙县区 → 沙县, 武夷山市 → 武夷山: the name used on signs and in station names. */
export function shortCountyName(zh: string): string {
  return zh.length > 2 ? zh.slice(0, -1) : zh;
}
