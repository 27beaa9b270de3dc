/**
 * Hash routes, so every view has an address that can be bookmarked, reloaded and opened in a new tab:
 *
 *   #/                          cluster          #/topics/T/P            partition P of T
 *   #/topics                    topics           #/topics/T/P/records    records of T-P
 *   #/topics/T                  one topic        #/groups, #/groups/G    consumer groups, one group
 *   #/reassignments             moves and elections in flight
 *
 * Names are URI-encoded in the hash. `useRoute` re-renders on navigation; `href` builds links.
 */
import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { view: 'cluster' }
  | { view: 'topics' }
  | { view: 'topic'; topic: string }
  | { view: 'partition'; topic: string; partition: number }
  | { view: 'records'; topic: string; partition: number }
  | { view: 'groups' }
  | { view: 'group'; group: string }
  | { view: 'reassignments' }
  | { view: 'not-found'; hash: string };

export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [a, b, c, d] = parts;
  const partition = c !== undefined && /^\d+$/.test(c) ? Number(c) : null;
  if (a === undefined || a === 'cluster') return { view: 'cluster' };
  if (a === 'topics' && b === undefined) return { view: 'topics' };
  if (a === 'topics' && b !== undefined && c === undefined) return { view: 'topic', topic: b };
  if (a === 'topics' && b !== undefined && partition !== null && d === undefined)
    return { view: 'partition', topic: b, partition };
  if (a === 'topics' && b !== undefined && partition !== null && d === 'records' && parts.length === 4)
    return { view: 'records', topic: b, partition };
  if (a === 'groups' && b === undefined) return { view: 'groups' };
  if (a === 'groups' && b !== undefined && c === undefined) return { view: 'group', group: b };
  if (a === 'reassignments' && b === undefined) return { view: 'reassignments' };
  return { view: 'not-found', hash };
}

export const href = {
  cluster: () => '#/',
  topics: () => '#/topics',
  topic: (t: string) => `#/topics/${encodeURIComponent(t)}`,
  partition: (t: string, p: number) => `#/topics/${encodeURIComponent(t)}/${p}`,
  records: (t: string, p: number) => `#/topics/${encodeURIComponent(t)}/${p}/records`,
  groups: () => '#/groups',
  group: (g: string) => `#/groups/${encodeURIComponent(g)}`,
  reassignments: () => '#/reassignments',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
