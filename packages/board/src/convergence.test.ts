// Property: replicas that exchange their updates in any order, with duplicates, end with the same board, every
// folded order is one the machine can reach, and nothing anyone typed is lost. A fourth document plays the centre:
// it receives each update as it is made and must let every one of them through the guard in live mode.
import * as Y from 'yjs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ACTIONS,
  PRIORITIES,
  SATISFACTION,
  WorkOrderError,
  allowedActions,
  applyEvent,
  createOrder as machineCreate,
} from '@twinline/workorder';
import type { Action, Actor, OrderDraft } from '@twinline/workorder';
import { act, comment, createOrder, editDraft, readOrder, snapshot } from './board';
import { checkUpdate } from './guard';
import type { Principal } from './access';
import { draftFor } from './testkit';
import * as prng from 'lib0/prng';

const STATIONS = ['st-fuzhou-gulou', 'st-fuzhou-taijiang'];
const ACTORS: Actor[] = [
  { userId: 'agent-fz', role: 'agent', centre: 'fuzhou' },
  { userId: 'agent-xm', role: 'agent', centre: 'xiamen' },
  { userId: 'lead', role: 'team_lead', centre: 'fuzhou' },
  { userId: 'admin', role: 'admin', centre: 'xiamen' },
  { userId: 'disp-1', role: 'dispatcher', centre: 'fuzhou', stationId: STATIONS[0] },
  { userId: 'disp-2', role: 'dispatcher', centre: 'fuzhou', stationId: STATIONS[0] },
  { userId: 'disp-3', role: 'dispatcher', centre: 'xiamen', stationId: STATIONS[1] },
];
const STEPS = ACTIONS.filter((a) => a !== 'create');
const FORWARD: Action[] = ['dispatch', 'take', 'assign', 'arrive', 'handle', 'reply', 'callback', 'archive', 'reopen'];
const DOC = 'region/fuzhou';
const T0 = Date.parse('2026-11-23T00:00:00Z');

type Cmd =
  | { kind: 'create'; r: number; actor: number }
  | {
      kind: 'act';
      r: number;
      order: number;
      actor: number;
      legal: boolean;
      pick: number;
      station: number;
      crew: number;
      master: number;
    }
  | { kind: 'comment'; r: number; order: number; actor: number }
  | { kind: 'edit'; r: number; order: number; actor: number; field: number; value: number }
  | { kind: 'deliver'; from: number; to: number; pick: number };

const r = fc.nat({ max: 2 });
const actor = fc.nat({ max: ACTORS.length - 1 });
const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), r, actor }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('act' as const),
      r,
      order: fc.nat({ max: 3 }),
      actor,
      legal: fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
      pick: fc.nat(),
      station: fc.nat({ max: 1 }),
      crew: fc.nat({ max: 3 }),
      master: fc.nat(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('comment' as const), r, order: fc.nat({ max: 3 }), actor }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('edit' as const),
      r,
      order: fc.nat({ max: 3 }),
      actor,
      field: fc.nat({ max: 4 }),
      value: fc.nat({ max: 5 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), from: r, to: r, pick: fc.nat() }) },
);

function edit(field: number, v: number): Partial<OrderDraft> {
  switch (field) {
    case 0:
      return { address: `鼓楼区五四路 ${v} 号` };
    case 1:
      return { priority: PRIORITIES[v % PRIORITIES.length] };
    case 2:
      return { callerName: `客户${v}` };
    case 3:
      return { description: `情况 ${v}` };
    default:
      return { region: { city: 'fuzhou', county: ['gulou', 'taijiang', 'cangshan'][v % 3]!, areaClass: 'urban' } };
  }
}

/** A seeded random source (lib0's PRNG), so runs are repeatable. */
const mulberry32 = (seed: number): (() => number) => {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
};

function run(cmds: Cmd[], seed: number): void {
  const replicas = [1, 2, 3].map((id) => {
    const d = new Y.Doc();
    d.clientID = id;
    return d;
  });
  const centre = new Y.Doc();
  centre.clientID = 99;
  let clock = 0;
  const now = () => new Date(T0 + ++clock * 60_000);
  let orderCount = 0;

  // A shared starting set, made on the first replica and copied to the others (and the centre).
  const [r0] = replicas as [Y.Doc, Y.Doc, Y.Doc];
  const a0 = ACTORS[0]!;
  for (let i = 0; i < 4; i++)
    createOrder(r0, draftFor('fuzhou', `初始 ${i}`), a0, { id: `o-${orderCount++}`, now: now() });
  act(r0, 'o-1', { action: 'dispatch', stationId: STATIONS[0] }, a0, now());
  act(r0, 'o-2', { action: 'dispatch', stationId: STATIONS[0] }, a0, now());
  act(r0, 'o-2', { action: 'take' }, ACTORS[4]!, now());
  act(r0, 'o-3', { action: 'dispatch', stationId: STATIONS[1] }, a0, now());
  act(r0, 'o-3', { action: 'take' }, ACTORS[6]!, now());
  act(r0, 'o-3', { action: 'assign', crewId: 'crew-0' }, ACTORS[6]!, now());
  act(r0, 'o-3', { action: 'arrive' }, ACTORS[6]!, now());
  act(r0, 'o-3', { action: 'handle', note: '已修复' }, ACTORS[6]!, now());
  act(r0, 'o-3', { action: 'reply', note: '已回单' }, ACTORS[6]!, now());
  const initial = Y.encodeStateAsUpdate(r0);
  for (const d of [...replicas.slice(1), centre]) Y.applyUpdate(d, initial, 'remote');

  const outbox: Uint8Array[][] = [[], [], []];
  const createdEvents = new Set<string>();
  const createdComments = new Set<string>();

  /** Runs one local change on replica `ri`, as `by`; the centre checks the update in live mode and keeps it. */
  const local = (ri: number, by: Actor, fn: (doc: Y.Doc) => void) => {
    const doc = replicas[ri]!;
    const made: Uint8Array[] = [];
    const on = (u: Uint8Array, origin: unknown) => origin !== 'remote' && made.push(u);
    doc.on('update', on);
    try {
      fn(doc);
    } catch (error) {
      if (!(error instanceof WorkOrderError)) throw error; // refused steps throw, and write nothing
    } finally {
      doc.off('update', on);
    }
    expect(made.length).toBeLessThanOrEqual(1); // each change is one transaction
    for (const u of made) {
      const principal = {
        ...by,
        role: by.role as Principal['role'],
        city: by.role === 'dispatcher' ? 'fuzhou' : undefined,
      };
      expect(checkUpdate(centre, u, principal, DOC, 'live')).toEqual({ ok: true });
      Y.applyUpdate(centre, u, 'remote');
      outbox[ri]!.push(u);
    }
  };

  const orderAt = (doc: Y.Doc, n: number) => {
    const ids = snapshot(doc).map((o) => o.order.id);
    return ids[n % ids.length]!;
  };

  for (const c of cmds) {
    if (c.kind === 'deliver') {
      const box = outbox[c.from]!;
      if (c.from !== c.to && box.length > 0) Y.applyUpdate(replicas[c.to]!, box[c.pick % box.length]!, 'remote');
      continue;
    }
    const doc = replicas[c.r]!;
    const by = ACTORS[c.actor]!;
    if (c.kind === 'create') {
      const id = `o-${orderCount}`;
      local(c.r, by, (d) => createOrder(d, draftFor('fuzhou', `新单 ${id}`), by, { id, now: now() }));
      const made = readOrder(doc, id);
      if (made) {
        orderCount++;
        createdEvents.add(made.order.history[0]!.id);
      }
    } else if (c.kind === 'act') {
      const id = orderAt(doc, c.order);
      const order = readOrder(doc, id)!.order;
      let actBy = ACTORS[c.actor]!;
      let action: Action = STEPS[c.pick % STEPS.length]!; // most likely refused
      if (c.legal) {
        // Push the order along the loop: the first actor (from c.actor on) who can take a forward step takes it;
        // every fourth time any allowed step instead (urge, escalate, merge, send_back...).
        for (let k = 0; k < ACTORS.length; k++) {
          const candidate = ACTORS[(c.actor + k) % ACTORS.length]!;
          const allowed = allowedActions(order, candidate);
          const forward = FORWARD.filter((a) => allowed.includes(a));
          const options = c.pick % 4 === 0 ? allowed : forward;
          if (options.length > 0) {
            actBy = candidate;
            action = options[c.pick % options.length]!;
            break;
          }
        }
      }
      const ids = snapshot(doc).map((o) => o.order.id);
      local(c.r, actBy, (d) =>
        createdEvents.add(
          act(
            d,
            id,
            {
              action,
              stationId: STATIONS[c.station],
              crewId: `crew-${c.crew}`,
              masterId: ids[c.master % ids.length],
              reason: '原因',
              note: '处理说明',
              satisfaction: SATISFACTION[c.pick % SATISFACTION.length],
            },
            actBy,
            now(),
          ).id,
        ),
      );
    } else if (c.kind === 'comment') {
      const id = orderAt(doc, c.order);
      local(c.r, by, (d) => createdComments.add(comment(d, id, `备注 ${clock}`, by, now()).id));
    } else {
      const id = orderAt(doc, c.order);
      local(c.r, by, (d) => editDraft(d, id, edit(c.field, c.value), by));
    }
  }

  // Full delivery: every replica gets every other replica's updates, shuffled, with duplicates.
  const random = mulberry32(seed);
  for (let to = 0; to < 3; to++) {
    const pending = outbox.flatMap((box, from) => (from === to ? [] : box));
    const withDupes = [...pending, ...pending.filter(() => random() < 0.3)];
    for (let i = withDupes.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [withDupes[i], withDupes[j]] = [withDupes[j]!, withDupes[i]!];
    }
    for (const u of withDupes) Y.applyUpdate(replicas[to]!, u, 'remote');
  }

  const boards = [...replicas, centre].map((d) => snapshot(d));
  for (const b of boards.slice(1)) expect(b).toEqual(boards[0]);
  const vectors = [...replicas, centre].map((d) => Y.encodeStateVector(d));
  for (const v of vectors.slice(1)) expect(v).toEqual(vectors[0]);
  expect(boards[0]!.length).toBe(orderCount);

  const seenEvents = new Set<string>();
  const seenComments = new Set<string>();
  for (const { order, superseded, comments } of boards[0]!) {
    // The folded state is reachable: its applied history replays through the machine without a refusal.
    const [first, ...rest] = order.history;
    let replay = machineCreate(order.id, order.draft, first!);
    for (const e of rest) replay = applyEvent(replay, e);
    expect(replay).toEqual(order);
    for (const e of [...order.history, ...superseded.map((s) => s.event)]) seenEvents.add(e.id);
    for (const cm of comments) seenComments.add(cm.id);
  }
  for (const id of createdEvents) expect(seenEvents.has(id), `event ${id} lost`).toBe(true);
  for (const id of createdComments) expect(seenComments.has(id), `comment ${id} lost`).toBe(true);
}

describe('convergence of the board under concurrent edits', () => {
  it('three replicas end identical and lose nothing, whatever the delivery order', () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 10, maxLength: 80, size: 'max' }), fc.nat(), (cmds, seed) =>
        run(cmds, seed),
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
