import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../common/bridge';
import { tempDir } from './testkit';

const MAIN = resolve(import.meta.dirname, 'main.ts');
const children: ChildProcess[] = [];
const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const rm of cleanups.splice(0)) rm();
});

function start(args: string[]): Promise<{ child: ChildProcess; line: { url: string; token: string; open: string } }> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolveStart, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (text) => resolveStart({ child, line: JSON.parse(text) as never }));
    child.once('exit', (code) => reject(new Error(`host exited with ${code}: ${stderr}`)));
  });
}

describe('the browser-mode CLI', () => {
  it('prints one JSON line {url, token} when listening, serves the map, and stops cleanly on SIGTERM', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    const { child, line } = await start([
      '--data',
      join(dir, 'data'),
      '--port',
      '0',
      '--centres',
      'fuzhou=ws://127.0.0.1:5401,xiamen=wss://xm.example.cn',
      '--home',
      'xiamen',
    ]);
    expect(line.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(line.open).toBe(`${line.url}?token=${line.token}`);
    const res = await fetch(new URL('bridge/settings.get', line.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [TOKEN_HEADER]: line.token },
      body: '{}',
    });
    expect(await res.json()).toEqual({
      homeCentre: 'xiamen',
      language: 'zh-CN',
      centres: [
        { name: 'fuzhou', url: 'ws://127.0.0.1:5401', http: 'http://127.0.0.1:5401' },
        { name: 'xiamen', url: 'wss://xm.example.cn', http: 'https://xm.example.cn' },
      ],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('refuses a bad --centres list with a clear message', async () => {
    const { dir, cleanup } = tempDir();
    cleanups.push(cleanup);
    await expect(start(['--data', dir, '--centres', 'fuzhou=http://x:1'])).rejects.toThrow(
      /url must be a ws:\/\/ or wss:\/\//,
    );
  });
});
