/**
 * ControlledShutdown: served by the active controller for a broker about to stop. The controller moves the
 * leadership of the partitions that broker leads to other in-sync replicas and takes it out of the ISRs of the
 * partitions it follows; the answer lists the partitions it still leads (no other live in-sync replica), for
 * which the broker retries. NOT_CONTROLLER / BROKER_NOT_AVAILABLE / STALE_BROKER_EPOCH come back as the
 * response's errorCode (thrown ApiErrors are answered with their code by the connection).
 */
import { ErrorCode } from '../../common/error-codes.js';
import type { ControlledShutdownRequest, ControlledShutdownResponse } from '../../protocol/messages/index.js';
import type { BrokerServices } from './broker-services.js';

export async function handleControlledShutdown(
  s: BrokerServices,
  req: ControlledShutdownRequest,
): Promise<ControlledShutdownResponse> {
  const remaining = await s.controller.controlledShutdown(req.brokerId, req.brokerEpoch);
  return {
    errorCode: ErrorCode.NONE,
    remainingPartitions: remaining.map((tp) => ({ topicName: tp.topic, partitionIndex: tp.partition })),
  };
}
