/** One Server-Sent Event as a browser's EventSource would dispatch it. */
export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/** The `data` of a change event, parsed. */
export interface ChangeEventData {
  seq: number;
  id: string;
  op: 'put' | 'delete';
  snek?: { id: string; name: string; type: string; content: string };
  at: string;
  by: { kind: 'person' | 'token'; name: string } | null;
}

export interface EventStream {
  status: number;
  headers: Headers;
  /** Everything received so far, as sent. */
  raw(): string;
  events: StreamEvent[];
  comments: string[];
  retry: number | undefined;
  /** The change events so far, parsed. */
  changes(): ChangeEventData[];
  /** Resolves once `check()` holds, checked after each chunk; rejects when the stream ends first or after `ms`. */
  until(check: () => boolean, what: string, ms?: number): Promise<void>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

/** An SSE client over fetch, parsing as the EventSource spec says (fields, comments, blank-line dispatch). */
export async function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  let raw = '';
  let pending = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  let done = false;
  const checks = new Set<() => void>();
  const stream: EventStream = {
    status: response.status,
    headers: response.headers,
    raw: () => raw,
    events: [],
    comments: [],
    retry: undefined,
    changes: () => stream.events.filter((event) => event.event === 'change').map((event) => JSON.parse(event.data) as ChangeEventData),
    until: (check, what, ms = 15_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no ${what} within ${ms} ms; received:\n${raw.slice(-2000)}`)), ms);
        const finish = (error?: Error) => {
          clearTimeout(timer);
          checks.delete(test);
          if (error) reject(error);
          else resolve();
        };
        const test = () => {
          if (check()) finish();
          else if (done) finish(new Error(`the stream ended before ${what}; received:\n${raw.slice(-2000)}`));
        };
        checks.add(test);
        test();
      }),
    ended: Promise.resolve(),
    close: () => abort.abort(),
  };
  const line = (text: string) => {
    if (text === '') {
      if (current.data.length) stream.events.push({ id: current.id, event: current.event ?? 'message', data: current.data.join('\n') });
      current = { data: [] };
      return;
    }
    if (text.startsWith(':')) return void stream.comments.push(text.slice(1).trim());
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    const value = colon === -1 ? '' : text.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') current.data.push(value);
    else if (field === 'id') current.id = value;
    else if (field === 'event') current.event = value;
    else if (field === 'retry') stream.retry = Number(value);
  };
  stream.ended = (async () => {
    if (!response.body) return;
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        raw += text;
        pending += text;
        const lines = pending.split(/\r\n|\r|\n/);
        pending = lines.pop()!;
        lines.forEach(line);
        for (const check of [...checks]) check();
      }
    } catch {
      // Aborted by close(), or the connection cut: either way the stream is over.
    } finally {
      done = true;
      for (const check of [...checks]) check();
    }
  })();
  return stream;
}

/** Polls `check` until it holds; false after `ms`. For state that no stream reports (another process's answers). */
export async function pollUntil(check: () => Promise<boolean>, ms: number, everyMs = 20): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return check();
}
