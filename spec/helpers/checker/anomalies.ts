/**
 * The checker of the fault scenarios: given what a producer was told, what consumers read and what the log holds
 * at the end, it counts Jepsen's anomalies for Kafka-like logs (the names of jepsen.tests.kafka). Every value is
 * unique (the verifiable producer sends increasing integers), so every anomaly is decidable from the histories.
 *
 * | anomaly | meaning |
 * | --- | --- |
 * | lost-write | an acknowledged value is nowhere in the final log |
 * | inconsistent-offsets | one offset of a partition was seen holding two different values (acks, reads, final log) |
 * | duplicate | one value sits at two offsets (final log), or was read at two offsets |
 * | unexpected | a value was read or is in the log that no producer ever sent |
 * | nonmonotonic-send | in a partition, a value sent later was acknowledged at a lower offset than an earlier one |
 * | nonmonotonic-poll | a consumer read an offset at or below one it had read before, without a new assignment |
 * | poll-skip | a consumer jumped over offsets the final log has, without a new assignment |
 * | nonmonotonic-commit | a partition's committed offset went backwards |
 * | aborted-read | a read_committed consumer saw a value of an aborted transaction |
 * | replica-divergence | replicas of a partition differ below the high watermark (filled in by the replica check) |
 *
 * Pure: no I/O. Values are compared as strings; offsets as numbers.
 */

export const ANOMALY_KINDS = [
  'lost-write',
  'inconsistent-offsets',
  'duplicate',
  'unexpected',
  'nonmonotonic-send',
  'nonmonotonic-poll',
  'poll-skip',
  'nonmonotonic-commit',
  'aborted-read',
  'replica-divergence',
] as const;

export type AnomalyKind = (typeof ANOMALY_KINDS)[number];

/** What the producer was told about one value it sent. */
export interface Send {
  value: string;
  /** Order of sending: later sends have larger numbers. */
  seq: number;
  /** Set for an acknowledged send. */
  ack?: { partition: number; offset: number };
}

/** One consumer's history, in the order it happened. */
export type ConsumerEvent =
  | { kind: 'assigned'; partitions: number[] }
  | { kind: 'revoked'; partitions: number[] }
  | { kind: 'read'; partition: number; offset: number; value: string }
  | { kind: 'committed'; partition: number; offset: number; atMs: number };

export interface ConsumerHistory {
  name: string;
  events: readonly ConsumerEvent[];
  /** It read with isolation.level=read_committed. */
  readCommitted?: boolean;
}

export interface Histories {
  sends: readonly Send[];
  consumers: readonly ConsumerHistory[];
  /** partition → its records at the end (offset order), read after healing. */
  finalLog: ReadonlyMap<number, readonly { offset: number; value: string }[]>;
  /** Values written in transactions that were aborted. */
  aborted?: ReadonlySet<string>;
}

export interface AnomalyReport {
  counts: Record<AnomalyKind, number>;
  /** A few examples of each anomaly found, for the failure message. */
  examples: Record<AnomalyKind, string[]>;
}

const EXAMPLES_KEPT = 5;

export function emptyReport(): AnomalyReport {
  return {
    counts: Object.fromEntries(ANOMALY_KINDS.map((k) => [k, 0])) as Record<AnomalyKind, number>,
    examples: Object.fromEntries(ANOMALY_KINDS.map((k) => [k, []])) as unknown as Record<AnomalyKind, string[]>,
  };
}

export function addAnomaly(report: AnomalyReport, kind: AnomalyKind, example: string): void {
  report.counts[kind]++;
  if (report.examples[kind].length < EXAMPLES_KEPT) report.examples[kind].push(example);
}

/** Total anomalies in a report. */
export function anomalyCount(report: AnomalyReport): number {
  return ANOMALY_KINDS.reduce((n, k) => n + report.counts[k], 0);
}

export function checkHistories(h: Histories): AnomalyReport {
  const report = emptyReport();
  const sent = new Map(h.sends.map((s) => [s.value, s]));
  checkFinalLog(h, sent, report);
  checkOffsets(h, report);
  checkSends(h, report);
  for (const c of h.consumers) checkConsumer(c, h, sent, report);
  checkCommits(h, report);
  return report;
}

/** lost-write, duplicate and unexpected values in the final log. */
function checkFinalLog(h: Histories, sent: ReadonlyMap<string, Send>, report: AnomalyReport): void {
  const where = new Map<string, string>();
  for (const [partition, records] of h.finalLog) {
    for (const { offset, value } of records) {
      const at = `${partition}@${offset}`;
      const seen = where.get(value);
      if (seen !== undefined) addAnomaly(report, 'duplicate', `value ${value} at ${seen} and ${at}`);
      else where.set(value, at);
      if (!sent.has(value)) addAnomaly(report, 'unexpected', `value ${value} at ${at} was never sent`);
    }
  }
  for (const s of h.sends) {
    if (s.ack !== undefined && !where.has(s.value))
      addAnomaly(report, 'lost-write', `value ${s.value} acknowledged at ${s.ack.partition}@${s.ack.offset}`);
  }
}

/** inconsistent-offsets: acks, reads and the final log must agree on what each offset holds. */
function checkOffsets(h: Histories, report: AnomalyReport): void {
  const holds = new Map<string, { value: string; source: string }>();
  const see = (partition: number, offset: number, value: string, source: string) => {
    const key = `${partition}@${offset}`;
    const known = holds.get(key);
    if (known === undefined) holds.set(key, { value, source });
    else if (known.value !== value)
      addAnomaly(report, 'inconsistent-offsets', `${key}: ${known.value} (${known.source}), ${value} (${source})`);
  };
  for (const [partition, records] of h.finalLog) {
    for (const r of records) see(partition, r.offset, r.value, 'final log');
  }
  for (const s of h.sends) if (hasOffset(s)) see(s.ack.partition, s.ack.offset, s.value, 'acknowledged');
  for (const c of h.consumers) {
    for (const e of c.events) if (e.kind === 'read') see(e.partition, e.offset, e.value, `read by ${c.name}`);
  }
}

/**
 * Whether a send was acknowledged with its offset. An acknowledgement may come without one (-1): the answer
 * DUPLICATE_SEQUENCE_NUMBER to a batch sent again that the leader holds but no longer knows the offsets of. Such a
 * value still counts for lost-write; the offset checks skip it.
 */
function hasOffset(s: Send): s is Send & { ack: NonNullable<Send['ack']> } {
  return s.ack !== undefined && s.ack.offset >= 0;
}

/** nonmonotonic-send: per partition, acknowledged offsets increase with the order of sending. */
function checkSends(h: Histories, report: AnomalyReport): void {
  const byPartition = new Map<number, Send[]>();
  for (const s of h.sends) {
    if (!hasOffset(s)) continue;
    const list = byPartition.get(s.ack.partition) ?? [];
    list.push(s);
    byPartition.set(s.ack.partition, list);
  }
  for (const [partition, list] of byPartition) {
    list.sort((a, b) => a.seq - b.seq);
    for (let i = 1; i < list.length; i++) {
      const [prev, next] = [list[i - 1]!, list[i]!];
      if (next.ack!.offset <= prev.ack!.offset) {
        addAnomaly(
          report,
          'nonmonotonic-send',
          `partition ${partition}: ${prev.value} at ${prev.ack!.offset}, then ${next.value} at ${next.ack!.offset}`,
        );
      }
    }
  }
}

/** nonmonotonic-poll, poll-skip, duplicate reads, unexpected reads and aborted reads of one consumer. */
function checkConsumer(c: ConsumerHistory, h: Histories, sent: ReadonlyMap<string, Send>, report: AnomalyReport): void {
  /** partition → offset of the last read in the current assignment (undefined: none yet). */
  const last = new Map<number, number | undefined>();
  // What the consumer should have read: every record, but those of aborted transactions under read_committed.
  const offsetsIn = new Map<number, number[]>();
  for (const [p, records] of h.finalLog) {
    const visible = c.readCommitted ? records.filter((r) => !h.aborted?.has(r.value)) : records;
    offsetsIn.set(
      p,
      visible.map((r) => r.offset),
    );
  }
  const readAt = new Map<string, string>();
  for (const e of c.events) {
    switch (e.kind) {
      case 'assigned':
      case 'revoked':
        for (const p of e.partitions) last.set(p, undefined);
        break;
      case 'read': {
        const at = `${e.partition}@${e.offset}`;
        const before = readAt.get(e.value);
        if (before !== undefined && before !== at)
          addAnomaly(report, 'duplicate', `${c.name} read value ${e.value} at ${before} and ${at}`);
        readAt.set(e.value, at);
        if (!sent.has(e.value)) addAnomaly(report, 'unexpected', `${c.name} read value ${e.value} at ${at}`);
        if (c.readCommitted && h.aborted?.has(e.value))
          addAnomaly(report, 'aborted-read', `${c.name} read aborted value ${e.value} at ${at}`);
        const prev = last.get(e.partition);
        if (prev !== undefined) {
          if (e.offset <= prev) {
            addAnomaly(report, 'nonmonotonic-poll', `${c.name} read ${e.partition}@${prev}, then ${at}`);
          } else {
            const skipped = (offsetsIn.get(e.partition) ?? []).filter((o) => o > prev && o < e.offset);
            if (skipped.length > 0)
              addAnomaly(
                report,
                'poll-skip',
                `${c.name} read ${e.partition}@${prev}, then ${at}, skipping ${skipped.length} offset(s)`,
              );
          }
        }
        last.set(e.partition, e.offset);
        break;
      }
      case 'committed':
        break;
    }
  }
}

/** nonmonotonic-commit: every consumer's successful commits, in time order, never move a partition backwards. */
function checkCommits(h: Histories, report: AnomalyReport): void {
  const commits = h.consumers
    .flatMap((c) => c.events.filter((e) => e.kind === 'committed').map((e) => ({ ...e, consumer: c.name })))
    .sort((a, b) => a.atMs - b.atMs);
  const highest = new Map<number, { offset: number; consumer: string }>();
  for (const c of commits) {
    const prev = highest.get(c.partition);
    if (prev !== undefined && c.offset < prev.offset) {
      addAnomaly(
        report,
        'nonmonotonic-commit',
        `partition ${c.partition}: ${prev.consumer} committed ${prev.offset}, then ${c.consumer} committed ${c.offset}`,
      );
    }
    if (prev === undefined || c.offset > prev.offset)
      highest.set(c.partition, { offset: c.offset, consumer: c.consumer });
  }
}
