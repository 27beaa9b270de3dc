/**
 * Partition moves and leader elections: moves in flight (replicas being added and removed), requests the
 * controller has not taken up, a pending preferred leader election — these three from ZooKeeper, with
 * --zookeeper — and, from the brokers' metadata, partitions waiting for a leader and partitions led by a replica
 * other than their preferred one.
 */
import type { ClusterSnapshot, ReassignmentsPage } from '../../api-types.js';
import { useApi } from '../api.js';
import { DataTable, Page, WhenLoaded, type Column } from '../components.js';
import { list } from '../format.js';
import { href } from '../router.js';

const tpOf = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

const partitionLink: Column<{ topic: string; partition: number }> = {
  label: 'Partition',
  rowHeader: true,
  render: (p) => <a href={href.partition(p.topic, p.partition)}>{tpOf(p)}</a>,
};

const MOVE_COLUMNS: ReadonlyArray<Column<ReassignmentsPage['inFlight'][number]>> = [
  partitionLink,
  { label: 'Replicas', render: (r) => list(r.replicas) },
  { label: 'Adding', render: (r) => list(r.adding) },
  { label: 'Removing', render: (r) => list(r.removing) },
  { label: 'ISR', render: (r) => list(r.isr) },
];

const LEADERLESS_COLUMNS: ReadonlyArray<Column<ReassignmentsPage['leaderless'][number]>> = [
  partitionLink,
  { label: 'Replicas', render: (p) => list(p.replicas) },
  { label: 'ISR', render: (p) => list(p.isr) },
];

const NOT_PREFERRED_COLUMNS: ReadonlyArray<Column<ReassignmentsPage['notPreferredLeader'][number]>> = [
  partitionLink,
  { label: 'Leader', num: true, render: (p) => p.leader },
  { label: 'Preferred', num: true, render: (p) => p.preferred },
];

export function ReassignmentsView(props: { snapshot: ClusterSnapshot }) {
  const loaded = useApi<ReassignmentsPage>('/api/reassignments', props.snapshot.takenAt);
  return (
    <Page title="Reassignments and elections">
      <WhenLoaded loaded={loaded}>
        {(data) => (
          <>
            {data.fromZooKeeper ? null : (
              <p class="note">
                Moves in flight and pending requests are kept in ZooKeeper; start the console with --zookeeper to see
                them. Below: what the brokers' metadata shows.
              </p>
            )}
            <h2>Moves in flight</h2>
            {!data.fromZooKeeper ? (
              <p class="muted">Needs --zookeeper.</p>
            ) : data.inFlight.length === 0 ? (
              <p class="muted">None.</p>
            ) : (
              <DataTable id="moves" columns={MOVE_COLUMNS} rows={data.inFlight} rowKey={tpOf} />
            )}
            <h2>Requested, not yet taken up</h2>
            {!data.fromZooKeeper ? (
              <p class="muted">Needs --zookeeper.</p>
            ) : (
              <ul>
                <li>
                  Reassignment (/admin/reassign_partitions):{' '}
                  {data.requested === null
                    ? 'none'
                    : data.requested.map((r) => `${r.topic}-${r.partition} → [${r.replicas.join(',')}]`).join('; ')}
                </li>
                <li>
                  Preferred leader election (/admin/preferred_replica_election):{' '}
                  {data.electionRequested === null
                    ? 'none'
                    : data.electionRequested.map((p) => `${p.topic}-${p.partition}`).join(', ')}
                </li>
              </ul>
            )}
            <h2>Waiting for a leader</h2>
            {data.leaderless.length === 0 ? (
              <p class="muted">None: every partition has a leader.</p>
            ) : (
              <DataTable
                id="leaderless"
                columns={LEADERLESS_COLUMNS}
                rows={data.leaderless}
                rowKey={tpOf}
                rowBad={() => true}
              />
            )}
            <h2>Not led by their preferred replica</h2>
            {data.notPreferredLeader.length === 0 ? (
              <p class="muted">None: every leader is its partition's preferred replica.</p>
            ) : (
              <DataTable
                id="not-preferred"
                columns={NOT_PREFERRED_COLUMNS}
                rows={data.notPreferredLeader}
                rowKey={tpOf}
              />
            )}
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}
