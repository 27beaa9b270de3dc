/**
 * InitProducerId: a producer id and epoch, from the TransactionCoordinator. Without a transactional id any broker
 * answers (a new producer id, epoch 0: an idempotent producer bumps its epoch itself); with one, the coordinator of
 * the id's `__transaction_state` partition (NOT_COORDINATOR elsewhere), which fences the id's older producers. The
 * request's producer id and epoch (KIP-360) are the producer's current ones, -1/-1 when it has none. When no id can
 * be had (ZooKeeper unreachable) the answer is COORDINATOR_NOT_AVAILABLE, which producers retry.
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleInitProducerId(
  s: BrokerServices,
  req: InitProducerIdRequest,
): Promise<InitProducerIdResponse> {
  const expected =
    req.producerId === -1 && req.producerEpoch === -1
      ? undefined
      : { producerId: req.producerId, producerEpoch: req.producerEpoch };
  try {
    const result = await s.transactionCoordinator.handleInitProducerId(
      req.transactionalId,
      req.transactionTimeoutMs,
      expected,
    );
    return { throttleTimeMs: 0, ...result };
  } catch (e) {
    s.logger.error({ err: e }, 'could not allocate a producer id');
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
}
