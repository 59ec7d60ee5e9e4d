// Keeps the live board small: copies archived orders into the centre's searchable SQL archive as soon as they are
// archived, and removes them from the live document once the retention window has passed.
import { archivedOrders, sweepArchived, parseDocName } from '@twinline/board';
import type { ArchivedRecord } from '@twinline/board';
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Rooms } from './rooms';

export class Janitor {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Orders already copied to the archive since this process started (a restart copies them once more: upsert). */
  private readonly copied = new Set<string>();

  constructor(
    private readonly rooms: Rooms,
    private readonly storage: CentreStorage,
    private readonly log: Logger,
    private readonly opts: { retentionMs: number; janitorEveryMs: number },
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.runOnce(), this.opts.janitorEveryMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over every document; concurrent calls share the pass in progress. */
  runOnce(now = new Date()): Promise<void> {
    this.running ??= this.pass(now).finally(() => (this.running = null));
    return this.running;
  }

  private async pass(now: Date): Promise<void> {
    for (const name of await this.storage.listDocs()) {
      if (!parseDocName(name)) continue;
      const room = await this.rooms.get(name);
      try {
        const archived = (await room.serial(() => archivedOrders(room.doc))).filter((r) => !this.copied.has(r.id));
        if (archived.length > 0) await this.storage.archiveOrders(archived.map(toArchiveRow));
        for (const r of archived) this.copied.add(r.id);
        let swept: ArchivedRecord[] = [];
        await room.serverChange((doc) => (swept = sweepArchived(doc, now, this.opts.retentionMs)));
        if (swept.length > 0) {
          await this.storage.archiveOrders(swept.map(toArchiveRow));
          for (const r of swept) this.copied.delete(r.id);
          this.log.info({ doc: name, removed: swept.length }, 'archived orders left the live board');
        }
      } catch (error) {
        this.log.error({ err: error, doc: name }, 'janitor pass failed');
      } finally {
        this.rooms.release(room);
      }
    }
  }
}

function toArchiveRow(r: ArchivedRecord) {
  const d = r.draft;
  return {
    id: r.id,
    city: r.city,
    archivedAt: r.archivedAt,
    summary: [r.id, d.address, d.callerNumber, d.callerName ?? '', d.customerAccount ?? '', d.description].join(' '),
    json: JSON.stringify(r),
  };
}
