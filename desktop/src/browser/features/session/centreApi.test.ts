import { describe, expect, it } from 'vitest';
import { CentreApiError, centreFetch } from './centreApi';
import { CENTRES as centres, fakeFetch, json } from './testkit';

const photo = () => new Response(new Uint8Array([0xff, 0xd8, 0xff]), { headers: { 'content-type': 'image/jpeg' } });
const missing = () => json(404, { error: 'no photo ph-1' });

describe('centreFetch', () => {
  it('takes a 404 as the answer, unless told that the other centre may have it', async () => {
    const { f, calls } = fakeFetch({ fz: missing, xm: photo });
    await expect(centreFetch(centres, 'fuzhou', 't', '/api/crew/photos/ph-1', { fetch: f })).rejects.toMatchObject({
      status: 404,
    });
    expect(calls).toEqual(['fz']);

    const r = await centreFetch(centres, 'fuzhou', 't', '/api/crew/photos/ph-1', { fetch: f, nextOn404: true });
    expect(r).toMatchObject({ via: 'xiamen', tried: ['fuzhou', 'xiamen'] });
    expect(r.res.headers.get('content-type')).toBe('image/jpeg');
  });

  it('with nextOn404, says "not found" when no centre has it, and other 4xx stay final', async () => {
    const none = fakeFetch({ fz: missing, xm: missing });
    const error = await centreFetch(centres, 'fuzhou', 't', '/p', { fetch: none.f, nextOn404: true }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CentreApiError);
    expect(error).toMatchObject({ status: 404, message: 'no photo ph-1' });
    // The twin unreachable: the 404 is still the answer, not "no centre answered".
    const down = fakeFetch({ fz: missing });
    await expect(centreFetch(centres, 'fuzhou', 't', '/p', { fetch: down.f, nextOn404: true })).rejects.toMatchObject({
      status: 404,
    });
    const forbidden = fakeFetch({ fz: () => json(401, { error: 'unauthorized' }), xm: photo });
    await expect(
      centreFetch(centres, 'fuzhou', 't', '/p', { fetch: forbidden.f, nextOn404: true }),
    ).rejects.toMatchObject({ status: 401 });
    expect(forbidden.calls).toEqual(['fz']);
  });
});
