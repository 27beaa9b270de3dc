/**
 * One record batch of one partition as the user reads it: `eachBatch` receives it, and the async iterator walks
 * it. Iterating decodes one record per step (lib/record's `RecordIterator`: key, value and header values are
 * views into the fetched buffer, not copies), skips records below the partition's position (a batch fetched from
 * its middle), and advances the position past each record it hands out — unless the partition was sought,
 * paused or reassigned meanwhile, in which case iteration ends.
 */
import type { Record, RecordIterator } from '../../record/record.js';
import type { TopicPartitionState } from './subscription-state.js';

export class ConsumerBatch implements IterableIterator<Record> {
  readonly topic: string;
  readonly partition: number;

  constructor(
    private readonly state: TopicPartitionState,
    private readonly epoch: number,
    private readonly records: RecordIterator,
    /** Offset of the first record in the batch (it may be below the position). */
    readonly baseOffset: number,
    /** Offset of the last record in the batch. */
    readonly lastOffset: number,
    /** The partition's high watermark when it was fetched: `highWatermark - offset - 1` is the lag after a record. */
    readonly highWatermark: number,
    /** What the records' timestamps are: the producer's create time, or the leader's append time (topic config). */
    readonly timestampType: 'CreateTime' | 'LogAppendTime',
  ) {
    this.topic = state.topic;
    this.partition = state.partition;
  }

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Record> {
    const state = this.state;
    for (;;) {
      if (state.epoch !== this.epoch) return { done: true, value: undefined };
      const step = this.records.next();
      if (step.done === true) return step;
      const offset = step.value.offset;
      if (offset < state.position!) continue;
      state.position = offset + 1;
      return step;
    }
  }

  /** Marks the whole batch consumed (after an `eachBatch` handler that did not iterate every record). */
  markConsumed(): void {
    if (this.state.epoch === this.epoch && this.state.position! <= this.lastOffset)
      this.state.position = this.lastOffset + 1;
  }
}
