// Structured logs: one JSON object a line, on stdout.
import { pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

export function createLogger(centre: string, level: string): Logger {
  return pino({ level, base: { centre }, timestamp: pino.stdTimeFunctions.isoTime });
}
