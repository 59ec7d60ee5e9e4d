import { describe, expect, it } from 'vitest';
import { commandFor, moveCursor } from './shortcuts';
import type { KeyInput } from './shortcuts';

const key = (k: string, patch: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrl: false,
  alt: false,
  meta: false,
  inField: false,
  inSearch: false,
  onButton: false,
  ...patch,
});

describe('keyboard shortcuts', () => {
  it('maps keys to commands outside text fields', () => {
    expect(
      ['n', 'N', '/', 'j', 'k', 'ArrowDown', 'ArrowUp', 'Enter', 'Escape', '?'].map((k) => commandFor(key(k))),
    ).toEqual(['new', 'new', 'search', 'down', 'up', 'down', 'up', 'open', 'escape', 'help']);
  });

  it('leaves typing alone, except Escape; the search box still moves and opens', () => {
    expect(commandFor(key('n', { inField: true }))).toBeNull();
    expect(commandFor(key('j', { inField: true }))).toBeNull();
    expect(commandFor(key('Escape', { inField: true }))).toBe('escape');
    expect(commandFor(key('ArrowDown', { inField: true, inSearch: true }))).toBe('down');
    expect(commandFor(key('Enter', { inField: true, inSearch: true }))).toBe('open');
    expect(commandFor(key('j', { inField: true, inSearch: true }))).toBeNull();
    expect(commandFor(key('n', { ctrl: true }))).toBeNull();
    expect(commandFor(key('Enter', { onButton: true }))).toBeNull();
  });

  it('moves the cursor within the list', () => {
    const ids = ['a', 'b', 'c'];
    expect(moveCursor(ids, null, 1)).toBe('a');
    expect(moveCursor(ids, null, -1)).toBe('c');
    expect(moveCursor(ids, 'a', 1)).toBe('b');
    expect(moveCursor(ids, 'c', 1)).toBe('c');
    expect(moveCursor(ids, 'a', -1)).toBe('a');
    expect(moveCursor(ids, 'gone', 1)).toBe('a');
    expect(moveCursor([], 'a', 1)).toBeNull();
  });
});
