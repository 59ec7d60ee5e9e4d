import type { Action, ActorRole, OrderState } from './model';

export type WorkOrderErrorCode = 'illegal_transition' | 'forbidden' | 'invalid_payload';

/** Every refused step is one of these: never a silent no-op. */
export class WorkOrderError extends Error {
  override readonly name = 'WorkOrderError';
  constructor(
    readonly code: WorkOrderErrorCode,
    message: string,
    readonly detail: { action?: Action; state?: OrderState; role?: ActorRole } = {},
  ) {
    super(message);
  }
}
