/**
 * The broker's side of a controlled shutdown (Kafka's `KafkaServer.controlledShutdown`): before it stops serving,
 * a broker asks the active controller to move the leadership of its partitions to other in-sync replicas and to
 * take it out of the ISRs it belongs to, so that producers and consumers see leadership move (retriable
 * NOT_LEADER_OR_FOLLOWER, a metadata refresh) instead of a dead leader and a session timeout.
 *
 * Up to `controlled.shutdown.max.retries` attempts, `controlled.shutdown.retry.backoff.ms` apart: an attempt
 * fails when no controller is known, the controller cannot be reached or answers an error, or partitions remain
 * that it could not move (no other live in-sync replica). When this broker is the controller it calls its own
 * controller. After the last failed attempt the broker shuts down anyway, as Kafka does (logged as a warning).
 *
 * Called once by `Broker.shutdown`, while the broker still serves requests.
 */
import { ApiError, apiErrorFromCode } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { ErrorCode, errorNameOf } from '../common/error-codes.js';
import type { TopicPartition } from '../common/topic-partition.js';
import type { KafkaController } from '../controller/controller.js';
import { NetworkClient } from '../network/network-client.js';
import type { ClientSecurity } from '../network/security/client-security.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { MetadataCache } from '../replication/metadata-cache.js';

export interface ControlledShutdownOptions {
  brokerId: number;
  /** The czxid of this broker's current registration (KIP-380). */
  brokerEpoch: number;
  metadataCache: MetadataCache;
  controller: KafkaController;
  maxRetries: number;
  retryBackoffMs: number;
  requestTimeoutMs: number;
  /** The inter-broker listener's TLS and SASL settings. */
  security: ClientSecurity;
  logger: Logger;
}

/** Runs the attempts; resolves true when the controller moved everything away, false when the broker stops anyway. */
export async function controlledShutdown(opts: ControlledShutdownOptions): Promise<boolean> {
  const log = opts.logger.child({ component: 'ControlledShutdown' });
  for (let attempt = 1; attempt <= Math.max(1, opts.maxRetries); attempt++) {
    const started = performance.now();
    try {
      const remaining = await attemptOnce(opts);
      if (remaining.length === 0) {
        log.info(
          { attempt, ms: Math.round(performance.now() - started) },
          'controlled shutdown succeeded: leadership moved away',
        );
        return true;
      }
      log.warn(
        {
          attempt,
          remaining: remaining.slice(0, 10).map((tp) => `${tp.topic}-${tp.partition}`),
          count: remaining.length,
        },
        'controlled shutdown left partitions led here (no other live in-sync replica); retrying',
      );
    } catch (err) {
      log.warn({ attempt, err }, 'controlled shutdown attempt failed; retrying');
    }
    if (attempt < opts.maxRetries) await new Promise((r) => setTimeout(r, opts.retryBackoffMs));
  }
  log.warn(
    { attempts: opts.maxRetries },
    'controlled shutdown did not complete; shutting down anyway (raise ' +
      'controlled.shutdown.max.retries, or add in-sync replicas for the partitions listed above)',
  );
  return false;
}

async function attemptOnce(opts: ControlledShutdownOptions): Promise<TopicPartition[]> {
  const controllerId = opts.metadataCache.controllerId;
  if (controllerId === null || controllerId < 0) throw new ApiError('NOT_CONTROLLER', 'No controller is known yet.');
  if (controllerId === opts.brokerId) return opts.controller.controlledShutdown(opts.brokerId, opts.brokerEpoch);
  const broker = opts.metadataCache.broker(controllerId);
  if (!broker || broker.port < 0)
    throw new ApiError('NOT_CONTROLLER', `Controller ${controllerId} has no known endpoint.`);
  const client = await NetworkClient.connect({
    host: broker.host,
    port: broker.port,
    clientId: `broker-${opts.brokerId}-shutdown`,
    requestTimeoutMs: opts.requestTimeoutMs,
    security: opts.security,
    logger: opts.logger,
  });
  try {
    const res = await client.send(ApiKey.ControlledShutdown, 0, {
      brokerId: opts.brokerId,
      brokerEpoch: opts.brokerEpoch,
    });
    if (res.errorCode !== ErrorCode.NONE)
      throw apiErrorFromCode(res.errorCode, `Controller ${controllerId} answered ${errorNameOf(res.errorCode)}.`);
    return res.remainingPartitions.map((p) => ({ topic: p.topicName, partition: p.partitionIndex }));
  } finally {
    await client.close();
  }
}
