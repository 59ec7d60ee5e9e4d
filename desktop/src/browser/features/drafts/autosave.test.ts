import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAutosaver } from './autosave';
import { emptyForm, isBlank, parseFormJson, toDraftInput, validateForm } from './form';

function memoryStore() {
  const drafts = new Map<string, { json: string; updatedAt: number }>();
  const log: string[] = [];
  return {
    drafts,
    log,
    put: vi.fn(async (d: { id: string; json: string; updatedAt: number }) => {
      log.push(`put ${d.updatedAt}`);
      const prev = drafts.get(d.id);
      if (prev && prev.updatedAt > d.updatedAt) return { stored: false };
      drafts.set(d.id, { json: d.json, updatedAt: d.updatedAt });
      return { stored: true };
    }),
    delete: vi.fn(async (id: string) => {
      log.push('delete');
      return { deleted: drafts.delete(id) };
    }),
  };
}

describe('draft autosave', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('debounces: a burst of typing is one write of the latest values, ~300 ms after the last key', async () => {
    const store = memoryStore();
    const saver = createAutosaver<{ address: string }>({ id: 'new-order', store, now: () => 1000 });
    saver.change({ address: '五' });
    await vi.advanceTimersByTimeAsync(200);
    saver.change({ address: '五四' });
    await vi.advanceTimersByTimeAsync(200);
    saver.change({ address: '五四路' });
    expect(store.put).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(299);
    expect(store.put).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(store.put).toHaveBeenCalledTimes(1);
    expect(JSON.parse(store.drafts.get('new-order')!.json)).toEqual({ address: '五四路' });
  });

  it('gives every write a strictly greater updatedAt even when the clock stands still', async () => {
    const store = memoryStore();
    const saver = createAutosaver<{ n: number }>({ id: 'd', store, now: () => 5000 });
    saver.change({ n: 1 });
    await saver.flush();
    saver.change({ n: 2 });
    await saver.flush();
    expect(store.log).toEqual(['put 5000', 'put 5001']);
    expect(JSON.parse(store.drafts.get('d')!.json)).toEqual({ n: 2 });
  });

  it('a blank form deletes the draft instead of storing it', async () => {
    const store = memoryStore();
    const saver = createAutosaver<{ a: string }>({ id: 'd', store });
    saver.change({ a: 'x' });
    await saver.flush();
    saver.change({ a: '' }, true);
    await saver.flush();
    expect(store.drafts.has('d')).toBe(false);
  });

  it('discard (submitted) deletes the draft and a pending save can no longer bring it back', async () => {
    const store = memoryStore();
    const saver = createAutosaver<{ a: string }>({ id: 'd', store });
    saver.change({ a: 'x' });
    await saver.flush();
    saver.change({ a: 'xy' });
    await saver.discard();
    await vi.advanceTimersByTimeAsync(1000);
    expect(store.drafts.has('d')).toBe(false);
    expect(store.log).toEqual(['put ' + store.log[0]!.slice(4), 'delete']);
  });

  it('reports a failed write and keeps working', async () => {
    const errors: unknown[] = [];
    const store = memoryStore();
    store.put.mockRejectedValueOnce(new Error('host down'));
    const saver = createAutosaver<{ a: string }>({ id: 'd', store, onError: (e) => errors.push(e) });
    saver.change({ a: '1' });
    await saver.flush();
    saver.change({ a: '2' });
    await saver.flush();
    expect(errors).toHaveLength(1);
    expect(JSON.parse(store.drafts.get('d')!.json)).toEqual({ a: '2' });
  });
});

describe('new-order form values', () => {
  const filled = {
    ...emptyForm('fuzhou'),
    county: 'gulou',
    address: '福州市鼓楼区五四路 100 号',
    callerNumber: '13805912345',
    description: '整栋楼停电',
  };

  it('turns into a valid OrderDraft with areaClass from the county', () => {
    const r = validateForm(filled);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.draft.region).toEqual({ city: 'fuzhou', county: 'gulou', areaClass: 'urban' });
      expect(r.draft.callerName).toBeUndefined();
    }
  });

  it('maps schema issues to field-level errors', () => {
    const r = validateForm({ ...emptyForm(), callerNumber: '12ab' });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toMatchObject({
        callerNumber: 'phone',
        address: 'required',
        description: 'required',
        city: 'choose',
        county: 'choose',
      });
    }
    const empty = validateForm({ ...filled, callerNumber: '' });
    expect(!empty.ok && empty.errors.callerNumber).toBe('required');
  });

  it('round-trips through the stored JSON and ignores junk', () => {
    expect(parseFormJson(JSON.stringify(filled))).toEqual(filled);
    expect(parseFormJson('not json')).toBeNull();
    expect(parseFormJson(JSON.stringify({ address: 5, description: 'x' }))).toEqual({
      ...emptyForm(),
      description: 'x',
    });
    expect(isBlank(emptyForm('fuzhou'))).toBe(true);
    expect(isBlank(filled)).toBe(false);
    expect(toDraftInput({ ...filled, callerName: '  ' })).not.toHaveProperty('callerName');
  });
});
