import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, parseConfig } from './index';

class PlanError extends ConfigError {
  override readonly name = 'PlanError';
}
const Plan = z.object({ name: z.string().min(1), seats: z.number().int().positive() });
const parse = (json: unknown) => parseConfig(Plan, json, 'seat plan', (m, i) => new PlanError(m, i));

describe('parseConfig', () => {
  it('reads JSON text or a parsed value', () => {
    expect(parse('{"name":"福州","seats":100}')).toEqual({ name: '福州', seats: 100 });
    expect(parse({ name: '厦门', seats: 90 })).toEqual({ name: '厦门', seats: 90 });
  });

  it('names every bad field with its path, in the error the caller chose', () => {
    let error: unknown;
    try {
      parse({ name: '', seats: -1 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PlanError);
    expect((error as PlanError).issues.map((i) => i.path)).toEqual(['name', 'seats']);
    expect((error as PlanError).message).toMatch(/^invalid seat plan:\n {2}- name: .*\n {2}- seats: /);
  });

  it('says when the text is not JSON at all', () => {
    expect(() => parse('{seats: 1')).toThrow(/seat plan is not valid JSON/);
  });
});
