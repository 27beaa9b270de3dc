/**
 * The cluster: totals, every broker (address, rack, status, controller, partitions led and followed, under-
 * replicated partitions it leads, bytes on disk, the APIs it serves), the ZooKeeper ensemble, and what the last
 * refresh could not read. A broker that stops answering turns red at the next refresh; its row says why.
 */
import { useState } from 'preact/hooks';
import type { BrokerView, ClusterSnapshot, ConfigView, ZooKeeperServerView } from '../../api-types.js';
import { enc, useApi } from '../api.js';
import { DataTable, ErrorNote, Page, StatusBadge, Tile, type Column } from '../components.js';
import { bytes, count } from '../format.js';
import { href } from '../router.js';

export function ClusterView(props: { snapshot: ClusterSnapshot }) {
  const s = props.snapshot;
  const [configsOf, setConfigsOf] = useState<number | null>(null);
  const online = s.brokers.filter((b) => b.status === 'online').length;
  return (
    <Page title="Cluster">
      <dl class="tiles">
        <Tile label="Cluster id" value={s.clusterId ?? '–'} small />
        <Tile
          label="Controller"
          value={s.controllerId === null || s.controllerId < 0 ? 'none' : `broker ${s.controllerId}`}
          bad={s.controllerId === null || s.controllerId < 0}
        />
        <Tile label="Brokers online" value={`${online} of ${s.brokers.length}`} bad={online < s.brokers.length} />
        <Tile label="Topics" value={count(s.totals.topics)} link={href.topics()} />
        <Tile label="Partitions" value={count(s.totals.partitions)} />
        <Tile label="Under-replicated" value={count(s.totals.underReplicated)} bad={s.totals.underReplicated > 0} />
        <Tile label="Offline" value={count(s.totals.offline)} bad={s.totals.offline > 0} />
        <Tile
          label="At risk"
          value={count(s.totals.atRisk)}
          bad={s.totals.atRisk > 0}
          title="Partitions whose leader or an in-sync replica does not answer"
        />
        <Tile label="Consumer groups" value={s.groups === null ? '–' : count(s.groups.length)} link={href.groups()} />
      </dl>
      <h2>Brokers</h2>
      <DataTable
        id="brokers"
        columns={brokerColumns((id) => setConfigsOf(configsOf === id ? null : id))}
        rows={s.brokers}
        rowKey={(b) => b.id}
        rowBad={(b) => b.status !== 'online'}
        rowAttrs={(b) => ({ 'data-broker': String(b.id), 'data-status': b.status, title: b.problem ?? undefined })}
      />
      {configsOf === null ? null : <BrokerConfigs id={configsOf} onClose={() => setConfigsOf(null)} />}
      <h2>ZooKeeper</h2>
      {s.zookeeper === null ? (
        <p class="note">The brokers did not say which ZooKeeper they use yet.</p>
      ) : (
        <>
          <p>
            <code>{s.zookeeper.connect}</code> <span class="muted">({s.zookeeper.source})</span>
          </p>
          {s.zookeeper.servers === null ? (
            <p class="note">Start the console with --zookeeper to see each server's state.</p>
          ) : (
            <DataTable
              id="zookeeper"
              columns={ZOOKEEPER_COLUMNS}
              rows={s.zookeeper.servers}
              rowKey={(z) => z.address}
              rowBad={(z) => z.problem !== null}
            />
          )}
        </>
      )}
      {s.problems.length === 0 ? null : (
        <>
          <h2>Not read in the last refresh</h2>
          <ul class="problems">
            {s.problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </>
      )}
    </Page>
  );
}

function brokerColumns(onConfigs: (id: number) => void): ReadonlyArray<Column<BrokerView>> {
  const max = (b: BrokerView, name: string) => b.apis?.find((a) => a.name === name)?.maxVersion ?? '?';
  return [
    {
      label: 'ID',
      rowHeader: true,
      render: (b) => (
        <>
          {b.id}
          {b.isController ? (
            <span class="badge info" title="The active controller">
              controller
            </span>
          ) : null}
        </>
      ),
    },
    { label: 'Address', render: (b) => (b.host === null ? '–' : `${b.host}:${b.port}`) },
    { label: 'Rack', render: (b) => b.rack ?? '–' },
    {
      label: 'Status',
      render: (b) => (
        <>
          <StatusBadge status={b.status} />
          {b.problem === null ? null : <div class="small bad-text">{b.problem}</div>}
        </>
      ),
    },
    { label: 'Leader of', num: true, render: (b) => count(b.leaderOf) },
    { label: 'Follower of', num: true, render: (b) => count(b.followerOf) },
    {
      label: 'Under-replicated',
      num: true,
      title: 'Partitions it leads whose ISR is smaller than their replica list',
      attrs: (b) => ({ class: b.underReplicated > 0 ? 'bad-text' : undefined }),
      render: (b) => count(b.underReplicated),
    },
    { label: 'On disk', num: true, render: (b) => bytes(b.sizeBytes) },
    {
      label: 'APIs',
      title: 'The APIs it serves (its ApiVersions answer)',
      attrs: (b) => ({ title: b.apis?.map((a) => `${a.name} v${a.minVersion}-${a.maxVersion}`).join('\n') }),
      render: (b) =>
        b.apis === null ? '–' : `${b.apis.length} (Produce v${max(b, 'Produce')}, Fetch v${max(b, 'Fetch')})`,
    },
    {
      label: 'Configs',
      render: (b) => (
        <button type="button" class="link" onClick={() => onConfigs(b.id)} disabled={b.status !== 'online'}>
          Show
        </button>
      ),
    },
  ];
}

const ZOOKEEPER_COLUMNS: ReadonlyArray<Column<ZooKeeperServerView>> = [
  { label: 'Server', rowHeader: true, render: (z) => z.address },
  { label: 'Mode', render: (z) => z.mode ?? <span class="bad-text">{z.problem}</span> },
  { label: 'Version', render: (z) => z.version ?? '–' },
  { label: 'Latency min/avg/max (ms)', render: (z) => z.latency ?? '–' },
  { label: 'Outstanding', num: true, render: (z) => count(z.outstanding) },
  { label: 'Znodes', num: true, render: (z) => count(z.znodes) },
];

const CONFIG_COLUMNS: ReadonlyArray<Column<ConfigView>> = [
  { label: 'Name', render: (c) => <code>{c.name}</code> },
  {
    label: 'Value',
    attrs: (c) => ({ title: c.synonyms.map((s) => `${s.source}: ${s.name}=${s.value ?? ''}`).join('\n') || undefined }),
    render: (c) => (c.isSensitive ? '(sensitive)' : (c.value ?? '–')),
  },
  { label: 'Source', render: (c) => <span class={`source source-${c.source.toLowerCase()}`}>{c.source}</span> },
];

function BrokerConfigs(props: { id: number; onClose: () => void }) {
  const { data, error } = useApi<ConfigView[]>(`/api/brokers/${enc(String(props.id))}/configs`, props.id);
  return (
    <section class="panel" aria-label={`Configs of broker ${props.id}`}>
      <header class="page-head">
        <h2>Configs of broker {props.id}</h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </header>
      <ErrorNote error={error} />
      {data === null ? null : <ConfigTable id="broker-configs" configs={data} />}
    </section>
  );
}

/** Configs with their values and where each value comes from (hover a value for the other sources). */
export function ConfigTable(props: { id?: string; configs: readonly ConfigView[] }) {
  return (
    <DataTable
      id={props.id ?? 'configs'}
      columns={CONFIG_COLUMNS}
      rows={props.configs}
      rowKey={(c) => c.name}
      rowAttrs={(c) => ({ 'data-config': c.name })}
    />
  );
}
