// The page's calls to its centre (same origin). A request that never got an answer is a NetworkError (the crew may
// be out of signal: the step is kept and sent later); an answer with an error status is an ApiError with the
// centre's message.
import type { Job, PhotoResponse, SessionResponse, StepBody, StepResponse, CrewStep } from './contract';

export class NetworkError extends Error {}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call<T>(path: string, init: RequestInit & { session?: string } = {}): Promise<T> {
  const headers = new Headers(init.headers);
  if (init.session) headers.set('authorization', `Bearer ${init.session}`);
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers, cache: 'no-store' });
  } catch (error) {
    throw new NetworkError(error instanceof Error ? error.message : String(error));
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    if (!res.ok) throw new ApiError(res.status, `${res.status} ${res.statusText}`);
    throw new NetworkError('the answer was cut off');
  }
  if (!res.ok) {
    const message = (body as { error?: unknown }).error;
    throw new ApiError(res.status, typeof message === 'string' ? message : `${res.status} ${res.statusText}`);
  }
  return body as T;
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

export const api = {
  openSession: (link: string) => call<SessionResponse>('/api/crew/session', json({ link })),
  job: (session: string) => call<Job>('/api/crew/job', { session }),
  uploadPhoto: (session: string, photo: Blob) =>
    call<PhotoResponse>('/api/crew/photos', {
      method: 'POST',
      session,
      headers: { 'content-type': photo.type },
      body: photo,
    }),
  step: (session: string, step: CrewStep, body: StepBody) =>
    call<StepResponse>(`/api/crew/${step}`, { ...json(body), session }),
};
