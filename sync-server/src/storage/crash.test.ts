import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Y from 'yjs';
import { afterEach, expect, it } from 'vitest';
import { openCentreStorage } from './index';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../../..');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('keeps every update a SIGKILLed writer reported as committed, and the doc still loads', async () => {
  dir = mkdtempSync(join(tmpdir(), 'twinline-crash-'));
  // `--import tsx` resolves from the working directory, hence cwd = repo root (tsx 4 on Node >= 20.6).
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'crash-child.fixture.ts'), dir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const committed: number[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<NodeJS.Signals | number | null>((done) =>
    child.on('exit', (code, signal) => done(signal ?? code)),
  );
  await new Promise<void>((killed, failed) => {
    const timer = setTimeout(() => failed(new Error(`child too slow; stderr: ${stderr}`)), 20_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', () => failed(new Error(`child exited before the kill; stderr: ${stderr}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? ''; // a partial last line is not a report
      for (const line of lines) if (/^\d+$/.test(line)) committed.push(Number(line));
      // Past several auto-compactions (compactEvery 100 in the child), so the kill may land mid-compaction.
      if (committed.length >= 1200 && !child.killed) {
        child.kill('SIGKILL');
        clearTimeout(timer);
        killed();
      }
    });
  });
  expect(await exited).toBe('SIGKILL');
  expect(committed.length).toBeGreaterThanOrEqual(1200);

  const storage = await openCentreStorage(dir);
  try {
    const updates = await storage.loadUpdates('board');
    const ydoc = new Y.Doc();
    for (const u of updates) Y.applyUpdate(ydoc, u);
    const map = ydoc.getMap<number>('m');
    const missing = committed.filter((i) => map.get(`k${i}`) !== i);
    expect(missing).toEqual([]);
    // The log was compacted along the way: far fewer rows than updates.
    expect(updates.length).toBeLessThan(committed.length);
    // And the reopened log keeps working.
    await storage.appendUpdate('board', Y.encodeStateAsUpdate(ydoc));
  } finally {
    await storage.close();
  }
});
