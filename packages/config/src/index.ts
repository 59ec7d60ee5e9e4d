// @twinline/config: reading a configuration (an SLA policy, a routing plan) from JSON text or a parsed value with a
// zod schema, and an error that names every bad field with its path, so an operator can fix the file in one go.
import type { z } from 'zod';

export interface ConfigIssue {
  /** Dotted path of the bad field, `(root)` for the whole value. */
  path: string;
  message: string;
}

/** A configuration that does not parse. `message` lists every problem with its path, one a line. */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(message);
  }
}

/**
 * Parses `json` (JSON text, or a value already parsed) with `schema`. On failure throws `make(message, issues)`,
 * where the message starts with `what` (e.g. "SLA policy") and lists each issue.
 */
export function parseConfig<S extends z.ZodType, E extends ConfigError>(
  schema: S,
  json: unknown,
  what: string,
  make: (message: string, issues: ConfigIssue[]) => E,
): z.output<S> {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw make(`${what} is not valid JSON: ${why}`, [{ path: '', message: why }]);
    }
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(String).join('.') || '(root)',
    message: i.message,
  }));
  throw make(`invalid ${what}:\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`, issues);
}
