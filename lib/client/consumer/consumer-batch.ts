/**
 * One poll's worth of records of one partition, as the user reads them: `eachBatch` receives it, `eachMessage` and
 * the async iterator walk it. It covers one record batch, or a part of one: it hands out at most `maxRecords`
 * (max.poll.records), and the rest of the record batch follows in the next ConsumerBatch (`continuation()`), so the
 * work between two polls is bounded however large the producer's batches are.
 *
 * Iterating decodes one record per step (lib/record's `RecordIterator`, yielding `LazyRecord`s: offset, timestamp and
 * `serializedKeySize`/`serializedValueSize` at once; key, value and header values made on first access as views into
 * the fetched buffer, not copies), skips records below the partition's position (a batch fetched from its middle),
 * and advances the position past each record it hands out — unless the partition was sought, paused or reassigned
 * meanwhile, in which case iteration ends. The reader tells it when the application finished with what it handed out
 * (`markProcessed`, `finish`), which is what commits store.
 * Ownership: the parts of one record batch share its RecordIterator; only the newest part is iterated.
 */
import type { LazyRecord } from '../../record/lazy-record.js';
import type { RecordIterator } from '../../record/record.js';
import type { TopicPartitionState } from './subscription-state.js';

export class ConsumerBatch implements IterableIterator<LazyRecord> {
  readonly topic: string;
  readonly partition: number;
  /** Records handed out so far. */
  private handed = 0;

  constructor(
    private readonly state: TopicPartitionState,
    private readonly epoch: number,
    private readonly records: RecordIterator,
    /** Offset of the first record in the record batch (it may be below the position). */
    readonly baseOffset: number,
    /** Offset of the last record in the record batch. */
    readonly lastOffset: number,
    /**
     * What the consumer could read up to when this was fetched — the partition's high watermark, or with
     * read_committed its last stable offset: `highWatermark - offset - 1` is the lag after a record.
     */
    readonly highWatermark: number,
    /** What the records' timestamps are: the producer's create time, or the leader's append time (topic config). */
    readonly timestampType: 'CreateTime' | 'LogAppendTime',
    /** max.poll.records: the most records this part hands out. */
    private readonly maxRecords: number,
  ) {
    this.topic = state.topic;
    this.partition = state.partition;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<LazyRecord> {
    const state = this.state;
    for (;;) {
      if (state.epoch !== this.epoch || this.handed === this.maxRecords) return { done: true, value: undefined };
      const step = this.records.next();
      if (step.done === true) return step;
      const offset = step.value.offset;
      if (offset < state.position!) continue;
      state.position = offset + 1;
      this.handed++;
      return step;
    }
  }

  /**
   * Marks this part consumed (after an `eachBatch` handler that did not iterate every record): the position moves
   * past the records it would have handed out.
   */
  private markConsumed(): void {
    if (this.state.epoch !== this.epoch) return;
    if (this.records.remaining <= this.maxRecords - this.handed) {
      if (this.state.position! <= this.lastOffset) this.state.position = this.lastOffset + 1;
    } else {
      while (this.next().done !== true);
    }
  }

  /** The application finished with the record at `offset` (its eachMessage resolved, or the iterator moved on). */
  markProcessed(offset: number): void {
    this.state.markProcessed(offset + 1);
  }

  /**
   * After the eachBatch handler resolved: this part counts as consumed (`markConsumed`) and everything handed out up
   * to the position as processed; what the handler left behind by seeking stays as it said.
   */
  finish(): void {
    this.markConsumed();
    const position = this.state.position;
    if (position !== null) this.state.markProcessed(position);
  }

  /** The rest of the record batch, when max.poll.records cut this part short and the partition did not move. */
  continuation(): ConsumerBatch | null {
    if (this.state.epoch !== this.epoch || this.handed < this.maxRecords || this.records.remaining === 0) return null;
    return new ConsumerBatch(
      this.state,
      this.epoch,
      this.records,
      this.baseOffset,
      this.lastOffset,
      this.highWatermark,
      this.timestampType,
      this.maxRecords,
    );
  }
}
