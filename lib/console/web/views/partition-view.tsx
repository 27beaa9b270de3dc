/**
 * One partition: leader and epoch, replicas and ISR, the offsets that bound its log, and each replica's size and
 * distance from the high watermark. Segments: Kafka's protocol does not list a log's segments, so the page shows
 * segment.bytes and the fewest segments that can hold the leader's bytes (`mq-admin dump-log` reads the files
 * themselves, on the broker's machine).
 */
import type { BrokerStatus, ClusterSnapshot, PartitionDetail, PartitionPage, ReplicaView } from '../../api-types.js';
import { enc, useApi } from '../api.js';
import { Brokers, DataTable, Page, StatusBadge, WhenLoaded, type Column } from '../components.js';
import { bytes, count, list } from '../format.js';
import { href } from '../router.js';
import { PartitionTable, statusOf } from './topic-view.js';

function replicaColumns(p: PartitionDetail, status: (id: number) => BrokerStatus): ReadonlyArray<Column<ReplicaView>> {
  return [
    { label: 'Broker', rowHeader: true, render: (r) => <Brokers ids={[r.broker]} status={status} /> },
    { label: 'Status', render: (r) => <StatusBadge status={r.status} /> },
    {
      label: 'Role',
      render: (r) =>
        `${r.broker === p.leader ? 'leader' : 'follower'}${r.broker === p.replicas[0] ? ' (preferred)' : ''}`,
    },
    {
      label: 'In sync',
      attrs: (r) => ({ class: r.inSync ? undefined : 'bad-text' }),
      render: (r) => (r.inSync ? 'yes' : 'no'),
    },
    { label: 'Size', num: true, render: (r) => bytes(r.sizeBytes) },
    {
      label: 'Behind high watermark',
      num: true,
      title: 'How far its log end is behind the high watermark (DescribeLogDirs)',
      render: (r) => count(r.lagBehindHighWatermark),
    },
  ];
}

export function PartitionView(props: { snapshot: ClusterSnapshot; topic: string; partition: number }) {
  const loaded = useApi<PartitionPage>(
    `/api/topics/${enc(props.topic)}/partitions/${props.partition}`,
    props.snapshot.takenAt,
  );
  const status = statusOf(props.snapshot);
  return (
    <Page
      title={
        <>
          <a href={href.topics()}>Topics</a> / <a href={href.topic(props.topic)}>{props.topic}</a> / partition{' '}
          {props.partition}
        </>
      }
      actions={
        <a class="button" href={href.records(props.topic, props.partition)}>
          Browse records
        </a>
      }
    >
      <WhenLoaded loaded={loaded}>
        {(data) => (
          <>
            <PartitionTable topic={data.topic} partitions={[data.detail]} status={status} />
            <dl class="facts">
              <dt>Leader epoch</dt>
              <dd>{data.detail.leaderEpoch}</dd>
              <dt>Offline replicas</dt>
              <dd>{list(data.detail.offlineReplicas)}</dd>
              <dt>Records (high watermark − log start)</dt>
              <dd>
                {data.detail.highWatermark === null || data.detail.logStartOffset === null
                  ? '–'
                  : count(data.detail.highWatermark - data.detail.logStartOffset)}
              </dd>
              <dt>segment.bytes</dt>
              <dd>{bytes(data.segments.segmentBytes)}</dd>
              <dt>Segments</dt>
              <dd>
                {data.segments.atLeast === null ? '–' : `at least ${data.segments.atLeast}`}{' '}
                <span class="muted">(from the leader's size; the protocol does not list segments)</span>
              </dd>
            </dl>
            <h2>Replicas</h2>
            <DataTable
              id="replicas"
              columns={replicaColumns(data.detail, status)}
              rows={data.detail.replicaDetails}
              rowKey={(r) => r.broker}
              rowBad={(r) => r.status !== 'online' || !r.inSync}
              rowAttrs={(r) => ({ 'data-replica': String(r.broker) })}
            />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
