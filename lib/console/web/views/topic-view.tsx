/**
 * One topic: its message rate over the last minutes, every partition (leader, replicas, ISR — red when a replica
 * is out of sync or a member does not answer —, log start, high watermark, last stable offset, size), its configs
 * with their sources, and the changes Kafka's tools make to a topic: add partitions, replace the config overrides,
 * delete. Each change opens a dialog and happens only when confirmed; deleting asks for the topic's name.
 */
import { useState } from 'preact/hooks';
import type { BrokerStatus, ClusterSnapshot, ConfigView, PartitionDetail, TopicDetail } from '../../api-types.js';
import { enc, sendJson, useApi } from '../api.js';
import { Brokers, Chart, ConfirmDialog, DataTable, Page, useAction, WhenLoaded, type Column } from '../components.js';
import { bytes, count, rate } from '../format.js';
import { href } from '../router.js';
import { ConfigTable } from './cluster-view.js';
import { formatProperties, parseProperties } from './properties.js';

type Dialog = 'partitions' | 'configs' | 'delete' | null;

export function statusOf(snapshot: ClusterSnapshot): (id: number) => BrokerStatus {
  const byId = new Map(snapshot.brokers.map((b) => [b.id, b.status]));
  return (id) => byId.get(id) ?? 'offline';
}

export function TopicView(props: { snapshot: ClusterSnapshot; topic: string }) {
  const loaded = useApi<TopicDetail>(`/api/topics/${enc(props.topic)}`, props.snapshot.takenAt);
  const { data } = loaded;
  const [dialog, setDialog] = useState<Dialog>(null);
  const close = () => setDialog(null);
  /** A change was made: close its dialog and show the topic as it is now. */
  const changed = () => {
    close();
    loaded.reload();
  };
  const writable = !props.snapshot.readOnly;
  return (
    <Page
      title={
        <>
          <a href={href.topics()}>Topics</a> / {props.topic}
        </>
      }
      actions={
        writable && data !== null ? (
          <>
            <button type="button" onClick={() => setDialog('partitions')}>
              Add partitions
            </button>
            <button type="button" onClick={() => setDialog('configs')}>
              Edit configs
            </button>
            <button type="button" class="danger" onClick={() => setDialog('delete')}>
              Delete topic
            </button>
          </>
        ) : null
      }
    >
      <WhenLoaded loaded={loaded}>
        {(topic) => (
          <>
            <Chart points={topic.rate} label="Messages per second" format={(v) => rate(v)} />
            <h2>Partitions</h2>
            <PartitionTable topic={topic.name} partitions={topic.partitions} status={statusOf(props.snapshot)} />
            <h2>Configs</h2>
            <ConfigTable configs={topic.configs} />
          </>
        )}
      </WhenLoaded>
      {dialog === 'partitions' && data !== null ? (
        <AddPartitionsDialog topic={data.name} current={data.partitions.length} onClose={close} onDone={changed} />
      ) : null}
      {dialog === 'configs' && data !== null ? (
        <EditConfigsDialog topic={data.name} configs={data.configs} onClose={close} onDone={changed} />
      ) : null}
      {dialog === 'delete' && data !== null ? <DeleteTopicDialog topic={data.name} onClose={close} /> : null}
    </Page>
  );
}

function partitionColumns(topic: string, status: (id: number) => BrokerStatus): ReadonlyArray<Column<PartitionDetail>> {
  /** Judged by the live snapshot's broker status, so the ISR turns red with the broker row, not a page load later. */
  const notOnline = (p: PartitionDetail) => p.isr.filter((id) => status(id) !== 'online');
  const isrBad = (p: PartitionDetail) => p.underReplicated || notOnline(p).length > 0;
  return [
    {
      label: 'Partition',
      rowHeader: true,
      render: (p) => <a href={href.partition(topic, p.partition)}>{p.partition}</a>,
    },
    {
      label: 'Leader',
      name: 'leader',
      attrs: (p) => ({ class: p.leaderDown ? 'bad' : undefined }),
      render: (p) => (p.leader < 0 ? 'none' : p.leader),
    },
    { label: 'Replicas', render: (p) => <Brokers ids={p.replicas} status={status} /> },
    {
      label: 'ISR',
      name: 'isr',
      attrs: (p) => ({
        class: isrBad(p) ? 'bad' : undefined,
        'data-ok': String(!isrBad(p)),
        title: isrBad(p) ? isrProblem(p, notOnline(p)) : undefined,
      }),
      render: (p) => <Brokers ids={p.isr} status={status} />,
    },
    { label: 'Log start', num: true, render: (p) => count(p.logStartOffset) },
    { label: 'High watermark', num: true, render: (p) => count(p.highWatermark) },
    { label: 'Last stable', num: true, render: (p) => count(p.lastStableOffset) },
    {
      label: 'Size (leader)',
      num: true,
      render: (p) => bytes(p.replicaDetails.find((r) => r.broker === p.leader)?.sizeBytes ?? null),
    },
    { label: 'Records', render: (p) => <a href={href.records(topic, p.partition)}>Browse</a> },
  ];
}

/** Partitions with their leader, replicas and ISR (red when out of sync or not answering) and offsets. */
export function PartitionTable(props: {
  topic: string;
  partitions: readonly PartitionDetail[];
  status: (id: number) => BrokerStatus;
}) {
  return (
    <DataTable
      id="partitions"
      columns={partitionColumns(props.topic, props.status)}
      rows={props.partitions}
      rowKey={(p) => p.partition}
      rowBad={(p) => p.leaderDown}
      rowAttrs={(p) => ({ 'data-partition': String(p.partition) })}
    />
  );
}

function isrProblem(p: PartitionDetail, notOnline: number[]): string {
  const out: string[] = [];
  if (p.underReplicated) out.push(`in sync: ${p.isr.length} of ${p.replicas.length} replicas`);
  if (notOnline.length > 0) out.push(`not answering: ${notOnline.join(', ')}`);
  return out.join('; ');
}

function AddPartitionsDialog(props: { topic: string; current: number; onClose: () => void; onDone: () => void }) {
  const [total, setTotal] = useState(String(props.current + 1));
  const change = useAction();
  const n = Number(total);
  return (
    <ConfirmDialog
      title={`Add partitions to ${props.topic}`}
      confirmLabel="Add partitions"
      action={change}
      confirmDisabled={!Number.isInteger(n) || n <= props.current}
      onConfirm={() =>
        change.run(() => sendJson('POST', `/api/topics/${enc(props.topic)}/partitions`, { count: n }), props.onDone)
      }
      onCancel={props.onClose}
    >
      <p>
        The topic has {props.current} partitions. Partitions can be added, never removed; records with a key may map to
        a different partition afterwards.
      </p>
      <div class="form-grid">
        <label for="partition-total">New total</label>
        <input
          id="partition-total"
          type="number"
          min={props.current + 1}
          value={total}
          onInput={(e) => setTotal(e.currentTarget.value)}
          autoFocus
        />
      </div>
    </ConfirmDialog>
  );
}

function EditConfigsDialog(props: {
  topic: string;
  configs: readonly ConfigView[];
  onClose: () => void;
  onDone: () => void;
}) {
  const overrides = Object.fromEntries(
    props.configs.filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG').map((c) => [c.name, c.value ?? '']),
  );
  const [text, setText] = useState(formatProperties(overrides));
  const change = useAction();
  return (
    <ConfirmDialog
      title={`Config overrides of ${props.topic}`}
      confirmLabel="Save overrides"
      action={change}
      onConfirm={() => {
        let configs: Record<string, string>;
        try {
          configs = parseProperties(text);
        } catch (e) {
          change.setError((e as Error).message);
          return;
        }
        change.run(() => sendJson('PUT', `/api/topics/${enc(props.topic)}/configs`, { configs }), props.onDone);
      }}
      onCancel={props.onClose}
    >
      <p>
        These replace the topic's overrides (Kafka's AlterConfigs): a key you remove goes back to the broker's default.
      </p>
      <label for="topic-overrides">Overrides, one key=value a line</label>
      <textarea id="topic-overrides" rows={8} value={text} onInput={(e) => setText(e.currentTarget.value)} autoFocus />
    </ConfirmDialog>
  );
}

function DeleteTopicDialog(props: { topic: string; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const change = useAction();
  return (
    <ConfirmDialog
      title={`Delete ${props.topic}`}
      confirmLabel="Delete topic"
      danger
      action={change}
      confirmDisabled={typed !== props.topic}
      onConfirm={() =>
        change.run(
          () => sendJson('DELETE', `/api/topics/${enc(props.topic)}`),
          () => {
            props.onClose();
            location.hash = href.topics();
          },
        )
      }
      onCancel={props.onClose}
    >
      <p>
        Every record of <strong>{props.topic}</strong> is deleted on every broker, and consumers reading it fail. This
        cannot be undone.
      </p>
      <label for="delete-confirm">Type the topic's name to confirm</label>
      <input
        id="delete-confirm"
        value={typed}
        onInput={(e) => setTyped(e.currentTarget.value)}
        autoFocus
        autoComplete="off"
      />
    </ConfirmDialog>
  );
}
