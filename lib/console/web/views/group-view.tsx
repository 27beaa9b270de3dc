/**
 * One consumer group: state, assignor, coordinator; its total lag over the last minutes; each partition's
 * committed offset, end, lag in records and in time (how old the first unread record is) and owner; its members
 * and their partitions; and resetting its offsets as kafka-consumer-groups does: "Preview" computes the plan and
 * changes nothing, "Reset offsets…" asks for confirmation and then carries the same spec out (refused while the
 * group has active members, as Kafka refuses it).
 */
import { useState } from 'preact/hooks';
import type {
  ClusterSnapshot,
  GroupDetail,
  GroupMemberView,
  GroupPartitionLag,
  ResetRequest,
  ResetResult,
  ResetSpec,
} from '../../api-types.js';
import { enc, sendJson, useApi } from '../api.js';
import {
  Chart,
  ConfirmDialog,
  DataTable,
  ErrorNote,
  Page,
  Select,
  Tile,
  useAction,
  useForm,
  WhenLoaded,
  type Column,
} from '../components.js';
import { count, duration } from '../format.js';
import { href } from '../router.js';

const tpOf = (p: { topic: string; partition: number }) => `${p.topic}-${p.partition}`;

const LAG_COLUMNS: ReadonlyArray<Column<GroupPartitionLag>> = [
  { label: 'Topic', render: (p) => <a href={href.topic(p.topic)}>{p.topic}</a> },
  { label: 'Partition', num: true, render: (p) => <a href={href.records(p.topic, p.partition)}>{p.partition}</a> },
  { label: 'Committed', num: true, name: 'committed', render: (p) => count(p.committed) },
  { label: 'End', num: true, name: 'end', render: (p) => count(p.endOffset) },
  { label: 'Lag', num: true, name: 'lag', render: (p) => count(p.lag) },
  {
    label: 'Lag in time',
    num: true,
    title: 'How old the first record the group has not read is',
    render: (p) => duration(p.timeLagMs),
  },
  { label: 'Owner', attrs: () => ({ class: 'small' }), render: (p) => p.owner ?? '–' },
];

const MEMBER_COLUMNS: ReadonlyArray<Column<GroupMemberView>> = [
  { label: 'Member', attrs: () => ({ class: 'small' }), render: (m) => m.memberId },
  { label: 'Instance', render: (m) => m.groupInstanceId ?? '–' },
  { label: 'Client', render: (m) => m.clientId },
  { label: 'Host', render: (m) => m.host },
  { label: 'Partitions', render: (m) => m.assignment.map(tpOf).join(', ') || '–' },
];

const PLAN_COLUMNS: ReadonlyArray<Column<ResetResult['plan'][number]>> = [
  { label: 'Topic', render: (p) => p.topic },
  { label: 'Partition', num: true, render: (p) => p.partition },
  { label: 'Committed now', num: true, render: (p) => count(p.current) },
  { label: 'New offset', num: true, name: 'target', render: (p) => count(p.target) },
];

export function GroupView(props: { snapshot: ClusterSnapshot; group: string }) {
  const loaded = useApi<GroupDetail>(`/api/groups/${enc(props.group)}`, props.snapshot.takenAt);
  return (
    <Page
      title={
        <>
          <a href={href.groups()}>Consumer groups</a> / {props.group}
        </>
      }
    >
      <WhenLoaded loaded={loaded}>
        {(data) => (
          <>
            <dl class="tiles">
              <Tile label="State" id="group-state" value={data.state} />
              <Tile label="Assignor" value={data.assignor || '–'} />
              <Tile label="Coordinator" value={data.coordinator === null ? '–' : `broker ${data.coordinator}`} />
              <Tile label="Members" value={data.members.length} />
              <Tile label="Total lag" id="group-total-lag" value={count(data.totalLag)} />
            </dl>
            <Chart points={data.lagHistory} label="Total lag (records)" format={(v) => count(v)} />
            <h2>Lag per partition</h2>
            <PartitionRows id="group-partitions" columns={LAG_COLUMNS} rows={data.partitions} />
            <h2>Members</h2>
            {data.members.length === 0 ? (
              <p class="note">No active members.</p>
            ) : (
              <DataTable id="group-members" columns={MEMBER_COLUMNS} rows={data.members} rowKey={(m) => m.memberId} />
            )}
            <ResetOffsets group={data} readOnly={props.snapshot.readOnly} onDone={loaded.reload} />
          </>
        )}
      </WhenLoaded>
    </Page>
  );
}

/** A table of the group's partitions, one row each, tagged `data-tp="topic-partition"`. */
function PartitionRows<R extends { topic: string; partition: number }>(props: {
  id: string;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
}) {
  return <DataTable {...props} rowKey={tpOf} rowAttrs={(p) => ({ 'data-tp': tpOf(p) })} />;
}

type SpecKind = ResetSpec['kind'];

const SPEC_OPTIONS: ReadonlyArray<readonly [SpecKind, string]> = [
  ['earliest', 'earliest'],
  ['latest', 'latest'],
  ['current', 'current'],
  ['offset', 'offset'],
  ['shift', 'shift by'],
  ['timestamp', 'time'],
];

function specOf(kind: SpecKind, value: string): ResetSpec {
  switch (kind) {
    case 'offset':
      return { kind, offset: Number(value) };
    case 'shift':
      return { kind, by: Number(value) };
    case 'timestamp':
      return { kind, timestampMs: new Date(value).getTime() };
    default:
      return { kind };
  }
}

function ResetOffsets(props: { group: GroupDetail; readOnly: boolean; onDone: () => void }) {
  const topics = [...new Set(props.group.partitions.filter((p) => p.committed !== null).map((p) => p.topic))];
  const { form, bind } = useForm<{ topic: string; spec: SpecKind; value: string }>({
    topic: '',
    spec: 'earliest',
    value: '',
  });
  const kind = form.spec;
  const [plan, setPlan] = useState<ResetResult | null>(null);
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const request = (execute: boolean): ResetRequest => ({
    spec: specOf(kind, form.value),
    topics: form.topic === '' ? null : [form.topic],
    execute,
  });
  const run = (execute: boolean) =>
    action.run(
      () => sendJson<ResetResult>('POST', `/api/groups/${enc(props.group.groupId)}/reset-offsets`, request(execute)),
      (r) => {
        setPlan(r);
        setConfirming(false);
        if (execute) props.onDone();
      },
    );

  const active = props.group.state !== 'Empty';
  return (
    <section aria-labelledby="reset-title">
      <h2 id="reset-title">Reset offsets</h2>
      <form
        class="toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          run(false);
        }}
      >
        <Select
          label="Topics"
          options={[['', 'all with commits'], ...topics.map((t) => [t, t] as const)]}
          {...bind('topic')}
        />
        <Select label="To" options={SPEC_OPTIONS} {...bind('spec')} />
        {kind === 'offset' || kind === 'shift' ? (
          <input aria-label={kind === 'offset' ? 'Offset' : 'Shift by'} type="number" {...bind('value')} required />
        ) : null}
        {kind === 'timestamp' ? (
          <input aria-label="Time" type="datetime-local" step="1" {...bind('value')} required />
        ) : null}
        <button type="submit" disabled={action.busy}>
          Preview
        </button>
      </form>
      <ErrorNote error={confirming ? null : action.error} />
      {plan === null ? null : (
        <>
          <p class={`note ${plan.executed ? 'good' : ''}`} role="status" id="reset-status">
            {plan.executed
              ? `Offsets reset: the group's committed offsets are now the targets below.`
              : 'Preview only: nothing has changed yet.'}
          </p>
          <PartitionRows id="reset-plan" columns={PLAN_COLUMNS} rows={plan.plan} />
          {plan.executed || props.readOnly ? null : (
            <p>
              <button type="button" class="danger" disabled={active} onClick={() => setConfirming(true)}>
                Reset offsets…
              </button>{' '}
              {active ? (
                <span class="muted">Only a group without active members can be reset; stop its consumers first.</span>
              ) : null}
            </p>
          )}
        </>
      )}
      {confirming ? (
        <ConfirmDialog
          title={`Reset the offsets of ${props.group.groupId}`}
          confirmLabel="Reset offsets"
          danger
          action={action}
          onConfirm={() => run(true)}
          onCancel={() => setConfirming(false)}
        >
          <p>
            The group's committed offsets of {plan?.plan.length ?? 0} partition(s) are set as previewed (recomputed now
            for the same choice). Its consumers start from there when they next join.
          </p>
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
