// One dispatcher for every transport (HTTP in browser mode, MessagePort under Electron): look the name up in the
// handler map, validate the payload on the way in, run the handler, validate the result on the way out, and always
// answer with a BridgeReply envelope instead of throwing.
import type { z } from 'zod';
import { bridge, isBridgeName } from './bridge';
import type { BridgeHandlers, BridgeName, BridgeOutput, BridgeReply } from './bridge';

export type Dispatch = (name: string, payload: unknown) => Promise<BridgeReply>;

/** `path: message; path: message` — short enough for a 400 body and a UI toast. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
}

export function parseInput(name: string, payload: unknown): BridgeReply {
  if (!isBridgeName(name)) return { ok: false, error: { code: 'unknown_op', message: `unknown operation ${name}` } };
  const parsed = bridge[name].input.safeParse(payload ?? {});
  if (!parsed.success) {
    return { ok: false, error: { code: 'bad_input', message: `${name}: ${describeIssues(parsed.error)}` } };
  }
  return { ok: true, result: parsed.data };
}

export function parseOutput<N extends BridgeName>(name: N, result: unknown): BridgeReply<BridgeOutput<N>> {
  const parsed = bridge[name].output.safeParse(result);
  if (!parsed.success) {
    return { ok: false, error: { code: 'bad_output', message: `${name} returned ${describeIssues(parsed.error)}` } };
  }
  return { ok: true, result: parsed.data as BridgeOutput<N> };
}

export function createDispatcher(
  handlers: BridgeHandlers,
  onError: (name: string, err: unknown) => void = () => undefined,
): Dispatch {
  return async (name, payload) => {
    const input = parseInput(name, payload);
    if (!input.ok) return input;
    const op = name as BridgeName;
    let result: unknown;
    try {
      // The map is keyed by name, so the handler and the parsed input match; TypeScript cannot see that through the union.
      const handler = handlers[op] as (input: unknown) => Promise<unknown>;
      result = await handler(input.result);
    } catch (err) {
      onError(op, err);
      if (err instanceof HandlerInputError) return { ok: false, error: { code: 'bad_input', message: err.message } };
      return { ok: false, error: { code: 'failed', message: `${op} failed: ${errorMessage(err)}` } };
    }
    const output = parseOutput(op, result);
    if (!output.ok) onError(op, new Error(output.error.message));
    return output;
  };
}

/** Thrown by a handler for input that passed the schema but is still unacceptable (e.g. bytes that are not a Yjs update). */
export class HandlerInputError extends Error {
  override readonly name = 'HandlerInputError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
