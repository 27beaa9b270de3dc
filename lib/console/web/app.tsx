/**
 * The console's frame: a header with the cluster, the stream's state and read-only mode; the navigation; the
 * view of the current route. Keyboard: every control is a link, button or form field in reading order; 1-4 go to
 * the cluster, topics, consumer groups and reassignments, "/" focuses the page's filter, "?" shows these keys.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClusterSnapshot } from '../api-types.js';
import { useSnapshot } from './api.js';
import { Page } from './components.js';
import { href, useRoute, type Route } from './router.js';
import { ClusterView } from './views/cluster-view.js';
import { GroupView } from './views/group-view.js';
import { GroupsView } from './views/groups-view.js';
import { PartitionView } from './views/partition-view.js';
import { ReassignmentsView } from './views/reassignments-view.js';
import { RecordsView } from './views/records-view.js';
import { TopicsView } from './views/topics-view.js';
import { TopicView } from './views/topic-view.js';

const SECTIONS = [
  { key: '1', label: 'Cluster', link: href.cluster(), views: ['cluster'] },
  { key: '2', label: 'Topics', link: href.topics(), views: ['topics', 'topic', 'partition', 'records'] },
  { key: '3', label: 'Consumer groups', link: href.groups(), views: ['groups', 'group'] },
  { key: '4', label: 'Reassignments', link: href.reassignments(), views: ['reassignments'] },
] as const;

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

export function App() {
  const route = useRoute();
  const { snapshot, connected } = useSnapshot();
  const [help, setHelp] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target) || document.querySelector('dialog[open]')) return;
      const section = SECTIONS.find((s) => s.key === e.key);
      if (section !== undefined) location.hash = section.link;
      else if (e.key === '/') {
        const filter = document.querySelector<HTMLInputElement>('[data-filter]');
        if (filter !== null) {
          e.preventDefault();
          filter.focus();
        }
      } else if (e.key === '?') setHelp((h) => !h);
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [route]);
  const stale = snapshot !== null && connected && Date.now() - snapshot.takenAt > 5 * snapshot.refreshIntervalMs;
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href={href.cluster()}>
          mq console
        </a>
        <nav aria-label="Sections">
          {SECTIONS.map((s) => (
            <a
              key={s.key}
              href={s.link}
              aria-current={(s.views as readonly string[]).includes(route.view) ? 'page' : undefined}
              aria-keyshortcuts={s.key}
            >
              {s.label}
            </a>
          ))}
        </nav>
        <div class="status">
          {snapshot?.readOnly === true ? <span class="badge">read-only</span> : null}
          <span class={`live ${connected && !stale ? 'on' : 'off'}`} role="status" id="live">
            {connected ? (stale ? 'stale' : 'live') : 'reconnecting…'}
          </span>
          <button type="button" class="link" onClick={() => setHelp(!help)} aria-expanded={help} aria-keyshortcuts="?">
            Keys
          </button>
        </div>
      </header>
      {help ? (
        <aside class="help" aria-label="Keyboard shortcuts">
          <strong>Keys:</strong> 1 cluster · 2 topics · 3 consumer groups · 4 reassignments · / filter · Tab and Enter
          everywhere · Esc closes a dialog · ? this help
        </aside>
      ) : null}
      <main id="main" tabIndex={-1}>
        {snapshot === null ? (
          <p class="note">Connecting to the console…</p>
        ) : (
          <View route={route} snapshot={snapshot} />
        )}
      </main>
      {snapshot === null ? null : (
        <footer class="foot muted">
          Cluster {snapshot.clusterId ?? '?'} · refreshed every {snapshot.refreshIntervalMs / 1000} s · last{' '}
          {new Date(snapshot.takenAt).toLocaleTimeString()}
        </footer>
      )}
    </>
  );
}

function View(props: { route: Route; snapshot: ClusterSnapshot }) {
  const { route, snapshot } = props;
  switch (route.view) {
    case 'cluster':
      return <ClusterView snapshot={snapshot} />;
    case 'topics':
      return <TopicsView snapshot={snapshot} />;
    case 'topic':
      return <TopicView key={route.topic} snapshot={snapshot} topic={route.topic} />;
    case 'partition':
      return <PartitionView snapshot={snapshot} topic={route.topic} partition={route.partition} />;
    case 'records':
      return (
        <RecordsView
          key={`${route.topic}-${route.partition}`}
          snapshot={snapshot}
          topic={route.topic}
          partition={route.partition}
        />
      );
    case 'groups':
      return <GroupsView snapshot={snapshot} />;
    case 'group':
      return <GroupView key={route.group} snapshot={snapshot} group={route.group} />;
    case 'reassignments':
      return <ReassignmentsView snapshot={snapshot} />;
    case 'not-found':
      return (
        <Page title="Not found">
          <p>
            Nothing lives at <code>{route.hash}</code>. <a href={href.cluster()}>Go to the cluster</a>.
          </p>
        </Page>
      );
  }
}
