/**
 * How the controller asks a broker that reported a failed log dir which replicas it still serves (its
 * `ServedReplicasQuery`): this broker's own ReplicaManager directly, another broker with a DescribeLogDirs request to
 * its inter-broker endpoint (a connection per question, closed after the answer). The answer's failed dirs carry
 * KAFKA_STORAGE_ERROR and list nothing, as in Kafka; every replica listed under a live dir is served.
 *
 * Rejects when the broker is unknown to the metadata cache, cannot be reached within `requestTimeoutMs`, or
 * answers nothing usable; the controller asks again while the broker stays registered.
 */
import { ErrorCode } from '../common/error-codes.js';
import { ApiError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { tpKey } from '../common/topic-partition.js';
import type { ServedReplicas } from '../controller/controller-events.js';
import type { ServedReplicasQuery } from '../controller/controller.js';
import { NetworkClient } from '../network/network-client.js';
import { ApiKey } from '../protocol/api-keys.js';
import type { DescribeLogDirsResponse } from '../protocol/messages/index.js';
import type { MetadataCache } from '../replication/metadata-cache.js';
import type { ReplicaManager } from '../replication/replica-manager.js';

export interface ServedReplicasQueryOptions {
  brokerId: number;
  replicaManager: ReplicaManager;
  metadataCache: MetadataCache;
  requestTimeoutMs: number;
  logger: Logger;
}

export function servedReplicasQuery(opts: ServedReplicasQueryOptions): ServedReplicasQuery {
  return async (brokerId) => {
    if (brokerId === opts.brokerId) {
      const dirs = opts.replicaManager.describeLogDirs(null);
      return servedFrom(
        dirs.map((d) => ({
          errorCode: d.errorCode,
          logDir: d.logDir,
          keys: d.partitions.filter((p) => !p.isFuture).map((p) => tpKey(p.topic, p.partition)),
        })),
      );
    }
    const broker = opts.metadataCache.broker(brokerId);
    if (!broker || broker.port < 0)
      throw new ApiError('BROKER_NOT_AVAILABLE', `Broker ${brokerId} has no known inter-broker endpoint.`);
    const client = await NetworkClient.connect({
      host: broker.host,
      port: broker.port,
      clientId: `controller-${opts.brokerId}`,
      requestTimeoutMs: opts.requestTimeoutMs,
      logger: opts.logger,
    });
    try {
      const res: DescribeLogDirsResponse = await client.send(ApiKey.DescribeLogDirs, 0, { topics: null });
      return servedFrom(
        res.results.map((d) => ({
          errorCode: d.errorCode,
          logDir: d.logDir,
          keys: d.topics.flatMap((t) =>
            t.partitions.filter((p) => !p.isFutureKey).map((p) => tpKey(t.name, p.partitionIndex)),
          ),
        })),
      );
    } finally {
      await client.close();
    }
  };
}

function servedFrom(dirs: { errorCode: number; logDir: string; keys: string[] }[]): ServedReplicas {
  return {
    offlineLogDirs: dirs.filter((d) => d.errorCode === ErrorCode.KAFKA_STORAGE_ERROR).map((d) => d.logDir),
    replicas: new Set(dirs.filter((d) => d.errorCode === ErrorCode.NONE).flatMap((d) => d.keys)),
  };
}
