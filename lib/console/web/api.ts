/**
 * The browser's side of the console API: JSON requests (changes carry the X-MQ-Console header the server demands)
 * and the live snapshot from /api/events (server-sent events; the browser reconnects by itself after a drop).
 * `useSnapshot` gives every view the latest ClusterSnapshot and whether the stream is connected; `useApi` loads a
 * JSON page and loads it again on each new snapshot (one request at a time per view).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { MqError } from '../../common/errors.js';
import type { ApiErrorBody, ClusterSnapshot } from '../api-types.js';

/** A request the console's server refused or could not carry out: its HTTP status and message. */
export class RequestError extends MqError {
  constructor(
    readonly status: number,
    message: string,
    readonly errorName: string | null,
  ) {
    super('MQ_ERR_CONSOLE_REQUEST', message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers:
      method === 'GET' ? { Accept: 'application/json' } : { 'Content-Type': 'application/json', 'X-MQ-Console': '1' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) {
    let error: ApiErrorBody = { error: text || res.statusText };
    try {
      error = JSON.parse(text) as ApiErrorBody;
    } catch {
      // Not JSON (a proxy's page): keep the text.
    }
    throw new RequestError(res.status, error.error, error.errorName ?? null);
  }
  return JSON.parse(text) as T;
}

export const getJson = <T>(path: string) => request<T>('GET', path);
export const sendJson = <T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown) =>
  request<T>(method, path, body);

/** `/api/topics/${enc(name)}`: path segments are encoded so that any topic or group name survives. */
export const enc = encodeURIComponent;

export interface Live {
  snapshot: ClusterSnapshot | null;
  connected: boolean;
}

export function useSnapshot(): Live {
  const [live, setLive] = useState<Live>({ snapshot: null, connected: false });
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.addEventListener('snapshot', (e) => {
      setLive({ snapshot: JSON.parse((e as MessageEvent<string>).data) as ClusterSnapshot, connected: true });
    });
    events.onerror = () => setLive((l) => ({ ...l, connected: false }));
    return () => events.close();
  }, []);
  return live;
}

export interface Loaded<T> {
  data: T | null;
  error: RequestError | null;
  /** Loads again now (after a change). */
  reload: () => void;
}

/**
 * Loads `path` (null: nothing to load), again whenever `tick` changes; keeps the last data while reloading. One request
 * at a time: a tick that comes while one is running is remembered and served when it ends, and the running one's
 * answer is still shown (a page that takes longer than the refresh interval, as while a broker is not answering,
 * keeps updating instead of being thrown away by every tick). An answer for a path no longer shown is dropped.
 */
export function useApi<T>(path: string | null, tick: unknown): Loaded<T> {
  const [state, setState] = useState<{ path: string | null; data: T | null; error: RequestError | null }>({
    path,
    data: null,
    error: null,
  });
  const [manual, setManual] = useState(0);
  const loader = useRef({ path, mounted: true, inFlight: false, again: false });
  useEffect(
    () => () => {
      loader.current.mounted = false;
    },
    [],
  );
  useEffect(() => {
    const l = loader.current;
    l.path = path;
    if (path === null) return;
    if (l.inFlight) {
      l.again = true;
      return;
    }
    const load = (asked: string) => {
      l.inFlight = true;
      l.again = false;
      const shown = () => l.mounted && l.path === asked;
      getJson<T>(asked)
        .then((data) => shown() && setState({ path: asked, data, error: null }))
        .catch((e: unknown) => {
          const error = e instanceof RequestError ? e : new RequestError(0, (e as Error).message, null);
          if (shown()) setState((s) => ({ path: asked, data: s.path === asked ? s.data : null, error }));
        })
        .finally(() => {
          l.inFlight = false;
          if (l.mounted && l.path !== null && (l.again || l.path !== asked)) load(l.path);
        });
    };
    load(path);
  }, [path, tick, manual]);
  const fresh = state.path === path;
  return { data: fresh ? state.data : null, error: fresh ? state.error : null, reload: () => setManual((n) => n + 1) };
}
