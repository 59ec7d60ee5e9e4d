import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BridgeReply } from '../../common/bridge';
import { connectPeer } from '../../common/port-rpc';
import type { PortLike } from '../../common/port-rpc';
import { servePort } from './port-server';
import { SECRETS_FILE } from './secret-store';
import { hostKit } from './testkit';

const kit = hostKit();
const ports: MessagePort[] = [];
afterEach(async () => {
  for (const p of ports.splice(0)) p.close();
  await kit.cleanup();
});

const wrap = (port: MessagePort): PortLike => {
  ports.push(port);
  return { post: (m) => port.postMessage(m), onMessage: (l) => port.on('message', l) };
};

/** Plays Electron's main process: relays bridge calls and lends a cipher (here a reversible stand-in for safeStorage). */
function mainSide(port: PortLike, cipherCalls: string[]) {
  return connectPeer(port, async (method, params) => {
    cipherCalls.push(method);
    const text = String(params);
    if (method === 'cipher.encrypt') return Buffer.from(`enc:${text}`).toString('base64');
    if (method === 'cipher.decrypt') return Buffer.from(text, 'base64').toString().replace(/^enc:/, '');
    throw new Error(`unknown method ${method}`);
  });
}

describe('Electron transport: the same dispatcher over a MessagePort', () => {
  it('serves the handler map, validates payloads, and asks the main side to encrypt secrets', async () => {
    const dir = kit.dir();
    const { port1, port2 } = new MessageChannel();
    const { ready } = servePort(wrap(port2), { dataDir: dir, cipher: true });
    const host = await ready;
    const cipherCalls: string[] = [];
    const main = mainSide(wrap(port1), cipherCalls);
    const bridge = (name: string, payload: unknown) => main.call('bridge', { name, payload }) as Promise<BridgeReply>;

    expect(await bridge('cache.status', {})).toMatchObject({ ok: true, result: { docs: 0 } });
    expect(await bridge('drafts.put', { id: 'd1', json: '{"x":1}', updatedAt: 5 })).toEqual({
      ok: true,
      result: { stored: true },
    });
    expect(await bridge('drafts.put', { id: 'd1' })).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(await bridge('no.such', {})).toMatchObject({ ok: false, error: { code: 'unknown_op' } });

    expect(await bridge('secrets.set', { key: 'token', value: 'tok-123' })).toEqual({ ok: true, result: {} });
    expect(cipherCalls).toEqual(['cipher.encrypt']);
    expect(readFileSync(join(dir, SECRETS_FILE), 'utf8')).not.toContain('tok-123');
    expect(await bridge('secrets.get', { key: 'token' })).toEqual({ ok: true, result: { value: 'tok-123' } });
    expect(cipherCalls).toEqual(['cipher.encrypt', 'cipher.decrypt']);

    // A malformed relay message is refused, not crashed on.
    expect(await main.call('bridge', 'garbage')).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    await expect(main.call('shutdown', {})).rejects.toThrow(/unknown method/);
    await host.close();
  });

  it('fails pending calls when the other side goes away', async () => {
    const { port1, port2 } = new MessageChannel();
    wrap(port2); // nobody answers on this side
    const peer = connectPeer(wrap(port1), async () => undefined);
    const pending = peer.call('bridge', { name: 'cache.status', payload: {} });
    peer.fail('the host process exited');
    await expect(pending).rejects.toThrow('the host process exited');
    await expect(peer.call('bridge', {}, 50)).rejects.toThrow(/no answer within 50 ms/);
  });
});
