/**
 * The topics and payloads the client benchmarks write: a topic created when missing (partitions, replication
 * factor and topic configs given by the bench), and record values of random uppercase letters as Kafka's
 * perf-test tools fill theirs. Nothing here measures; it sets up what is measured. The admin connections it opens
 * use the security configs (security.protocol, sasl.*, ssl.*) of the client props the bench was given, so that a
 * bench runs against TLS and SASL listeners as it does against plaintext ones.
 */
import { Admin } from '../client/admin/admin.js';

export interface BenchTopicSpec {
  partitions: number;
  replicationFactor: number;
  /** Topic config overrides, e.g. { 'min.insync.replicas': '2' }. */
  configs?: Readonly<Record<string, string>>;
}

/** The security configs among a client's props (security.protocol, sasl.*, ssl.*), for the bench's admin. */
export function securityProps(props: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return Object.fromEntries(Object.entries(props).filter(([k]) => /^(security\.protocol$|sasl\.|ssl\.)/.test(k)));
}

/** Creates `topic` unless it exists, waiting up to `timeoutMs` (a topic of 10,000 partitions takes a while). */
export async function ensureTopic(
  bootstrapServers: string,
  topic: string,
  spec: BenchTopicSpec,
  timeoutMs = 60000,
  clientProps: Readonly<Record<string, unknown>> = {},
): Promise<void> {
  const admin = new Admin({
    ...securityProps(clientProps),
    'bootstrap.servers': bootstrapServers,
    'request.timeout.ms': timeoutMs,
    'default.api.timeout.ms': timeoutMs,
  });
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics(
        [
          {
            name: topic,
            numPartitions: spec.partitions,
            replicationFactor: spec.replicationFactor,
            ...(spec.configs === undefined ? {} : { configs: spec.configs }),
          },
        ],
        { timeoutMs },
      );
    }
  } finally {
    await admin.close();
  }
}

/** `size` random uppercase letters. */
export function randomPayload(size: number): Buffer {
  const payload = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) payload[i] = 65 + Math.floor(Math.random() * 26);
  return payload;
}
