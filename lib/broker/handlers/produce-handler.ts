/**
 * Produce: appends each partition's record batches on this broker as leader (ReplicaManager.appendRecords) and
 * answers per partition. acks=0 gets no response; if any partition failed, the connection is closed after the
 * request's turn, as Kafka does, so the producer learns of it by the disconnect.
 *
 * Partitions of compacted topics are checked for keyless records first (INVALID_RECORD with the record's
 * batchIndex, nothing appended for that partition), as Kafka's LogValidator does; other partitions of the same
 * request are appended as usual.
 */
import type { RequestContext } from '../../network/request-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { findKeylessRecord } from '../../log/compacted-key-check.js';
import { hasCompactPolicy } from '../../log/log-config.js';
import type { ProducePartitionResult } from '../../replication/delayed-produce.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/index.js';
import { groupByTopic, type BrokerServices } from './broker-services.js';

type Entry = { topic: string; partition: number; records: Buffer };
type Rejection = ProducePartitionResult & {
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
};

const rejected = (e: Entry, errorCode: number, errorMessage: string): ProducePartitionResult => ({
  topic: e.topic,
  partition: e.partition,
  errorCode,
  baseOffset: -1,
  logAppendTimeMs: -1,
  logStartOffset: -1,
  errorMessage,
});

function isCompacted(s: BrokerServices, e: Entry): boolean {
  const partition = s.replicaManager.getPartition(e.topic, e.partition);
  return partition !== undefined && hasCompactPolicy(partition.log.config);
}

/** The rejection of a compacted topic's entry holding a keyless record, or null when it may be appended. */
async function checkKeys(e: Entry): Promise<Rejection | null> {
  const keyless = await findKeylessRecord(e.records);
  if (!keyless) return null;
  const message =
    `Compacted topic cannot accept message without key in topic partition ${e.topic}-${e.partition} ` +
    `(batch ${keyless.batchNumber}, record ${keyless.batchIndex}). Give every record a key, or use cleanup.policy=delete.`;
  return {
    ...rejected(e, ErrorCode.INVALID_RECORD, message),
    recordErrors: [{ batchIndex: keyless.batchIndex, batchIndexErrorMessage: message }],
  };
}

async function append(
  s: BrokerServices,
  req: ProduceRequest,
  entries: Entry[],
): Promise<(ProducePartitionResult | Rejection)[]> {
  const acks = req.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1) {
    return entries.map((e) => rejected(e, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1; got ${acks}.`));
  }
  const compacted = entries.map((e) => isCompacted(s, e));
  if (!compacted.includes(true)) return s.replicaManager.appendRecords({ acks, timeoutMs: req.timeoutMs, entries });
  const rejections = await Promise.all(entries.map((e, i) => (compacted[i] ? checkKeys(e) : Promise.resolve(null))));
  const accepted = entries.filter((_, i) => rejections[i] === null);
  const appended =
    accepted.length > 0
      ? await s.replicaManager.appendRecords({ acks, timeoutMs: req.timeoutMs, entries: accepted })
      : [];
  let next = 0;
  return rejections.map((r) => r ?? appended[next++]!);
}

export async function handleProduce(
  s: BrokerServices,
  ctx: RequestContext,
  req: ProduceRequest,
): Promise<ProduceResponse | null> {
  const entries = req.topicData.flatMap((t) =>
    t.partitionData.map((p) => ({ topic: t.name, partition: p.index, records: p.records })),
  );
  const acks = req.acks;
  const results = await append(s, req, entries);
  results.forEach((r, i) => {
    if (r.baseOffset >= 0) s.topicStats.recordProduced(r.topic, entries[i]!.records);
  });
  if (acks === 0) {
    if (results.some((r) => r.errorCode !== ErrorCode.NONE)) ctx.closeConnectionAfterResponse = true;
    return null;
  }
  return {
    responses: groupByTopic(results, (r) => ({
      index: r.partition,
      errorCode: r.errorCode,
      baseOffset: r.baseOffset,
      logAppendTimeMs: r.logAppendTimeMs,
      logStartOffset: r.logStartOffset,
      recordErrors: 'recordErrors' in r ? r.recordErrors : [],
      errorMessage: r.errorMessage ?? null,
    })).map(({ name, items }) => ({ name, partitionResponses: items })),
    throttleTimeMs: 0,
  };
}
