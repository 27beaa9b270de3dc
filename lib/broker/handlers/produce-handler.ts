/**
 * Produce: appends each partition's record batches on this broker as leader (ReplicaManager.appendRecords) and
 * answers per partition, with the records validation refused in `recordErrors`. acks=0 gets no response; if any
 * partition failed, the connection is closed after the request's turn, as Kafka does, so the producer learns of it
 * by the disconnect.
 */
import type { RequestContext } from '../../network/request-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import { groupByTopic } from '../../common/topic-partition.js';
import type { ProducePartitionResult } from '../../replication/delayed-produce.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

type Entry = { topic: string; partition: number; records: Buffer };

const rejected = (e: Entry, errorCode: number, errorMessage: string): ProducePartitionResult => ({
  topic: e.topic,
  partition: e.partition,
  errorCode,
  baseOffset: -1,
  logAppendTimeMs: -1,
  logStartOffset: -1,
  errorMessage,
});

function append(s: BrokerServices, req: ProduceRequest, entries: Entry[]): Promise<ProducePartitionResult[]> {
  const acks = req.acks;
  if (acks !== 0 && acks !== 1 && acks !== -1) {
    return Promise.resolve(
      entries.map((e) => rejected(e, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1; got ${acks}.`)),
    );
  }
  return s.replicaManager.appendRecords({ acks, timeoutMs: req.timeoutMs, entries });
}

export async function handleProduce(
  s: BrokerServices,
  ctx: RequestContext,
  req: ProduceRequest,
): Promise<ProduceResponse | null> {
  // Plain loops, no closure or intermediate array per request: this runs for every produced batch.
  const entries: Entry[] = [];
  for (const t of req.topicData) {
    for (const p of t.partitionData) entries.push({ topic: t.name, partition: p.index, records: p.records });
  }
  const acks = req.acks;
  const results = await append(s, req, entries);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    if (r.baseOffset >= 0) s.topicStats.recordProduced(r.topic, entries[i]!.records);
  }
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
      recordErrors:
        r.recordErrors === undefined || r.recordErrors.length === 0
          ? []
          : r.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message })),
      errorMessage: r.errorMessage ?? null,
    })).map(({ name, items }) => ({ name, partitionResponses: items })),
    throttleTimeMs: 0,
  };
}
