// The board's local cache (BoardCache of @twinline/board-client) over the host bridge: cache.loadDoc /
// cache.appendUpdates, with Yjs updates as base64 on the wire. Appends are packed into calls that stay under the
// bridge's limits (1000 updates each, MAX_UPDATE_BASE64 per update, MAX_BRIDGE_BODY per call).
import type { BoardCache } from '@twinline/board-client';
import { MAX_BRIDGE_BODY, MAX_UPDATE_BASE64 } from '../../../common/bridge';
import type { BridgeClient } from '../../bridge-client';

export { MAX_UPDATE_BASE64 };
/** Per call: room under the host's body limit for the JSON around the updates. */
export const MAX_BATCH_BASE64 = MAX_BRIDGE_BODY - 8 * 1024 * 1024;
export const MAX_BATCH_COUNT = 1000;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) {
    binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Splits base64 updates into calls of at most MAX_BATCH_COUNT items and MAX_BATCH_BASE64 characters. */
export function packBatches(updates: string[]): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const u of updates) {
    if (current.length > 0 && (current.length >= MAX_BATCH_COUNT || size + u.length > MAX_BATCH_BASE64)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(u);
    size += u.length;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface BridgeCacheOptions {
  /** An update too large for the bridge: it is not cached (the centre still has it) and reported here. */
  onSkipped?: (doc: string, bytes: number) => void;
}

export function createBridgeCache(bridge: Pick<BridgeClient, 'call'>, opts: BridgeCacheOptions = {}): BoardCache {
  return {
    async loadDoc(doc) {
      const { updates } = await bridge.call('cache.loadDoc', { doc });
      return updates.map(fromBase64);
    },
    async appendUpdates(doc, updates) {
      const encoded: string[] = [];
      for (const u of updates) {
        if (u.length === 0) continue;
        const b64 = toBase64(u);
        if (b64.length > MAX_UPDATE_BASE64) {
          opts.onSkipped?.(doc, u.length);
          continue;
        }
        encoded.push(b64);
      }
      for (const batch of packBatches(encoded)) await bridge.call('cache.appendUpdates', { doc, updates: batch });
    },
  };
}
