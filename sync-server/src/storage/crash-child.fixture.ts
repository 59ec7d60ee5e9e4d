// Child process for crash.test.ts: appends Yjs updates in bursts and prints "<i>\n" once update i's append has
// resolved (i.e. is committed). The test kills it with SIGKILL mid-burst. Usage: crash-child.fixture.ts <dir>
import * as Y from 'yjs';
import { openCentreStorage } from './index';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.fixture.ts <dir>');

const storage = await openCentreStorage(dir, { compactEvery: 100 });
const ydoc = new Y.Doc();
const map = ydoc.getMap<number>('m');
const text = ydoc.getText('t');
let captured: Uint8Array | null = null;
ydoc.on('update', (u: Uint8Array) => (captured = u));

const edit = (i: number): Uint8Array => {
  captured = null;
  ydoc.transact(() => {
    map.set(`k${i}`, i);
    text.insert(text.length, `${i};`);
    if (text.length > 200) text.delete(0, 50); // deletions give compaction something to garbage-collect
  });
  if (!captured) throw new Error('no update captured');
  return captured;
};

process.stdout.write('ready\n');
const deadline = Date.now() + 20_000; // never outlive a test run that forgot to kill us
for (let i = 0; Date.now() < deadline;) {
  const burst: Promise<void>[] = [];
  for (let j = 0; j < 50; j++, i++) {
    const n = i;
    burst.push(storage.appendUpdate('board', edit(n)).then(() => void process.stdout.write(`${n}\n`)));
  }
  await Promise.all(burst);
}
await storage.close();
