// Loads documents when a socket (or the twin) needs them and unloads them when nobody has them open, so memory stays
// flat over a long shift.
import type { CentreStorage } from './storage';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { Room } from './room';
import type { UpdateListener } from './room';

export class Rooms {
  private readonly rooms = new Map<string, Promise<Room>>();

  constructor(
    private readonly storage: CentreStorage,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly opts: { awarenessFlushMs: number; unloadAfterMs: number },
    private readonly onUpdate: UpdateListener,
  ) {}

  /** The loaded room for `name`, loading it from SQLite on first use. */
  get(name: string): Promise<Room> {
    let room = this.rooms.get(name);
    if (!room) {
      const entry: Promise<Room> = (async () => {
        const r = new Room(name, this.storage, this.metrics, this.log, this.opts.awarenessFlushMs, this.onUpdate, () =>
          this.forget(name, entry, r),
        );
        await r.load();
        this.metrics.documentsLoaded.set(this.rooms.size);
        this.log.debug({ doc: name }, 'document loaded');
        return r;
      })();
      room = entry;
      this.rooms.set(name, room);
      room.catch(() => this.rooms.delete(name));
    }
    return room;
  }

  /** The room if it is in memory now, without loading it. */
  async peek(name: string): Promise<Room | undefined> {
    return this.rooms.get(name);
  }

  /** A broken room (Room.serverChange): the next get loads the document afresh; this one goes once its queue has. */
  private forget(name: string, entry: Promise<Room>, room: Room): void {
    if (this.rooms.get(name) === entry) this.rooms.delete(name);
    this.metrics.documentsLoaded.set(this.rooms.size);
    void room.destroy();
  }

  loadedNames(): string[] {
    return [...this.rooms.keys()];
  }

  /** Called when a socket leaves: an idle room is compacted and unloaded after a grace period. */
  release(room: Room): void {
    if (!room.idle || room.unloadTimer) return;
    room.unloadTimer = setTimeout(() => void this.unload(room), this.opts.unloadAfterMs);
  }

  private async unload(room: Room): Promise<void> {
    room.unloadTimer = null;
    if (!room.idle || (await this.rooms.get(room.name)) !== room) return;
    this.rooms.delete(room.name);
    this.metrics.documentsLoaded.set(this.rooms.size);
    await room.destroy();
  }

  async closeAll(): Promise<void> {
    const all = await Promise.all(this.rooms.values());
    this.rooms.clear();
    this.metrics.documentsLoaded.set(0);
    await Promise.all(all.map((r) => r.destroy()));
  }
}
