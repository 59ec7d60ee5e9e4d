import { describe, expect, it } from 'vitest';
import { isActiveOutage, areaCovers } from './outage';

const area = { counties: ['gulou'], streets: ['五四路', '东街'], servicePoints: ['SP-FZ-0042'] };

describe('which places an outage covers', () => {
  it('covers a whole county, a listed service point, or an address on one of its streets, in its own city only', () => {
    const at = (county: string, address: string, servicePoint?: string, city = 'fuzhou') =>
      areaCovers('fuzhou', area, { city, county, address, ...(servicePoint ? { servicePoint } : {}) });
    expect(at('gulou', '福州市鼓楼区杨桥路1号')).toBe(true);
    expect(at('taijiang', '福州市台江区五四路88号')).toBe(true);
    expect(at('cangshan', '福州市仓山区首山路9号', 'SP-FZ-0042')).toBe(true);
    expect(at('cangshan', '福州市仓山区首山路9号', 'SP-FZ-0043')).toBe(false);
    expect(at('gulou', '厦门市思明区五四路', undefined, 'xiamen')).toBe(false);
  });

  it('is on until it is restored (archived); a merged order is never an outage on', () => {
    expect(isActiveOutage({ type: 'outage', state: 'accepted' })).toBe(true);
    expect(isActiveOutage({ type: 'outage', state: 'on_site' })).toBe(true);
    expect(isActiveOutage({ type: 'outage', state: 'archived' })).toBe(false);
    expect(isActiveOutage({ type: 'repair', state: 'accepted' })).toBe(false);
  });
});
