// Phone numbers as the directory stores them and as callers arrive: one normal form (digits only, national, with the
// trunk 0 for landlines) so a number typed by an agent, imported from a CSV file or taken from a SIP INVITE finds
// the same customers. Mainland China numbering: mobiles are 11 digits starting 13-19; landlines are a 3-digit
// (010, 02x) or 4-digit area code with the trunk 0, then 7 or 8 local digits.

export type PhoneKind =
  /** 11 digits, e.g. 13800138000. */
  | 'mobile'
  /** Area code with trunk 0 and local number, e.g. 05922123456. */
  | 'landline'
  /** A 7-8 digit local number whose area code was neither given nor known. Never stored in the directory. */
  | 'local'
  /** Short and special numbers: 95598, 12345, 110, 400/800 numbers. */
  | 'service'
  /** Outside mainland China: `+` and the digits, e.g. +85291234567. */
  | 'international';

export interface ParsedPhone {
  phone: string;
  kind: PhoneKind;
}

export interface PhoneOptions {
  /** Area code with the trunk 0 (e.g. 0592) given to a bare 7-8 digit local number. */
  areaCode?: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0(?:(?:10|2\d)[2-9]\d{6,7}|[3-9]\d{2}[2-9]\d{6,7})$/;
const LOCAL = /^[2-9]\d{6,7}$/;
const SERVICE = /^(?:1\d{2}|1\d{4}|9\d{4}|[48]00\d{7})$/;
const AREA_CODE = /^0(?:10|2\d|[3-9]\d{2})$/;
/** What SIP and tel URIs put before the number: `sip:`, `sips:`, `tel:`; the user part ends at `@`, `;` or `>`. */
const URI_USER = /(?:sips?|tel):([^@;>\s]+)/i;
/** What a caller or a CLI may use to hide the number. */
const WITHHELD = /^(?:anonymous|unknown|unavailable|private|restricted|withheld)$/i;
/** An extension after the number: 转 801, ext. 801, x801, ,801, #801. */
const EXTENSION = /(?:转|ext\.?|x|,|#).*$/i;

/**
 * The number's normal form and kind, or null when `raw` is not a phone number (letters, withheld, wrong length).
 * Accepts +86 / 0086 / 86 prefixes, spaces, dashes, dots and brackets, full-width digits, an extension (dropped),
 * a trunk 0 before a mobile (as PBXs send it), `+86 592 …` without the trunk 0, and SIP/tel URIs or whole From
 * headers such as `"95598" <sip:+8613800138000@10.0.0.1;user=phone>;tag=1`.
 */
export function parsePhone(raw: string, opts: PhoneOptions = {}): ParsedPhone | null {
  if (typeof raw !== 'string') return null;
  let s = raw.normalize('NFKC').trim();
  const uri = URI_USER.exec(s);
  if (uri) {
    s = uri[1]!;
    try {
      s = decodeURIComponent(s);
    } catch {
      return null;
    }
  }
  if (s.length === 0 || s.length > 64 || WITHHELD.test(s)) return null;
  s = s.replace(EXTENSION, '').replace(/[\s\-.()/]/g, '');
  if (!/^\+?\d+$/.test(s)) return null;

  let national: string;
  if (s.startsWith('+') || s.startsWith('00')) {
    const digits = s.startsWith('+') ? s.slice(1) : s.slice(2);
    if (!digits.startsWith('86')) return digits.length >= 6 && digits.length <= 15 ? intl(digits) : null;
    national = digits.slice(2);
    // +86 592 2123456: the trunk 0 is left out after a country code.
    if (!MOBILE.test(national) && !national.startsWith('0')) national = `0${national}`;
  } else {
    // 8613800138000, 8605922123456: the country code without + (no national number starts with 86).
    national = s.replace(/^86(?=1[3-9]\d{9}$|0\d{9,11}$)/, '');
  }

  if (MOBILE.test(national)) return { phone: national, kind: 'mobile' };
  if (/^01[3-9]\d{9}$/.test(national)) return { phone: national.slice(1), kind: 'mobile' };
  if (LANDLINE.test(national)) return { phone: national, kind: 'landline' };
  if (LOCAL.test(national)) {
    if (opts.areaCode !== undefined && AREA_CODE.test(opts.areaCode)) {
      const full = opts.areaCode + national;
      if (LANDLINE.test(full)) return { phone: full, kind: 'landline' };
    }
    return { phone: national, kind: 'local' };
  }
  if (SERVICE.test(national)) return { phone: national, kind: 'service' };
  return null;
}

function intl(digits: string): ParsedPhone {
  return { phone: `+${digits}`, kind: 'international' };
}

/** The normal form of a phone number (see parsePhone), or null when it is not one. */
export function normalisePhone(raw: string, opts: PhoneOptions = {}): string | null {
  return parsePhone(raw, opts)?.phone ?? null;
}

/** True for the numbers the directory indexes: a normalised mobile or landline with its area code. */
export function isDirectoryPhone(phone: string): boolean {
  return MOBILE.test(phone) || LANDLINE.test(phone);
}

/** The area code (with trunk 0) of a normalised landline, e.g. 0592; undefined for anything else. */
export function areaCodeOf(phone: string): string | undefined {
  if (!LANDLINE.test(phone)) return undefined;
  return /^0(?:10|2\d)/.test(phone) ? phone.slice(0, 3) : phone.slice(0, 4);
}

/** For people to read: 138 0013 8000, 0592-2123456; anything else unchanged. */
export function formatPhone(phone: string): string {
  if (MOBILE.test(phone)) return `${phone.slice(0, 3)} ${phone.slice(3, 7)} ${phone.slice(7)}`;
  const area = areaCodeOf(phone);
  return area ? `${area}-${phone.slice(area.length)}` : phone;
}
