/**
 * Every topic with its partitions, replication factor, health, size and message rate, a filter, and "Create
 * topic" (a dialog: name, partitions, replication factor, config overrides; nothing is created until confirmed).
 */
import { useState } from 'preact/hooks';
import type { ClusterSnapshot, NewTopicRequest, TopicSummary } from '../../api-types.js';
import { sendJson } from '../api.js';
import { ConfirmDialog, DataTable, Filter, Page, useAction, useForm, type Column } from '../components.js';
import { bytes, count, rate } from '../format.js';
import { href } from '../router.js';
import { parseProperties } from './properties.js';

const bad = (n: number) => ({ class: n > 0 ? 'bad-text' : undefined });

const COLUMNS: ReadonlyArray<Column<TopicSummary>> = [
  {
    label: 'Topic',
    rowHeader: true,
    render: (t) => (
      <>
        <a href={href.topic(t.name)}>{t.name}</a>
        {t.internal ? <span class="badge">internal</span> : null}
      </>
    ),
  },
  { label: 'Partitions', num: true, render: (t) => count(t.partitions) },
  { label: 'RF', num: true, title: 'Replication factor', render: (t) => count(t.replicationFactor) },
  {
    label: 'Under-replicated',
    num: true,
    attrs: (t) => bad(t.underReplicated),
    render: (t) => count(t.underReplicated),
  },
  { label: 'Offline', num: true, attrs: (t) => bad(t.offline), render: (t) => count(t.offline) },
  { label: 'Size', num: true, title: 'Bytes of the leader replicas', render: (t) => bytes(t.sizeBytes) },
  { label: 'Messages/s', num: true, render: (t) => rate(t.messagesPerSec) },
];

export function TopicsView(props: { snapshot: ClusterSnapshot }) {
  const [filter, setFilter] = useState('');
  const [internal, setInternal] = useState(false);
  const [creating, setCreating] = useState(false);
  const topics = props.snapshot.topics.filter((t) => (internal || !t.internal) && t.name.includes(filter));
  return (
    <Page
      title="Topics"
      actions={
        props.snapshot.readOnly ? null : (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create topic
          </button>
        )
      }
    >
      <div class="toolbar">
        <Filter value={filter} onInput={setFilter} placeholder="name contains…" />
        <label class="check">
          <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.currentTarget.checked)} /> Internal
          topics
        </label>
      </div>
      <DataTable
        id="topics"
        columns={COLUMNS}
        rows={topics}
        rowKey={(t) => t.name}
        rowBad={(t) => t.offline > 0 || t.atRisk > 0}
        rowAttrs={(t) => ({ 'data-topic': t.name })}
        empty="No topic matches."
      />
      {creating ? <CreateTopicDialog onClose={() => setCreating(false)} /> : null}
    </Page>
  );
}

function CreateTopicDialog(props: { onClose: () => void }) {
  const { form, bind } = useForm({ name: '', partitions: '1', replicationFactor: '1', configs: '' });
  const action = useAction();
  const create = () => {
    let body: NewTopicRequest;
    try {
      body = {
        name: form.name.trim(),
        partitions: Number(form.partitions),
        replicationFactor: Number(form.replicationFactor),
        configs: parseProperties(form.configs),
      };
    } catch (e) {
      action.setError((e as Error).message);
      return;
    }
    action.run(
      () => sendJson('POST', '/api/topics', body),
      () => {
        props.onClose();
        location.hash = href.topic(body.name);
      },
    );
  };
  return (
    <ConfirmDialog
      title="Create topic"
      confirmLabel="Create topic"
      action={action}
      confirmDisabled={form.name.trim() === ''}
      onConfirm={create}
      onCancel={props.onClose}
    >
      <div class="form-grid">
        <label for="new-topic-name">Name</label>
        <input id="new-topic-name" required {...bind('name')} autoFocus />
        <label for="new-topic-partitions">Partitions</label>
        <input id="new-topic-partitions" type="number" min="1" {...bind('partitions')} />
        <label for="new-topic-rf">Replication factor</label>
        <input id="new-topic-rf" type="number" min="1" {...bind('replicationFactor')} />
        <label for="new-topic-configs">Config overrides</label>
        <textarea
          id="new-topic-configs"
          rows={3}
          placeholder="one key=value a line, e.g. min.insync.replicas=2"
          {...bind('configs')}
        />
      </div>
    </ConfirmDialog>
  );
}
