// i18next with the two bundled languages; zh-CN first (the users are Chinese), English switchable and saved via
// settings.set. Names that come with the data (cities, counties, stations) are looked up here too.
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { CENTRE_NAMES, FUJIAN_CITIES, STATIONS } from '@twinline/demo-data';
import zhCN from './zh-CN.json';
import en from './en.json';

export type Language = 'zh-CN' | 'en';

export const i18n = i18next.createInstance();
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

const isEn = () => i18n.language === 'en';

export function centreName(name: string | null | undefined): string {
  if (!name) return '—';
  const key = `centres.${name}`;
  if (i18n.exists(key)) return i18n.t(key);
  const c = CENTRE_NAMES[name as keyof typeof CENTRE_NAMES];
  return c ? (isEn() ? c.en : c.zh) : name;
}

const cityIndex = new Map(FUJIAN_CITIES.map((c) => [c.id, c]));
const stationIndex = new Map(STATIONS.map((s) => [s.id, s]));

export function cityName(id: string): string {
  const c = cityIndex.get(id as never);
  return c ? (isEn() ? c.en : c.zh) : id;
}

export function countyName(city: string, county: string): string {
  const k = cityIndex.get(city as never)?.counties.find((x) => x.id === county);
  return k ? (isEn() ? k.en : k.zh) : county;
}

export function stationName(id: string | undefined): string {
  if (!id) return '—';
  const s = stationIndex.get(id);
  return s ? (isEn() ? s.en : s.zh) : id;
}

const timeFormats = new Map<string, Intl.DateTimeFormat>();

/** `11/23 09:05` in China time. The formatter is built once per language (building one costs ~0.5 ms). */
export function formatTime(iso: string | number): string {
  const locale = isEn() ? 'en-GB' : 'zh-CN';
  let f = timeFormats.get(locale);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: 'Asia/Shanghai',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
    });
    timeFormats.set(locale, f);
  }
  return f.format(new Date(iso));
}
