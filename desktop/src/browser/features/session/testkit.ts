// Test fixtures for calls to the centres: two centres and a fetch that answers by host.

export const CENTRES = [
  { name: 'fuzhou', url: 'ws://fz', http: 'http://fz' },
  { name: 'xiamen', url: 'ws://xm', http: 'http://xm' },
];

/** A fetch that answers by host; a host without an answer cannot be reached. `calls` lists the hosts asked. */
export function fakeFetch(answers: Record<string, () => Response | Promise<Response>>) {
  const calls: string[] = [];
  const f = (async (url: string | URL) => {
    const host = new URL(String(url)).host;
    calls.push(host);
    const answer = answers[host];
    if (!answer) throw new TypeError('Failed to fetch');
    return answer();
  }) as typeof fetch;
  return { f, calls };
}

export const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
