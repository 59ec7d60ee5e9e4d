import { describe, expect, it } from 'vitest';
import { simulateYear } from './year.bench';

describe('the year benchmark', () => {
  it('runs a short stretch: orders are created, archived and swept, and the document keeps only the live ones', () => {
    const r = simulateYear({
      days: 15,
      ordersPerMonth: 600,
      retentionDays: 7,
      agentSessionsPerDay: 4,
      dispatcherSessionsPerDay: 5,
      seed: 7,
      freshSessionsDaily: true,
      batchDays: true,
    });
    expect(r.orders).toBeGreaterThan(200);
    expect(r.swept).toBeGreaterThan(50);
    expect(r.liveOrders).toBe(r.orders - r.swept);
    expect(r.clients).toBeGreaterThan(15 * 5); // a new clientID per console per day (sessions that never write leave none)
    expect(r.clients).toBeLessThanOrEqual(15 * 9);
    expect(r.bytes).toBeGreaterThan(r.compactBytes);
  });
});
