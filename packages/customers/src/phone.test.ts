import { describe, expect, it } from 'vitest';
import { areaCodeOf, formatPhone, isDirectoryPhone, normalisePhone, parsePhone } from './phone';

describe('normalisePhone', () => {
  it.each([
    // Mobiles, however they are written or sent.
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 138-0013-8000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['(+86) 138.0013.8000', '13800138000'],
    ['１３８００１３８０００', '13800138000'], // full-width digits typed with a Chinese IME
    ['013800138000', '13800138000'], // trunk 0 before a mobile, as a PBX sends a call from another area
    // Landlines with the area code.
    ['0592-2123456', '05922123456'],
    ['(0591) 8765 4321', '059187654321'],
    ['+86 592 2123456', '05922123456'], // country code without the trunk 0
    ['+86 0592 2123456', '05922123456'], // and with it, as people also write it
    ['0086-591-87654321', '059187654321'],
    ['8605922123456', '05922123456'],
    ['010-62345678', '01062345678'],
    ['0592-2123456 转 801', '05922123456'], // extension dropped
    ['0592-2123456 ext. 12', '05922123456'],
    // What SIP hands the centre: a URI, or the whole From header.
    ['sip:13800138000@10.0.0.5', '13800138000'],
    ['sip:+8613800138000@pbx.example;user=phone', '13800138000'],
    ['"张三" <sip:05922123456@127.0.0.1:5060>;tag=as1f', '05922123456'],
    ['<sips:%2B8613800138000@host>', '13800138000'],
    ['tel:+86-592-2123456', '05922123456'],
    // Short and special numbers stay as they are.
    ['95598', '95598'],
    ['12345', '12345'],
    ['400-123-4567', '4001234567'],
    ['+852 9123 4567', '+85291234567'],
  ])('%s → %s', (raw, want) => {
    expect(normalisePhone(raw)).toBe(want);
  });

  it.each([
    '',
    '   ',
    'anonymous',
    'sip:anonymous@anonymous.invalid',
    'abc',
    '12',
    '1380013800',
    '138001380001',
    '0592',
  ])('refuses %j', (raw) => {
    expect(normalisePhone(raw)).toBeNull();
  });

  it('gives a bare local number the area code when it is known, and says "local" when it is not', () => {
    expect(parsePhone('2123456')).toEqual({ phone: '2123456', kind: 'local' });
    expect(parsePhone('212 3456', { areaCode: '0592' })).toEqual({ phone: '05922123456', kind: 'landline' });
    expect(parsePhone('8765-4321', { areaCode: '0591' })).toEqual({ phone: '059187654321', kind: 'landline' });
    // A mobile is never mistaken for a local number.
    expect(parsePhone('13800138000', { areaCode: '0592' })).toEqual({ phone: '13800138000', kind: 'mobile' });
  });

  it('is idempotent: a normalised number normalises to itself', () => {
    for (const n of ['13800138000', '05922123456', '059187654321', '01062345678', '95598', '+85291234567'])
      expect(normalisePhone(n)).toBe(n);
  });
});

describe('directory phones and display', () => {
  it('indexes mobiles and landlines with an area code only', () => {
    expect(isDirectoryPhone('13800138000')).toBe(true);
    expect(isDirectoryPhone('05922123456')).toBe(true);
    expect(isDirectoryPhone('2123456')).toBe(false);
    expect(isDirectoryPhone('95598')).toBe(false);
    expect(isDirectoryPhone('+8613800138000')).toBe(false);
  });

  it('formats for people', () => {
    expect(formatPhone('13800138000')).toBe('138 0013 8000');
    expect(formatPhone('05922123456')).toBe('0592-2123456');
    expect(formatPhone('01062345678')).toBe('010-62345678');
    expect(formatPhone('95598')).toBe('95598');
    expect(areaCodeOf('059187654321')).toBe('0591');
    expect(areaCodeOf('13800138000')).toBeUndefined();
  });
});
