/**
 * InitProducerId without a transactional id: an idempotent producer gets a new producer id from the broker's
 * ProducerIdManager and epoch 0, from any broker, as Kafka's TransactionCoordinator answers it (the id and epoch the
 * request carries are not needed: an idempotent producer bumps its epoch itself). When no id can be had (ZooKeeper
 * unreachable) the answer is COORDINATOR_NOT_AVAILABLE, which the producer retries. With a transactional id the
 * answer is COORDINATOR_NOT_AVAILABLE too: this broker has no transaction coordinator yet (FindCoordinator says the
 * same).
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

const unavailable: InitProducerIdResponse = {
  throttleTimeMs: 0,
  errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
  producerId: -1,
  producerEpoch: -1,
};

export async function handleInitProducerId(
  s: BrokerServices,
  req: InitProducerIdRequest,
): Promise<InitProducerIdResponse> {
  if (req.transactionalId !== null) return unavailable;
  try {
    const producerId = await s.producerIdManager.generateProducerId();
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch: 0 };
  } catch (e) {
    s.logger.error({ err: e }, 'could not allocate a producer id');
    return unavailable;
  }
}
