// The crew's page: opens the single-use link from the URL fragment, shows the job, and walks the crew through
// accept → arrive (location and a photo taken on site) → result (note and photos) → reply. The crew ticks who of its
// members is on the job (on-duty members to start with); every step carries them. Without signal a step is kept on
// the phone (IndexedDB, with its photos and members) and sent when the network is back, marked as made offline.
// What the centre made of each step (its flags) is shown as the centre said it.
import { ApiError, NetworkError, api } from './api';
import type { CrewLocation, CrewStep, Job, JobMember, JobStepRecord, StepBody, StepResponse } from './contract';
import { PHOTOS_PER_STEP } from './limits';
import { outbox } from './outbox';
import type { OutboxEntry } from './outbox';
import { prepare } from './photo';

interface Session {
  link: string;
  session: string;
  expiresAt: string;
  orderId: string;
}

const SESSION_KEY = 'twinline.crew.session';
const JOB_KEY = 'twinline.crew.job';
const MEMBERS_KEY = 'twinline.crew.members';

const STEP_AFTER: Record<CrewStep, CrewStep | null> = {
  accept: 'arrive',
  arrive: 'handle',
  handle: 'reply',
  reply: null,
};
const STEP_WORDS: Record<CrewStep, [string, string]> = {
  accept: ['接单', 'Accepted'],
  arrive: ['到达现场', 'Arrived'],
  handle: ['处理完成', 'Handled'],
  reply: ['回单', 'Replied'],
};
const STATE_WORDS: Record<string, [string, string]> = {
  assigned: ['已派工', 'assigned'],
  on_site: ['已到达现场', 'on site'],
  handled: ['已处理', 'handled'],
  replied: ['已回单', 'replied'],
  called_back: ['已回访', 'called back'],
  archived: ['已归档', 'archived'],
};
const TYPE_WORDS: Record<string, [string, string]> = {
  repair: ['故障报修', 'repair'],
  complaint: ['投诉', 'complaint'],
  consultation: ['咨询', 'consultation'],
  inquiry: ['查询', 'inquiry'],
  report: ['举报', 'report'],
  suggestion: ['建议', 'suggestion'],
  gov12345: ['12345 转办', '12345 hotline'],
  outage: ['停电', 'outage'],
};
const PRIORITY_WORDS: Record<string, [string, string]> = {
  normal: ['一般', 'normal'],
  urgent: ['紧急', 'urgent'],
  critical: ['特急', 'critical'],
};
const DEADLINE_WORDS: Record<string, [string, string]> = {
  on_site: ['到达时限', 'be on site by'],
  handle: ['处理时限', 'handled by'],
  reply: ['回单时限', 'replied by'],
  callback: ['回访时限', 'called back by'],
};

// ---- state ----------------------------------------------------------------------------------------------------------

let session: Session | null = null;
let job: Job | null = null;
let pending: OutboxEntry[] = [];
let message: { kind: 'error' | 'info' | 'ok'; text: string } | null = null;
let busy: string | null = null;
let photos: { blob: Blob; url: string }[] = [];
let note = '';
let flushing = false;
/** Who the crew ticked as on the job, for which order (null: not ticked yet, the default applies). */
let chosen: { orderId: string; ids: string[] } | null = null;

// ---- DOM helpers ----------------------------------------------------------------------------------------------------

type Child = Node | string | null | undefined | false;

function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k, v);
    else if (v === true) el.setAttribute(k, '');
    else if (v !== false) el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/** Chinese first, English beside it. */
const bi = ([zh, en]: [string, string]) => h('span', { class: 'bi' }, zh, ' ', h('small', {}, en));
const words = (map: Record<string, [string, string]>, key: string) => bi(map[key] ?? [key, key]);
/** Times as the hotline counts them: China time, whatever zone the phone is set to. */
const CLOCK = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const time = (iso: string) => CLOCK.format(new Date(iso));

// ---- session and job ------------------------------------------------------------------------------------------------

function saveSession(s: Session | null): void {
  session = s;
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
}

function saveJob(j: Job | null): void {
  job = j;
  if (j) sessionStorage.setItem(JOB_KEY, JSON.stringify(j));
  else sessionStorage.removeItem(JOB_KEY);
}

function restore<T>(key: string): T | null {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

// ---- who is on the job ----------------------------------------------------------------------------------------------

/** The crew's members from the roster (a job kept by an older page has none). */
const membersOf = (j: Job): JobMember[] => j.members ?? [];

/** To start with: those on the crew's latest report, or else the members on duty. */
function defaultMembers(j: Job): string[] {
  for (let i = j.steps.length - 1; i >= 0; i--) {
    const last = j.steps[i]!.evidence?.members;
    if (last && last.length > 0) return last;
  }
  return membersOf(j)
    .filter((m) => m.onDuty)
    .map((m) => m.id);
}

/** The members on the job now, in the roster's order (ids the roster no longer has are left out). */
function onJob(j: Job): string[] {
  const ids = new Set(chosen?.orderId === j.orderId ? chosen.ids : defaultMembers(j));
  return membersOf(j)
    .map((m) => m.id)
    .filter((id) => ids.has(id));
}

function choose(j: Job, id: string, on: boolean): void {
  const ids = new Set(onJob(j));
  if (on) ids.add(id);
  else ids.delete(id);
  chosen = { orderId: j.orderId, ids: [...ids] };
  sessionStorage.setItem(MEMBERS_KEY, JSON.stringify(chosen));
  if (message?.kind === 'error' && ids.size > 0) message = null;
  render();
}

/** "林志强、陈建华": the members' names (an id the roster does not have is shown as it is). */
function names(j: Job, ids: readonly string[]): string {
  return ids.map((id) => membersOf(j).find((m) => m.id === id)?.name ?? id).join('、');
}

async function refreshJob(): Promise<void> {
  if (!session) return;
  try {
    saveJob(await api.job(session.session));
  } catch (error) {
    if (error instanceof NetworkError) return; // keep the job we have: it is shown as it was
    if (error instanceof ApiError && (error.status === 401 || error.status === 410 || error.status === 409)) {
      saveSession(null);
      saveJob(null);
    }
    message = { kind: 'error', text: (error as Error).message };
  }
}

async function boot(): Promise<void> {
  const link = decodeURIComponent(location.hash.slice(1));
  if (link) history.replaceState(null, '', location.pathname + location.search); // the token leaves the address bar
  const stored = restore<Session>(SESSION_KEY);
  job = restore<Job>(JOB_KEY);
  chosen = restore<{ orderId: string; ids: string[] }>(MEMBERS_KEY);
  if (stored && (!link || link === stored.link) && Date.parse(stored.expiresAt) > Date.now()) {
    session = stored;
  } else if (link) {
    saveJob(null);
    busy = '正在打开派工链接… / opening the link…';
    render();
    try {
      const s = await api.openSession(link);
      saveSession({ link, session: s.session, expiresAt: s.expiresAt, orderId: s.orderId });
    } catch (error) {
      saveSession(null);
      message = {
        kind: 'error',
        text:
          error instanceof NetworkError
            ? '无法连接中心，请有信号时再打开链接 / cannot reach the centre: open the link again when you have signal'
            : (error as Error).message,
      };
    }
    busy = null;
  } else if (!stored) {
    message = {
      kind: 'info',
      text: '请从调度发来的短信链接打开本页 / open this page from the link the dispatcher sent you',
    };
  }
  await refreshJob();
  await loadPending();
  render();
  void flush();
}

async function loadPending(): Promise<void> {
  try {
    const all = await outbox.all();
    pending = session ? all.filter((e) => e.orderId === session!.orderId) : all;
  } catch {
    pending = [];
  }
}

/** The step the crew takes next: the centre's answer, moved on by the steps waiting on this phone. */
function nextStep(): CrewStep | null {
  let next = job?.next ?? null;
  for (const e of pending) if (e.step === next) next = STEP_AFTER[next];
  return next;
}

// ---- steps ----------------------------------------------------------------------------------------------------------

function locate(): Promise<CrewLocation | undefined> {
  if (!('geolocation' in navigator)) return Promise.resolve(undefined);
  return new Promise((resolve) =>
    navigator.geolocation.getCurrentPosition(
      (p) =>
        resolve({
          lat: p.coords.latitude,
          lng: p.coords.longitude,
          accuracyM: Math.round(Math.max(0, p.coords.accuracy)),
        }),
      () => resolve(undefined),
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    ),
  );
}

/** Uploads the entry's remaining photos, then sends the step. Throws NetworkError / ApiError. */
async function send(entry: OutboxEntry): Promise<StepResponse> {
  while (entry.photos.length > 0) {
    const uploaded = await api.uploadPhoto(entry.session, entry.photos[0]!);
    entry.photoIds.push(uploaded.id);
    entry.photos.shift();
    if (entry.key !== undefined) await outbox.put(entry);
  }
  const body: StepBody = {
    deviceAt: entry.deviceAt,
    offline: entry.offline,
    ...(entry.location ? { location: entry.location } : {}),
    ...(entry.step === 'arrive' || entry.step === 'handle' ? { photoIds: entry.photoIds } : {}),
    ...(entry.note !== undefined ? { note: entry.note } : {}),
    ...(entry.members && entry.members.length > 0 ? { members: entry.members } : {}),
  } as StepBody;
  return api.step(entry.session, entry.step, body);
}

function remember(result: StepResponse, entry: OutboxEntry): void {
  if (!job) return;
  const record: JobStepRecord = {
    action: result.event.action,
    at: result.event.at,
    ...(entry.note ? { note: entry.note } : {}),
    evidence: result.evidence,
  };
  saveJob({ ...job, state: result.state, steps: [...job.steps, record], next: STEP_AFTER[result.event.action] });
}

async function submit(step: CrewStep): Promise<void> {
  if (!session || !job || busy) return;
  const members = onJob(job);
  if (membersOf(job).length > 0 && members.length === 0) {
    message = {
      kind: 'error',
      text: '请至少勾选一名本次出工人员 / tick at least one member who is on this job',
    };
    return render();
  }
  if (step === 'arrive' && photos.length === 0) {
    message = { kind: 'error', text: '到达现场需要一张现场照片 / arrival needs a photo taken on site' };
    return render();
  }
  if ((step === 'handle' || step === 'reply') && !note.trim()) {
    message = { kind: 'error', text: '请填写处理情况 / write what was done' };
    return render();
  }
  message = null;
  busy = step === 'arrive' || step === 'handle' ? '正在定位… / getting your location…' : '正在发送… / sending…';
  render();
  const location = step === 'arrive' || step === 'handle' ? await locate() : undefined;
  const entry: OutboxEntry = {
    session: session.session,
    orderId: session.orderId,
    step,
    deviceAt: new Date().toISOString(),
    ...(location ? { location } : {}),
    ...(step === 'handle' || step === 'reply' ? { note: note.trim() } : {}),
    ...(members.length > 0 ? { members } : {}),
    photos: photos.map((p) => p.blob),
    photoIds: [],
    offline: !navigator.onLine,
  };
  busy = '正在发送… / sending…';
  render();
  let kept = entry.offline;
  if (!kept) {
    try {
      const result = await send(entry);
      remember(result, entry);
      clearDraft();
      await refreshJob();
      const flags = result.evidence.flags.length;
      message =
        flags === 0
          ? { kind: 'ok', text: `${STEP_WORDS[step][0]}已记录 / ${STEP_WORDS[step][1]}: recorded` }
          : {
              kind: 'info',
              text: `${STEP_WORDS[step][0]}已记录，中心标记了 ${flags} 项疑点（见上）/ recorded; the centre flagged ${flags} thing(s), see above`,
            };
    } catch (error) {
      if (error instanceof NetworkError) kept = true;
      else {
        message = { kind: 'error', text: (error as Error).message };
        if (error instanceof ApiError && error.status === 409) await refreshJob();
      }
    }
  }
  if (kept) {
    entry.offline = true;
    try {
      entry.key = await outbox.add(entry);
      pending.push(entry);
      clearDraft();
      message = { kind: 'info', text: '已离线记录，待上传 / recorded offline, waiting to send' };
    } catch (error) {
      message = { kind: 'error', text: `无法保存离线记录 / could not keep the record: ${(error as Error).message}` };
    }
  }
  busy = null;
  render();
}

/** Sends the steps kept on this phone, oldest first; stops at the first that cannot reach the centre. */
async function flush(): Promise<void> {
  if (flushing || !navigator.onLine) return;
  flushing = true;
  let sent = 0;
  try {
    for (const entry of await outbox.all()) {
      try {
        const result = await send(entry);
        await outbox.remove(entry.key!);
        if (entry.orderId === session?.orderId) remember(result, entry);
        sent++;
      } catch (error) {
        if (error instanceof NetworkError || (error instanceof ApiError && error.status >= 500)) break;
        // The centre refused it (the order moved on, the link expired): it will never be taken; say so and drop it.
        await outbox.remove(entry.key!);
        if (entry.orderId === session?.orderId) await refreshJob();
        // A step whose answer was lost on the way back is already on the order: nothing to say.
        if (job?.orderId === entry.orderId && job.steps.some((s) => s.action === entry.step)) continue;
        message = {
          kind: 'error',
          text: `离线记录（${STEP_WORDS[entry.step][0]}）未被中心接受 / the offline ${entry.step} was refused: ${(error as Error).message}`,
        };
      }
    }
  } catch {
    // IndexedDB unavailable: nothing was kept, nothing to send
  } finally {
    flushing = false;
  }
  if (sent > 0) {
    await refreshJob();
    if (message?.kind !== 'error')
      message = { kind: 'ok', text: `离线记录已发送 ${sent} 条 / ${sent} offline record(s) sent` };
  }
  await loadPending();
  render();
}

function clearDraft(): void {
  for (const p of photos) URL.revokeObjectURL(p.url);
  photos = [];
  note = '';
}

async function addPhoto(input: HTMLInputElement): Promise<void> {
  const file = input.files?.[0];
  if (!file) return;
  if (photos.length >= PHOTOS_PER_STEP) {
    message = { kind: 'error', text: `最多 ${PHOTOS_PER_STEP} 张 / at most ${PHOTOS_PER_STEP} photos` };
    return render();
  }
  try {
    const blob = await prepare(file);
    photos.push({ blob, url: URL.createObjectURL(blob) });
    message = null;
  } catch (error) {
    message = { kind: 'error', text: `无法读取照片 / cannot read this photo: ${(error as Error).message}` };
  }
  render();
}

// ---- view -----------------------------------------------------------------------------------------------------------

/** "距地址 44 米 / 44 m from the address". */
function distance(m: number): string {
  const [zh, en] =
    m < 1000
      ? [`${Math.round(m)} 米`, `${Math.round(m)} m`]
      : [`${(m / 1000).toFixed(1)} 公里`, `${(m / 1000).toFixed(1)} km`];
  return `距地址 ${zh} / ${en} from the address`;
}

function flagList(r: JobStepRecord | StepResponse): HTMLElement | null {
  const flags = r.evidence?.flags ?? [];
  if (flags.length === 0) return null;
  return h(
    'ul',
    { class: 'flags' },
    ...flags.map((f) => h('li', { 'data-testid': 'flag', 'data-code': f.code }, '⚠ ', f.detail)),
  );
}

function jobCard(j: Job): HTMLElement {
  return h(
    'section',
    { class: 'card', 'data-testid': 'job' },
    h(
      'div',
      { class: 'tags' },
      h('span', { class: 'tag' }, words(TYPE_WORDS, j.type)),
      h('span', { class: `tag prio-${j.priority}` }, words(PRIORITY_WORDS, j.priority)),
      h('span', { class: 'tag state', 'data-testid': 'job-state', 'data-state': j.state }, words(STATE_WORDS, j.state)),
    ),
    h('p', { class: 'address', 'data-testid': 'job-address' }, j.address),
    h('p', { class: 'description' }, j.description),
    h(
      'p',
      { class: 'caller' },
      j.callerName ? `${j.callerName} ` : '',
      h('a', { href: `tel:${j.callerNumber}`, class: 'tel' }, `拨打 ${j.callerNumber}`),
    ),
    h('p', { class: 'meta' }, `${j.orderId} · ${j.crewName ?? j.crewId} · 派工 ${time(j.assignedAt)}`),
    j.deadlines.length > 0 &&
      h(
        'ul',
        { class: 'deadlines' },
        ...j.deadlines.map((d) =>
          h('li', { class: `sla-${d.level}` }, words(DEADLINE_WORDS, d.kind), ' ', h('b', {}, time(d.due))),
        ),
      ),
    j.paused && h('p', { class: 'notice' }, `⏸ 已暂停 / paused: ${j.paused.reason}`),
    j.notes.length > 0 &&
      h(
        'div',
        { class: 'notes', 'data-testid': 'job-notes' },
        h('h2', {}, bi(['调度留言', 'From the dispatcher'])),
        h('ul', {}, ...j.notes.map((n) => h('li', {}, h('b', {}, `${time(n.at)} `), n.text))),
      ),
  );
}

function stepsDone(j: Job): HTMLElement | null {
  if (j.steps.length === 0 && pending.length === 0) return null;
  return h(
    'section',
    { class: 'card', 'data-testid': 'steps' },
    h('h2', {}, bi(['进度', 'Progress'])),
    h(
      'ol',
      { class: 'steps' },
      ...j.steps.map((s) =>
        h(
          'li',
          { 'data-testid': `step-${s.action}` },
          h('b', {}, bi(STEP_WORDS[s.action])),
          ` ${time(s.at)}`,
          s.evidence?.offline ? ' · 离线记录 / made offline' : '',
          s.evidence?.distanceM !== undefined ? ` · ${distance(s.evidence.distanceM)}` : '',
          s.evidence?.members?.length
            ? h(
                'div',
                { class: 'who', 'data-testid': 'step-members' },
                `人员 / on the job: ${names(j, s.evidence.members)}`,
              )
            : null,
          s.note ? h('div', { class: 'note' }, s.note) : null,
          flagList(s),
        ),
      ),
      ...pending.map((e) =>
        h(
          'li',
          { class: 'pending', 'data-testid': 'pending' },
          h('b', {}, bi(STEP_WORDS[e.step])),
          ` ${time(e.deviceAt)} · 已离线记录，待上传 / recorded offline, waiting to send`,
          e.members?.length ? h('div', { class: 'who' }, `人员 / on the job: ${names(j, e.members)}`) : null,
        ),
      ),
    ),
  );
}

/** The checklist of who is on the job: ticked before accepting, sent with every report, changed when people do. */
function membersCard(j: Job): HTMLElement | null {
  const all = membersOf(j);
  if (all.length === 0 || nextStep() === null) return null;
  const ticked = new Set(onJob(j));
  return h(
    'section',
    { class: 'card members', 'data-testid': 'members' },
    h('h2', {}, bi(['本次出工人员', 'On this job'])),
    h(
      'p',
      { class: 'hint' },
      '勾选本次出工的人员（至少一人），每次上报都会带上 / tick who is on this job (at least one): it goes with every report',
    ),
    ...all.map((m) => {
      const box = h('input', {
        type: 'checkbox',
        'data-testid': `member-${m.id}`,
        change: (e) => choose(j, m.id, (e.target as HTMLInputElement).checked),
      });
      box.checked = ticked.has(m.id);
      return h(
        'label',
        { class: 'member' },
        box,
        h('span', {}, m.name),
        !m.onDuty && h('small', { class: 'off-duty' }, '不在岗 / off duty'),
      );
    }),
    ticked.size === 0 &&
      h(
        'p',
        { class: 'message error', 'data-testid': 'members-none', role: 'alert' },
        '请至少勾选一名出工人员才能上报 / tick at least one member before reporting',
      ),
  );
}

function photoPicker(): HTMLElement {
  const input = h('input', {
    type: 'file',
    accept: 'image/*',
    capture: 'environment',
    'data-testid': 'photo-input',
    class: 'visually-hidden',
    id: 'photo-input',
    change: (e) => void addPhoto(e.target as HTMLInputElement),
  });
  return h(
    'div',
    { class: 'photos' },
    h('label', { for: 'photo-input', class: 'button secondary' }, bi(['拍照', 'Take a photo'])),
    input,
    h(
      'div',
      { class: 'previews' },
      ...photos.map((p, i) =>
        h(
          'figure',
          { 'data-testid': 'photo-preview' },
          h('img', { src: p.url, alt: `照片 ${i + 1}` }),
          h(
            'button',
            {
              type: 'button',
              class: 'remove',
              'aria-label': '删除 remove',
              click: () => {
                URL.revokeObjectURL(p.url);
                photos.splice(i, 1);
                render();
              },
            },
            '✕',
          ),
        ),
      ),
    ),
  );
}

function noteBox(step: CrewStep, placeholder: [string, string]): HTMLElement {
  const area = h('textarea', {
    rows: '4',
    maxlength: '2000',
    'data-testid': `${step}-note`,
    placeholder: `${placeholder[0]} / ${placeholder[1]}`,
    input: (e) => (note = (e.target as HTMLTextAreaElement).value),
  });
  area.value = note;
  return area;
}

function actionPanel(): HTMLElement {
  const next = nextStep();
  const disabled = busy !== null;
  const go = (step: CrewStep, label: [string, string]) =>
    h(
      'button',
      { type: 'button', class: 'button primary', 'data-testid': step, disabled, click: () => void submit(step) },
      bi(label),
    );
  switch (next) {
    case 'accept':
      return h('section', { class: 'card action', 'data-testid': 'action-accept' }, go('accept', ['接单', 'Accept']));
    case 'arrive':
      return h(
        'section',
        { class: 'card action', 'data-testid': 'action-arrive' },
        h('h2', {}, bi(['到达现场', 'Arrive on site'])),
        h('p', { class: 'hint' }, '请拍一张现场照片，并允许获取位置 / take a photo on site and allow your location'),
        photoPicker(),
        go('arrive', ['确认到达', 'I have arrived']),
      );
    case 'handle':
      return h(
        'section',
        { class: 'card action', 'data-testid': 'action-handle' },
        h('h2', {}, bi(['处理结果', 'Result'])),
        noteBox('handle', ['处理情况', 'what was done']),
        photoPicker(),
        go('handle', ['处理完成', 'Done']),
      );
    case 'reply':
      return h(
        'section',
        { class: 'card action', 'data-testid': 'action-reply' },
        h('h2', {}, bi(['回单', 'Reply to the centre'])),
        noteBox('reply', ['回单说明', 'your reply']),
        go('reply', ['提交回单', 'Send reply']),
      );
    default:
      return h(
        'section',
        { class: 'card done', 'data-testid': 'done' },
        pending.length > 0
          ? bi(['记录将在有信号时发送', 'your records will be sent when there is signal'])
          : bi(['本工单您的工作已完成，谢谢', 'your part of this job is done, thank you']),
      );
  }
}

/** The latest word for the crew, just above what it does next (where its eyes are). */
function messageLine(m: NonNullable<typeof message>): HTMLElement {
  return h(
    'p',
    { class: `message ${m.kind}`, 'data-testid': 'message', role: m.kind === 'error' ? 'alert' : 'status' },
    m.text,
  );
}

function render(): void {
  const app = document.getElementById('app')!;
  const online = navigator.onLine;
  const parts: Child[] = [
    h(
      'header',
      {},
      h('h1', {}, bi(['外勤工单', 'Crew job'])),
      h(
        'span',
        { class: `net ${online ? 'on' : 'off'}`, 'data-testid': 'net', 'data-online': String(online) },
        online ? '在线 online' : '离线 offline',
      ),
    ),
    busy ? h('p', { class: 'busy', 'data-testid': 'busy' }, busy) : null,
    !job && message ? messageLine(message) : null,
    job ? jobCard(job) : null,
    job ? stepsDone(job) : null,
    job && session ? membersCard(job) : null,
    job && message ? messageLine(message) : null,
    job && session ? actionPanel() : null,
    !job && pending.length > 0
      ? h(
          'p',
          { class: 'message info', 'data-testid': 'pending' },
          `${pending.length} 条离线记录待上传 / waiting to send`,
        )
      : null,
  ];
  app.replaceChildren(...parts.filter((p): p is Node | string => p !== null && p !== undefined && p !== false));
}

window.addEventListener('online', () => {
  render();
  void flush();
});
window.addEventListener('offline', () => render());
// Some phones miss the online event: look again now and then while something waits.
setInterval(() => {
  if (pending.length > 0) void flush();
}, 15_000);
window.addEventListener('hashchange', () => void boot());

void boot();
