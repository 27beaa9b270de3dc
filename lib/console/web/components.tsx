/**
 * Building blocks every view uses: the page frame, error and empty notes, what a view shows while its data loads,
 * the data table (columns described once; rows and cells carry data-* attributes that styles and specs select on),
 * the filter box, forms (fields bound to a form's state, labelled drop-downs), broker id lists coloured by status, the
 * confirmation dialog (a native <dialog>: focus moves into it, Escape cancels, focus returns afterwards) and the
 * time-series chart (uPlot, sized to its container).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { BrokerStatus, Point } from '../api-types.js';

export function Page(props: { title: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="page">
      <header class="page-head">
        <h1>{props.title}</h1>
        {props.actions === undefined ? null : <div class="actions">{props.actions}</div>}
      </header>
      {props.children}
    </section>
  );
}

export interface Column<R> {
  label: string;
  /** A right-aligned number. */
  num?: boolean;
  /** What the column means, shown on hover of its header. */
  title?: string;
  /** The row's header cell (`<th scope="row">`). */
  rowHeader?: boolean;
  /** The cell's `data-cell` name. */
  name?: string;
  /** Extra attributes of the cell (a class, data-* values). */
  attrs?: (row: R) => Record<string, string | undefined>;
  render: (row: R) => ComponentChildren;
}

export function DataTable<R>(props: {
  id: string;
  columns: ReadonlyArray<Column<R>>;
  rows: readonly R[];
  rowKey: (row: R) => string | number;
  /** Marks the row red (something about it needs attention). */
  rowBad?: (row: R) => boolean;
  /** data-* attributes of the row. */
  rowAttrs?: (row: R) => Record<string, string | undefined>;
  /** Shown below the headings when there are no rows. */
  empty?: string;
}) {
  return (
    <div class="table-wrap">
      <table class="data" id={props.id}>
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th key={c.label} scope="col" class={c.num === true ? 'num' : undefined} title={c.title}>
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((row) => (
            <tr
              key={props.rowKey(row)}
              class={props.rowBad?.(row) === true ? 'row-bad' : undefined}
              {...props.rowAttrs?.(row)}
            >
              {props.columns.map((c) => {
                const extra = c.attrs?.(row) ?? {};
                const cls = [c.num === true ? 'num' : '', extra['class'] ?? ''].join(' ').trim() || undefined;
                const attrs = { ...extra, class: cls, 'data-cell': c.name };
                return c.rowHeader === true ? (
                  <th key={c.label} scope="row" {...attrs}>
                    {c.render(row)}
                  </th>
                ) : (
                  <td key={c.label} {...attrs}>
                    {c.render(row)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {props.rows.length === 0 && props.empty !== undefined ? <p class="note">{props.empty}</p> : null}
    </div>
  );
}

/** The page's filter box; "/" focuses it. */
export function Filter(props: { value: string; onInput: (value: string) => void; placeholder: string }) {
  return (
    <label>
      Filter{' '}
      <input
        type="search"
        data-filter
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        placeholder={props.placeholder}
      />
    </label>
  );
}

/** One figure of a row of tiles (inside `<dl class="tiles">`); red when `bad`. */
export function Tile(props: {
  label: string;
  value: ComponentChildren;
  bad?: boolean;
  link?: string;
  small?: boolean;
  title?: string;
  id?: string;
}) {
  return (
    <div class={`tile${props.bad === true ? ' tile-bad' : ''}`} title={props.title}>
      <dt>{props.label}</dt>
      <dd id={props.id} class={props.small === true ? 'small-value' : undefined}>
        {props.link === undefined ? props.value : <a href={props.link}>{props.value}</a>}
      </dd>
    </div>
  );
}

export function ErrorNote(props: { error: { message: string } | string | null }) {
  if (props.error === null) return null;
  return (
    <p class="note error" role="alert">
      {typeof props.error === 'string' ? props.error : props.error.message}
    </p>
  );
}

function Loading() {
  return <p class="note">Loading…</p>;
}

/** What a view loaded (`useApi`): its error, if any; "Loading…" until the first answer; then `children(data)`. */
export function WhenLoaded<T>(props: {
  loaded: { data: T | null; error: { message: string } | null };
  children: (data: T) => ComponentChildren;
}) {
  const { data, error } = props.loaded;
  return (
    <>
      <ErrorNote error={error} />
      {data !== null ? props.children(data) : error === null ? <Loading /> : null}
    </>
  );
}

/**
 * A form's state, every field a string: `bind(name)` gives an input, textarea or select its name, current value
 * and the handler that stores what is typed or chosen.
 */
export function useForm<F extends Record<string, string>>(initial: F) {
  const [form, setForm] = useState<F>(initial);
  const bind = (name: keyof F & string) => ({
    name,
    value: form[name],
    onInput: (e: { currentTarget: { value: string } }) => setForm({ ...form, [name]: e.currentTarget.value }),
  });
  return { form, setForm, bind };
}

/** A labelled drop-down of a toolbar: `options` are [value, text] pairs; the rest goes to the <select>. */
export function Select(props: {
  label: string;
  options: ReadonlyArray<readonly [value: string, text: string]>;
  name: string;
  value: string;
  onInput: (e: { currentTarget: { value: string } }) => void;
}) {
  const { label, options, ...select } = props;
  return (
    <label>
      {label}{' '}
      <select {...select}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Broker ids, each red when its broker is not online (with the reason in its title). */
export function Brokers(props: { ids: readonly number[]; status: (id: number) => BrokerStatus }) {
  if (props.ids.length === 0) return <span>–</span>;
  return (
    <span class="brokers">
      {props.ids.map((id, i) => {
        const s = props.status(id);
        return (
          <span key={id}>
            {i > 0 ? ', ' : ''}
            <span class={s === 'online' ? '' : 'bad-text'} title={s === 'online' ? undefined : `broker ${id}: ${s}`}>
              {id}
            </span>
          </span>
        );
      })}
    </span>
  );
}

export function StatusBadge(props: { status: BrokerStatus }) {
  return <span class={`badge ${props.status === 'online' ? 'good' : 'bad'}`}>{props.status}</span>;
}

/**
 * A change the user asked for: `busy` while its request runs, its `error` message if it failed; `run(request,
 * then)` sends the request and calls `then` with the answer once it succeeded.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = <T,>(request: () => Promise<T>, then: (answer: T) => void) => {
    setBusy(true);
    setError(null);
    request()
      .then((answer) => {
        setBusy(false);
        then(answer);
      })
      .catch((e: Error) => {
        setError(e.message);
        setBusy(false);
      });
  };
  return { busy, error, setError, run };
}

export interface ConfirmProps {
  title: string;
  /** The label of the button that carries the change out, e.g. "Delete topic". */
  confirmLabel: string;
  danger?: boolean;
  /** The change it carries out (`useAction`): busy while its request runs, its error shown. */
  action: { busy: boolean; error: string | null };
  /** Disables the confirm button (e.g. a typed name that does not match yet). */
  confirmDisabled?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  children: ComponentChildren;
}

/** A modal confirmation: nothing happens until its confirm button is pressed. Rendered only while open. */
export function ConfirmDialog(props: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    dialog.showModal();
    return () => {
      dialog.close();
      opener?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        props.onCancel();
      }}
    >
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          if (!props.action.busy && props.confirmDisabled !== true) props.onConfirm();
        }}
      >
        <h2 id="dialog-title">{props.title}</h2>
        <div class="dialog-body">{props.children}</div>
        <ErrorNote error={props.action.error} />
        <div class="dialog-actions">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button
            type="submit"
            class={props.danger === true ? 'danger' : 'primary'}
            disabled={props.action.busy || props.confirmDisabled === true}
          >
            {props.action.busy ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** Steps between time ticks, in seconds: 1 s up to an hour. */
const TIME_STEPS_S = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

function clockTime(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A line chart of one series over time; `format` labels the y axis values. */
export function Chart(props: { points: readonly Point[]; label: string; format: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const data: uPlot.AlignedData = [props.points.map((p) => p.t / 1000), props.points.map((p) => p.v)];
  useEffect(() => {
    const el = box.current!;
    const chart = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height: 180,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [
          { space: 90, incrs: TIME_STEPS_S, values: (_u, ticks) => ticks.map(clockTime) },
          { values: (_u, ticks) => ticks.map(props.format), size: 70 },
        ],
        series: [
          {},
          {
            label: props.label,
            stroke: '#2563eb',
            fill: 'rgba(37, 99, 235, 0.12)',
            width: 2,
            points: { show: false },
          },
        ],
      },
      data,
      el,
    );
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(200, el.clientWidth), height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);
  useEffect(() => plot.current?.setData(data), [props.points]);
  return (
    <figure class="chart">
      <div ref={box} role="img" aria-label={`${props.label} over the last minutes`} />
      <figcaption>
        {props.label}
        {props.points.length < 2 ? ' — collecting samples…' : ''}
      </figcaption>
    </figure>
  );
}
