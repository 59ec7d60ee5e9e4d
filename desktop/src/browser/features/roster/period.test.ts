import { describe, expect, it } from 'vitest';
import { i18n } from '../../i18n';
import { CentreApiError, centreJson } from '../session/centreApi';
import { FiguresReportSchema } from '@twinline/board/crew-figures';
import { figuresError, figuresPath, periodRange } from './period';

describe('the periods of the crews and ratings panels', () => {
  // 01:30 on 1 December in China, still 30 November in UTC.
  const now = new Date('2026-11-30T17:30:00Z');

  it('counts calendar days and the month in China time, up to now', () => {
    expect(periodRange('days7', now)).toEqual({
      from: '2026-11-25T00:00:00.000+08:00',
      to: '2026-12-01T01:30:00.000+08:00',
    });
    expect(periodRange('days30', now).from).toBe('2026-11-02T00:00:00.000+08:00');
    expect(periodRange('month', now).from).toBe('2026-12-01T00:00:00.000+08:00');
    expect(Date.parse(periodRange('month', now).to)).toBe(now.getTime());
  });

  it('asks for one city, or leaves it out for every city the user may read', () => {
    const range = periodRange('month', now);
    expect(figuresPath(range, 'xiamen')).toBe(
      '/api/figures?city=xiamen&from=2026-12-01T00%3A00%3A00.000%2B08%3A00&to=2026-12-01T01%3A30%3A00.000%2B08%3A00',
    );
    expect(figuresPath(range)).not.toContain('city=');
  });

  it('says clearly when no centre answers, and passes on what a centre refused', async () => {
    await i18n.changeLanguage('zh-CN');
    const down = (() => Promise.reject(new TypeError('fetch failed'))) as unknown as typeof fetch;
    const centres = [
      { name: 'fuzhou', http: 'http://127.0.0.1:1', url: 'ws://127.0.0.1:1' },
      { name: 'xiamen', http: 'http://127.0.0.1:2', url: 'ws://127.0.0.1:2' },
    ];
    const error = await centreJson(centres, 'fuzhou', 't', figuresPath(periodRange('days7')), FiguresReportSchema, {
      fetch: down,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CentreApiError);
    expect(figuresError(error)).toMatch(/^没有中心应答/);
    expect(figuresError(new CentreApiError(403, 'a dispatcher sees the figures of its own city only (xiamen)'))).toBe(
      '中心拒绝了查询：a dispatcher sees the figures of its own city only (xiamen)',
    );
    expect(figuresError(new CentreApiError(200, 'x', ['fuzhou'], true))).toBe('中心的应答无法识别。');
  });
});
