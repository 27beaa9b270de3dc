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
import { ConfirmDialog, Page, Select, useAction, useForm, WhenLoaded } from '../components.js';
import { bytes, count, timestamp } from '../format.js';
import { href } from '../router.js';
import { parseProperties } from './properties.js';

type FromKind = 'end' | 'beginning' | 'offset' | 'timestamp';

type Query = {
  from: FromKind;
  offset: string;
  /** datetime-local value (local time). */
  time: string;
  order: 'newest' | 'oldest';
  limit: string;
  key: string;
};

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

const FROM_OPTIONS = [
  ['end', 'the end'],
  ['beginning', 'the beginning'],
  ['offset', 'offset'],
  ['timestamp', 'time'],
] as const;
const ORDER_OPTIONS = [
  ['newest', 'newest first'],
  ['oldest', 'oldest first'],
] as const;
const DECODE_OPTIONS = [
  ['auto', 'auto'],
  ['text', 'text'],
  ['json', 'JSON'],
  ['hex', 'hex'],
] as const;

export function RecordsView(props: { snapshot: ClusterSnapshot; topic: string; partition: number }) {
  const { form, setForm, bind } = useForm<Query>(NEWEST);
  const [query, setQuery] = useState<{ q: Query; at: number | null; n: number }>({ q: form, at: null, n: 0 });
  const [mode, setMode] = useState<DecodeMode>('auto');
  const [producing, setProducing] = useState(false);
  const [produced, setProduced] = useState<ProducedRecord | null>(null);
  const path = recordsPath(props.topic, props.partition, query.q, query.at);
  const loaded = useApi<RecordPage>(path, query.n);
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
        <Select label="From" options={FROM_OPTIONS} {...bind('from')} />
        {form.from === 'offset' ? <input aria-label="Offset" type="number" min="0" {...bind('offset')} /> : null}
        {form.from === 'timestamp' ? (
          <input aria-label="Time" type="datetime-local" step="1" {...bind('time')} required />
        ) : null}
        <Select label="Order" options={ORDER_OPTIONS} {...bind('order')} />
        <label>
          Limit <input type="number" min="1" max="500" {...bind('limit')} class="short" />
        </label>
        <label>
          Key contains <input type="search" data-filter {...bind('key')} />
        </label>
        <button type="submit" class="primary">
          Show
        </button>
        <Select
          label="Decode"
          options={DECODE_OPTIONS}
          name="decode"
          value={mode}
          onInput={(e) => setMode(e.currentTarget.value as DecodeMode)}
        />
      </form>
      {produced === null ? null : (
        <p class="note good" role="status">
          Test record written to partition {produced.partition} at offset {produced.offset}.
        </p>
      )}
      <WhenLoaded loaded={loaded}>
        {(data) => (
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
      </WhenLoaded>
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
  const { form, bind } = useForm({ partition: String(props.partition), key: '', value: '', headers: '' });
  const action = useAction();
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
      action={action}
      onConfirm={send}
      onCancel={props.onClose}
    >
      <p>The record is written for real: consumers of the topic will read it.</p>
      <div class="form-grid">
        <label for="produce-partition">Partition</label>
        <input id="produce-partition" type="number" min="0" placeholder="empty: chosen by key" {...bind('partition')} />
        <label for="produce-key">Key</label>
        <input id="produce-key" {...bind('key')} placeholder="empty: no key" autoFocus />
        <label for="produce-value">Value</label>
        <textarea id="produce-value" rows={4} {...bind('value')} />
        <label for="produce-headers">Headers</label>
        <textarea id="produce-headers" rows={2} {...bind('headers')} placeholder="one key=value a line" />
      </div>
    </ConfirmDialog>
  );
}
