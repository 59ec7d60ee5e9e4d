import { describe, expect, it } from 'vitest';
import { LoginError, login, orderCentres } from './login';
import { CENTRES as centres, fakeFetch, json } from './testkit';

const account = { userId: 'agent.fz', role: 'agent', centre: 'fuzhou', displayName: '陈坐席' };

describe('login', () => {
  it('puts the chosen centre first', () => {
    expect(orderCentres(centres, 'xiamen').map((c) => c.name)).toEqual(['xiamen', 'fuzhou']);
    expect(orderCentres(centres, 'nowhere').map((c) => c.name)).toEqual(['fuzhou', 'xiamen']);
  });

  it('signs in at the chosen centre', async () => {
    const { f, calls } = fakeFetch({ fz: () => json(200, { token: 't', account }) });
    const r = await login(centres, 'fuzhou', { username: 'agent.fz', password: 'x' }, { fetch: f });
    expect(r).toEqual({ token: 't', account, via: 'fuzhou', unreachable: [] });
    expect(calls).toEqual(['fz']);
  });

  it('tries the twin when the chosen centre is unreachable or failing', async () => {
    const { f, calls } = fakeFetch({ xm: () => json(200, { token: 't2', account }) });
    const r = await login(centres, 'fuzhou', { username: 'a', password: 'b' }, { fetch: f });
    expect(r.via).toBe('xiamen');
    expect(r.unreachable).toEqual(['fuzhou']);
    expect(calls).toEqual(['fz', 'xm']);
    const five = fakeFetch({ fz: () => json(503, { error: 'down' }), xm: () => json(200, { token: 't3', account }) });
    expect((await login(centres, 'fuzhou', { username: 'a', password: 'b' }, { fetch: five.f })).via).toBe('xiamen');
  });

  it('does not retry a wrong password or a locked account at the twin', async () => {
    const wrong = fakeFetch({ fz: () => json(401, { error: 'wrong user name or password' }) });
    await expect(login(centres, 'fuzhou', { username: 'a', password: 'b' }, { fetch: wrong.f })).rejects.toMatchObject({
      code: 'wrong_password',
    });
    expect(wrong.calls).toEqual(['fz']);
    const locked = fakeFetch({ fz: () => json(429, { error: 'too many' }) });
    await expect(login(centres, 'fuzhou', { username: 'a', password: 'b' }, { fetch: locked.f })).rejects.toMatchObject(
      {
        code: 'locked',
        message: 'too many',
      },
    );
  });

  it('reports both centres unreachable, and an off-contract reply', async () => {
    const none = fakeFetch({});
    const err = await login(centres, 'xiamen', { username: 'a', password: 'b' }, { fetch: none.f }).catch((e) => e);
    expect(err).toBeInstanceOf(LoginError);
    expect(err).toMatchObject({ code: 'unreachable', tried: ['xiamen', 'fuzhou'] });
    const odd = fakeFetch({ fz: () => json(200, { hello: 1 }) });
    await expect(login(centres, 'fuzhou', { username: 'a', password: 'b' }, { fetch: odd.f })).rejects.toMatchObject({
      code: 'bad_reply',
    });
  });
});
