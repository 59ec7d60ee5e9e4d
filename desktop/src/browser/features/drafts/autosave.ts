// Autosave of the half-typed new-order form: every change restarts a short timer (debounce, default 300 ms); when it
// fires the latest values go to drafts.put with a growing `updatedAt`. Submitting deletes the draft (and cancels a
// pending save, so a late save cannot bring the submitted form back). Writes never overlap: a change made while a
// save is in flight is written right after it.

export interface DraftStore {
  put(draft: { id: string; json: string; updatedAt: number }): Promise<unknown>;
  delete(id: string): Promise<unknown>;
}

export interface AutosaveOptions {
  id: string;
  store: DraftStore;
  delayMs?: number;
  now?: () => number;
  onError?: (error: unknown) => void;
}

export interface Autosaver<T> {
  /** The form changed: save `value` after the delay (a blank form deletes the draft instead). */
  change(value: T, blank?: boolean): void;
  /** Writes a pending change now. */
  flush(): Promise<void>;
  /** Drops anything pending and deletes the stored draft (the order was submitted or discarded). */
  discard(): Promise<void>;
  dispose(): void;
}

export function createAutosaver<T>(opts: AutosaveOptions): Autosaver<T> {
  const delay = opts.delayMs ?? 300;
  const now = opts.now ?? Date.now;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let pending: { value: T; blank: boolean } | null = null;
  let chain: Promise<void> = Promise.resolve();
  let last = 0;
  let generation = 0;

  const write = (): Promise<void> => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (!pending) return chain;
    const { value, blank } = pending;
    pending = null;
    const gen = generation;
    // Strictly increasing even when the clock does not move (drafts.put keeps the newer updatedAt).
    const updatedAt = Math.max(now(), last + 1);
    last = updatedAt;
    chain = chain
      .then(() => {
        if (gen !== generation) return;
        return blank
          ? opts.store.delete(opts.id).then(() => undefined)
          : opts.store.put({ id: opts.id, json: JSON.stringify(value), updatedAt }).then(() => undefined);
      })
      .catch((error: unknown) => opts.onError?.(error));
    return chain;
  };

  return {
    change(value, blank = false) {
      pending = { value, blank };
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => void write(), delay);
    },
    flush: write,
    discard() {
      generation++;
      pending = null;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      chain = chain
        .then(() => opts.store.delete(opts.id).then(() => undefined))
        .catch((e: unknown) => opts.onError?.(e));
      return chain;
    },
    dispose() {
      if (timer !== null) clearTimeout(timer);
      timer = null;
    },
  };
}
