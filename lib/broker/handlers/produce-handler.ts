/**
 * Produce: appends each partition's record batches on this broker as leader (ReplicaManager.appendRecords) and
 * answers per partition. acks=0 gets no response; if any partition failed, the connection is closed after the
 * request's turn, as Kafka does, so the producer learns of it by the disconnect.
 */
import type { RequestContext } from '../../network/request-context.js';
import { ErrorCode } from '../../common/error-codes.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/index.js';
import { groupByTopic, type BrokerServices } from './broker-services.js';

export async function handleProduce(s: BrokerServices, ctx: RequestContext, req: ProduceRequest): Promise<ProduceResponse | null> {
  const entries = req.topicData.flatMap((t) => t.partitionData.map((p) => ({ topic: t.name, partition: p.index, records: p.records })));
  const acks = req.acks;
  const results = acks === 0 || acks === 1 || acks === -1
    ? await s.replicaManager.appendRecords({ acks, timeoutMs: req.timeoutMs, entries })
    : entries.map((e) => ({
      topic: e.topic, partition: e.partition, errorCode: ErrorCode.INVALID_REQUIRED_ACKS, baseOffset: -1,
      logAppendTimeMs: -1, logStartOffset: -1, errorMessage: `acks must be -1, 0 or 1; got ${acks}.`,
    }));
  if (acks === 0) {
    if (results.some((r) => r.errorCode !== 0)) ctx.closeConnectionAfterResponse = true;
    return null;
  }
  return {
    responses: groupByTopic(results, (r) => ({
      index: r.partition,
      errorCode: r.errorCode,
      baseOffset: r.baseOffset,
      logAppendTimeMs: r.logAppendTimeMs,
      logStartOffset: r.logStartOffset,
      recordErrors: [],
      errorMessage: r.errorMessage ?? null,
    })).map(({ name, items }) => ({ name, partitionResponses: items })),
    throttleTimeMs: 0,
  };
}
