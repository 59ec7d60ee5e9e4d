import { describe, expect, it } from 'vitest';
import { collectPresence, initials } from './collect';

const aw = (clientID: number, states: [number, unknown][]) => ({ clientID, getStates: () => new Map(states) });

describe('presence', () => {
  it("groups others' states by the order they view, skipping this console and empty states", () => {
    const byOrder = collectPresence([
      aw(1, [
        [1, { user: { id: 'me', name: '我' }, viewing: 'o1' }],
        [2, { user: { id: 'agent1.fz', name: '陈坐席' }, viewing: 'o1', editing: 'address' }],
        [3, {}],
        [4, { user: { id: 'lead.fz', name: '王班长' }, viewing: null }],
      ]),
      aw(10, [[5, { user: { id: 'disp', name: 'Zhang Wei' }, viewing: 'o2' }]]),
    ]);
    expect(byOrder).toEqual({
      o1: [{ clientId: 2, userId: 'agent1.fz', name: '陈坐席', editing: 'address' }],
      o2: [{ clientId: 5, userId: 'disp', name: 'Zhang Wei' }],
    });
  });

  it('makes initials from Chinese and Latin names', () => {
    expect(initials('陈坐席')).toBe('陈');
    expect(initials('吕诗雨（值班长）')).toBe('吕');
    expect(initials('Zhang Wei')).toBe('ZW');
    expect(initials('')).toBe('?');
  });
});
