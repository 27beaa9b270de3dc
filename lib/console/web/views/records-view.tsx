/**
 * The records of one partition: from the end, the beginning, an offset or a time; newest or oldest first; only
 * keys containing a text; each key, value and header shown as text, JSON or hex (auto picks); a copy button per
 * record (its JSON); "Older"/"Newer" pages on from where the last stopped; and "Produce test record" (a dialog;
 * nothing is sent until confirmed). The form lives in the address (#/topics/T/P/records), the query in the state.
 */
import { useState } from 'preact/hooks';
import type { ClusterSnapshot, Payload, ProducedRecord, RecordPage, RecordView } from '../../api-types.js';
import { base64ToBytes, decodePayload, type DecodeMode } from '../../payload-decoding.js';
import { enc, sendJson, useApi } from '../api.js';
import { ConfirmDialog, ErrorNote, Loading, Page, useAction } from '../components.js';
import { bytes, count, timestamp } from '../format.js';
import { href } from '../router.js';
import { parseProperties } from './properties.js';

type FromKind = 'end' | 'beginning' | 'offset' | 'timestamp';

interface Query {
  from: FromKind;
  offset: string;
  /** datetime-local value (local time). */
  time: string;
  order: 'newest' | 'oldest';
  limit: string;
  key: string;
}

export function recordsPath(topic: string, partition: number, q: Query, at: number | null): string {
  const params = new URLSearchParams({ order: q.order, limit: q.limit });
  if (at !== null) {
    params.set('from', 'offset');
    params.set('offset', String(at));
  } else if (q.from === 'offset') {
    params.set('from', 'offset');
    params.set('offset', q.offset);
  } else if (q.from === 'timestamp') {
    params.set('from', 'timestamp');
    params.set('timestamp', String(new Date(q.time).getTime()));
  } else params.set('from', q.from);
  if (q.key !== '') params.set('key', q.key);
  return `/api/topics/${enc(topic)}/partitions/${partition}/records?${params.toString()}`;
}

/** The first query: the newest 50 records. */
const NEWEST: Query = { from: 'end', offset: '0', time: '', order: 'newest', limit: '50', key: '' };

export function RecordsView(props: { snapshot: ClusterSnapshot; topic: string; partition: number }) {
  const [form, setForm] = useState<Query>(NEWEST);
  const [query, setQuery] = useState<{ q: Query; at: number | null; n: number }>({ q: form, at: null, n: 0 });
  const [mode, setMode] = useState<DecodeMode>('auto');
  const [producing, setProducing] = useState(false);
  const [produced, setProduced] = useState<ProducedRecord | null>(null);
  const path = recordsPath(props.topic, props.partition, query.q, query.at);
  const { data, error } = useApi<RecordPage>(path, query.n);
  const set = (k: keyof Query) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const load = (at: number | null = null) => setQuery({ q: form, at, n: query.n + 1 });
  return (
    <Page
      title={
        <>
          <a href={href.topics()}>Topics</a> / <a href={href.topic(props.topic)}>{props.topic}</a> /{' '}
          <a href={href.partition(props.topic, props.partition)}>partition {props.partition}</a> / records
        </>
      }
      actions={
        props.snapshot.readOnly ? null : (
          <button type="button" onClick={() => setProducing(true)}>
            Produce test record
          </button>
        )
      }
    >
      <form
        class="toolbar records-form"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          From{' '}
          <select name="from" value={form.from} onChange={set('from')}>
            <option value="end">the end</option>
            <option value="beginning">the beginning</option>
            <option value="offset">offset</option>
            <option value="timestamp">time</option>
          </select>
        </label>
        {form.from === 'offset' ? (
          <input aria-label="Offset" name="offset" type="number" min="0" value={form.offset} onInput={set('offset')} />
        ) : null}
        {form.from === 'timestamp' ? (
          <input
            aria-label="Time"
            name="time"
            type="datetime-local"
            step="1"
            value={form.time}
            onInput={set('time')}
            required
          />
        ) : null}
        <label>
          Order{' '}
          <select name="order" value={form.order} onChange={set('order')}>
            <option value="newest">newest first</option>
            <option value="oldest">oldest first</option>
          </select>
        </label>
        <label>
          Limit{' '}
          <input name="limit" type="number" min="1" max="500" value={form.limit} onInput={set('limit')} class="short" />
        </label>
        <label>
          Key contains <input name="key" type="search" data-filter value={form.key} onInput={set('key')} />
        </label>
        <button type="submit" class="primary">
          Show
        </button>
        <label>
          Decode{' '}
          <select name="decode" value={mode} onChange={(e) => setMode(e.currentTarget.value as DecodeMode)}>
            <option value="auto">auto</option>
            <option value="text">text</option>
            <option value="json">JSON</option>
            <option value="hex">hex</option>
          </select>
        </label>
      </form>
      {produced === null ? null : (
        <p class="note good" role="status">
          Test record written to partition {produced.partition} at offset {produced.offset}.
        </p>
      )}
      <ErrorNote error={error} />
      {data === null ? (
        error === null ? (
          <Loading />
        ) : null
      ) : (
        <>
          <p class="muted" id="records-summary">
            Log start {count(data.logStartOffset)}, high watermark {count(data.highWatermark)}.{' '}
            {data.scanned.count === 0
              ? 'Nothing to read there.'
              : `Read offsets ${count(data.scanned.from)}–${count(data.scanned.to - 1)}` +
                (data.keyFilter === null ? '' : ` for keys containing "${data.keyFilter}"`) +
                `: ${data.records.length} record${data.records.length === 1 ? '' : 's'}.`}
          </p>
          <div class="records">
            {data.records.map((r) => (
              <RecordCard key={r.offset} record={r} mode={mode} />
            ))}
          </div>
          {data.next === null ? null : (
            <button type="button" onClick={() => load(data.next)}>
              {data.order === 'newest' ? 'Older records' : 'Newer records'}
            </button>
          )}
        </>
      )}
      {producing ? (
        <ProduceDialog
          topic={props.topic}
          partition={props.partition}
          onClose={() => setProducing(false)}
          onDone={(r) => {
            // Show where it went: the newest records, whatever the query was.
            const newest = { ...NEWEST, limit: form.limit };
            setProduced(r);
            setForm(newest);
            setQuery({ q: newest, at: null, n: query.n + 1 });
          }}
        />
      ) : null}
    </Page>
  );
}

function shown(p: Payload | null, mode: DecodeMode): { text: string; note: string | null; mode: string } {
  if (p === null) return { text: 'null', note: null, mode: 'null' };
  const raw = base64ToBytes(p.base64);
  const d = decodePayload(raw, mode);
  const cut = p.truncated ? `First ${bytes(raw.length)} of ${bytes(p.size)}.` : null;
  return { text: d.text, note: [d.problem, cut].filter((x) => x !== null).join(' ') || null, mode: d.mode };
}

function RecordCard(props: { record: RecordView; mode: DecodeMode }) {
  const r = props.record;
  const key = shown(r.key, props.mode);
  const value = shown(r.value, props.mode);
  const headers = r.headers.map((h) => ({ key: h.key, value: shown(h.value, props.mode) }));
  const [copied, setCopied] = useState(false);
  const copy = () => {
    const json = JSON.stringify(
      {
        offset: r.offset,
        timestamp: r.timestamp,
        key: r.key === null ? null : key.text,
        value: r.value === null ? null : value.text,
        headers: Object.fromEntries(headers.map((h) => [h.key, h.value.text])),
      },
      null,
      2,
    );
    void navigator.clipboard
      .writeText(json)
      .then(() => setCopied(true))
      .catch(() => setCopied(false));
  };
  return (
    <article class="record" data-offset={r.offset} aria-label={`Record at offset ${r.offset}`}>
      <header>
        <span class="offset">offset {r.offset}</span>
        <span class="muted">{timestamp(r.timestamp)}</span>
        <span class="muted">{r.value === null ? 'tombstone' : bytes(r.value.size)}</span>
        <button type="button" class="link" onClick={copy} aria-label={`Copy record ${r.offset} as JSON`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </header>
      <dl>
        <dt>Key</dt>
        <dd class="key" data-mode={key.mode}>
          <pre>{key.text}</pre>
          {key.note === null ? null : <span class="small muted">{key.note}</span>}
        </dd>
        {headers.length === 0 ? null : (
          <>
            <dt>Headers</dt>
            <dd class="headers">
              {headers.map((h) => (
                <div key={h.key} class="header" data-header={h.key}>
                  <code>{h.key}</code>: <span>{h.value.text}</span>
                </div>
              ))}
            </dd>
          </>
        )}
        <dt>Value</dt>
        <dd class="value" data-mode={value.mode}>
          <pre>{value.text}</pre>
          {value.note === null ? null : <span class="small muted">{value.note}</span>}
        </dd>
      </dl>
    </article>
  );
}

function ProduceDialog(props: {
  topic: string;
  partition: number;
  onClose: () => void;
  onDone: (r: ProducedRecord) => void;
}) {
  const [form, setForm] = useState({ partition: String(props.partition), key: '', value: '', headers: '' });
  const action = useAction();
  const set = (k: keyof typeof form) => (e: { currentTarget: { value: string } }) =>
    setForm({ ...form, [k]: e.currentTarget.value });
  const send = () => {
    let headers: Array<{ key: string; value: string }>;
    try {
      headers = Object.entries(parseProperties(form.headers)).map(([key, value]) => ({ key, value }));
    } catch (e) {
      action.setError((e as Error).message);
      return;
    }
    action.run(
      () =>
        sendJson<ProducedRecord>('POST', `/api/topics/${enc(props.topic)}/records`, {
          partition: form.partition.trim() === '' ? null : Number(form.partition),
          key: form.key === '' ? null : form.key,
          value: form.value,
          headers,
        }),
      (r) => {
        props.onClose();
        props.onDone(r);
      },
    );
  };
  return (
    <ConfirmDialog
      title={`Produce a test record to ${props.topic}`}
      confirmLabel="Produce"
      busy={action.busy}
      error={action.error}
      onConfirm={send}
      onCancel={props.onClose}
    >
      <p>The record is written for real: consumers of the topic will read it.</p>
      <div class="form-grid">
        <label for="produce-partition">Partition</label>
        <input
          id="produce-partition"
          type="number"
          min="0"
          placeholder="empty: chosen by key"
          value={form.partition}
          onInput={set('partition')}
        />
        <label for="produce-key">Key</label>
        <input id="produce-key" value={form.key} onInput={set('key')} placeholder="empty: no key" autoFocus />
        <label for="produce-value">Value</label>
        <textarea id="produce-value" rows={4} value={form.value} onInput={set('value')} />
        <label for="produce-headers">Headers</label>
        <textarea
          id="produce-headers"
          rows={2}
          value={form.headers}
          onInput={set('headers')}
          placeholder="one key=value a line"
        />
      </div>
    </ConfirmDialog>
  );
}
