/**
 * DescribeDelayedRecords (mq's own API): what this broker's delayed delivery holds for the `__delayed_records`
 * partitions it leads (DelayedDeliveryManager.describe). Partitions led elsewhere are simply absent: the admin client
 * asks every broker.
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { DescribeDelayedRecordsRequest, DescribeDelayedRecordsResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export function handleDescribeDelayedRecords(
  s: BrokerServices,
  req: DescribeDelayedRecordsRequest,
): Promise<DescribeDelayedRecordsResponse> {
  const partitions = s.delayedDelivery.describe(req.partitions).map(({ partition, ...rest }) => ({
    partitionIndex: partition,
    ...rest,
  }));
  return Promise.resolve({ throttleTimeMs: 0, errorCode: ErrorCode.NONE, partitions });
}
