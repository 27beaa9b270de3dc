/** Every consumer group with its state, members, assignor, coordinator and total lag, updated at each refresh. */
import { useState } from 'preact/hooks';
import type { ClusterSnapshot, GroupSummary } from '../../api-types.js';
import { DataTable, Filter, Page, type Column } from '../components.js';
import { count } from '../format.js';
import { href } from '../router.js';

const COLUMNS: ReadonlyArray<Column<GroupSummary>> = [
  { label: 'Group', rowHeader: true, render: (g) => <a href={href.group(g.groupId)}>{g.groupId}</a> },
  { label: 'State', render: (g) => <span class={`state state-${g.state.toLowerCase()}`}>{g.state}</span> },
  { label: 'Members', num: true, render: (g) => count(g.members) },
  { label: 'Assignor', render: (g) => g.assignor || '–' },
  { label: 'Coordinator', num: true, render: (g) => g.coordinator ?? '–' },
  { label: 'Total lag', num: true, name: 'lag', render: (g) => count(g.totalLag) },
];

export function GroupsView(props: { snapshot: ClusterSnapshot }) {
  const [filter, setFilter] = useState('');
  const groups = (props.snapshot.groups ?? []).filter((g) => g.groupId.includes(filter));
  return (
    <Page title="Consumer groups">
      <div class="toolbar">
        <Filter value={filter} onInput={setFilter} placeholder="group contains…" />
      </div>
      {props.snapshot.groups === null ? <p class="note">The groups could not be listed yet.</p> : null}
      <DataTable
        id="groups"
        columns={COLUMNS}
        rows={groups}
        rowKey={(g) => g.groupId}
        rowAttrs={(g) => ({ 'data-group': g.groupId })}
        empty={props.snapshot.groups === null ? undefined : 'No group matches.'}
      />
    </Page>
  );
}
