/**
 * Every znode mq uses, with its path and payload codec: Kafka 2.8's ZooKeeper layout byte for byte, so that an
 * operator who knows Kafka can read and edit it with zkCli.sh (Kafka's `ZkData.scala`; one object per znode,
 * same names).
 *
 * Layout (P = persistent, E = ephemeral, S = sequential):
 *   /cluster/id                                   P  {"version":"1","id":"<22-char url-safe base64 uuid>"}
 *   /controller                                   E  {"version":1,"brokerid":N,"timestamp":"<ms>"}
 *   /controller_epoch                             P  plain integer text ("0" until the first controller)
 *   /brokers/ids/<id>                             E  broker registration, version 5 (see BrokerIdZNode)
 *   /brokers/seqid                                P  empty; its data version generates broker ids
 *   /brokers/topics/<t>                           P  partition -> replicas (version 3 with topic_id)
 *   /brokers/topics/<t>/partitions/<p>/state      P  {"controller_epoch":C,"leader":L,"version":1,"leader_epoch":E,"isr":[..]}
 *   /config/<type>/<name>                         P  {"version":1,"config":{"k":"v"}}
 *   /config/changes/config_change_<seq>           PS {"version":2,"entity_path":"<type>/<name>"}
 *   /admin/delete_topics/<t>                      P  empty
 *   /admin/reassign_partitions                    P  {"version":1,"partitions":[{"topic":..,"partition":..,"replicas":[..]}]}
 *   /admin/preferred_replica_election             P  {"version":1,"partitions":[{"topic":..,"partition":..}]}
 *   /isr_change_notification/isr_change_<seq>     PS {"version":1,"partitions":[{"topic":..,"partition":..}]}
 *   /log_dir_event_notification/log_dir_event_<seq> PS {"version":1,"broker":N,"event":1}
 *   /latest_producer_id_block                     P  {"version":1,"broker":N,"block_start":"0","block_end":"999"}
 *
 * Invariants: encoders write Kafka's field names, types (longs as strings where Kafka does) and key order;
 * decoders accept every version Kafka 2.8 reads and throw `MalformedZNodeError` (znode, field, content) on
 * anything else. Pure: no I/O.
 */
import { randomBytes } from 'node:crypto';
import { isSecurityProtocol, SECURITY_PROTOCOLS, type SecurityProtocol } from '../common/security-protocol.js';
import type { TopicPartition } from '../common/topic-partition.js';
import { MalformedZNodeError } from './zk-errors.js';
import { ZNodeJson } from './znode-json.js';

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');

/** A Kafka Uuid as its string form: 16 random bytes (UUID v4 bits) in url-safe base64 without padding. */
export function randomKafkaUuid(): string {
  for (;;) {
    const bytes = randomBytes(16);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const id = bytes.toString('base64url');
    // Kafka avoids ids starting with '-' so that they cannot be mistaken for command-line options.
    if (!id.startsWith('-')) return id;
  }
}

// ---- top level ----

export const ClusterZNode = { path: '/cluster' } as const;
export const BrokersZNode = { path: '/brokers' } as const;
export const ConfigZNode = { path: '/config' } as const;
export const AdminZNode = { path: '/admin' } as const;

export const ClusterIdZNode = {
  path: `${ClusterZNode.path}/id`,
  encode(id: string): Buffer {
    return json({ version: '1', id });
  },
  decode(bytes: Buffer): string {
    return ZNodeJson.parse(ClusterIdZNode.path, bytes).string('id');
  },
} as const;

// ---- controller ----

export const ControllerZNode = {
  path: '/controller',
  encode(brokerId: number, timestampMs: number): Buffer {
    return json({ version: 1, brokerid: brokerId, timestamp: String(timestampMs) });
  },
  /** The controller's broker id. */
  decode(bytes: Buffer): number {
    return ZNodeJson.parse(ControllerZNode.path, bytes).int('brokerid');
  },
} as const;

export const ControllerEpochZNode = {
  path: '/controller_epoch',
  encode(epoch: number): Buffer {
    return Buffer.from(String(epoch), 'utf8');
  },
  decode(bytes: Buffer): number {
    return ZNodeJson.parseIntText(ControllerEpochZNode.path, bytes);
  },
} as const;

// ---- brokers ----

export interface EndPoint {
  readonly listenerName: string;
  readonly securityProtocol: SecurityProtocol;
  readonly host: string;
  readonly port: number;
}

export interface SupportedVersionRange {
  readonly minVersion: number;
  readonly maxVersion: number;
}

/** What a broker registers. */
export interface BrokerInfo {
  readonly id: number;
  /** Advertised endpoints; the first PLAINTEXT one also fills the legacy top-level host and port. */
  readonly endpoints: readonly EndPoint[];
  readonly rack?: string | null;
  /** @default -1 */
  readonly jmxPort?: number;
  /** Supported features (KIP-584); @default {} */
  readonly features?: Readonly<Record<string, SupportedVersionRange>>;
}

/** A registration as read back from /brokers/ids/<id>. */
export interface BrokerRegistration extends BrokerInfo {
  readonly rack: string | null;
  readonly jmxPort: number;
  readonly features: Readonly<Record<string, SupportedVersionRange>>;
  /** The JSON version written by the broker (5 for Kafka 2.7+, 4 before, 1-3 for very old brokers). */
  readonly version: number;
  /** Registration time; null when the znode carries none. */
  readonly timestampMs: number | null;
}

/** `PLAINTEXT://host:port`, with IPv6 hosts in brackets (Kafka's EndPoint.connectionString). */
export function endPointString(e: EndPoint): string {
  return `${e.listenerName}://${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}

const ENDPOINT_URI = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/;

export const BrokerIdsZNode = { path: `${BrokersZNode.path}/ids` } as const;
export const BrokerSequenceIdZNode = { path: `${BrokersZNode.path}/seqid` } as const;

export const BrokerIdZNode = {
  version: 5,
  path(id: number): string {
    return `${BrokerIdsZNode.path}/${id}`;
  },
  /** Version 5, in Kafka's key order: {"features":{},"listener_security_protocol_map":{..},"endpoints":[..],...}. */
  encode(info: BrokerInfo, timestampMs: number): Buffer {
    const plaintext = info.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
    const features: Record<string, { min_version: number; max_version: number }> = {};
    for (const [name, range] of Object.entries(info.features ?? {})) {
      features[name] = { min_version: range.minVersion, max_version: range.maxVersion };
    }
    const protocolMap: Record<string, string> = {};
    for (const e of info.endpoints) protocolMap[e.listenerName] = e.securityProtocol;
    return json({
      features,
      listener_security_protocol_map: protocolMap,
      endpoints: info.endpoints.map(endPointString),
      ...(info.rack !== undefined && info.rack !== null ? { rack: info.rack } : {}),
      jmx_port: info.jmxPort ?? -1,
      port: plaintext?.port ?? -1,
      host: plaintext?.host ?? null,
      version: BrokerIdZNode.version,
      timestamp: String(timestampMs),
    });
  },
  /** Decodes versions 1-5 (Kafka's BrokerIdZNode.decode). */
  decode(id: number, bytes: Buffer): BrokerRegistration {
    const path = BrokerIdZNode.path(id);
    const js = ZNodeJson.parse(path, bytes);
    const version = js.int('version');
    if (version < 1) throw new MalformedZNodeError(path, `unsupported broker registration version ${version}`, bytes);
    let endpoints: EndPoint[];
    if (version === 1) {
      endpoints = [
        { listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host: js.string('host'), port: js.int('port') },
      ];
    } else {
      const protocolMap = js.has('listener_security_protocol_map')
        ? js.stringMap('listener_security_protocol_map')
        : undefined;
      endpoints = js.stringArray('endpoints').map((uri) => {
        const m = ENDPOINT_URI.exec(uri);
        if (!m) throw new MalformedZNodeError(path, `endpoint "${uri}" is not of the form LISTENER://host:port`, bytes);
        const listenerName = m[1]!;
        const protocol = protocolMap ? protocolMap[listenerName] : listenerName;
        if (protocol === undefined || !isSecurityProtocol(protocol)) {
          throw new MalformedZNodeError(
            path,
            `listener ${listenerName} has no known security protocol ` +
              `(found ${JSON.stringify(protocol ?? null)}; expected one of ${SECURITY_PROTOCOLS.join(', ')})`,
            bytes,
          );
        }
        return { listenerName, securityProtocol: protocol, host: m[2]!, port: Number(m[3]) };
      });
    }
    const features: Record<string, SupportedVersionRange> = {};
    const featuresJson = js.optObject('features');
    for (const name of featuresJson?.keys() ?? []) {
      const range = featuresJson!.object(name);
      features[name] = { minVersion: range.int('min_version'), maxVersion: range.int('max_version') };
    }
    return {
      id,
      endpoints,
      rack: js.optString('rack') ?? null,
      jmxPort: js.optInt('jmx_port') ?? -1,
      features,
      version,
      timestampMs: js.has('timestamp') ? js.longString('timestamp') : null,
    };
  },
} as const;

// ---- topics ----

/** A partition's replicas (element 0 is the preferred leader) and, mid-reassignment, those being added/removed. */
export interface ReplicaAssignment {
  readonly replicas: readonly number[];
  readonly addingReplicas: readonly number[];
  readonly removingReplicas: readonly number[];
}

export function replicaAssignment(
  replicas: readonly number[],
  addingReplicas: readonly number[] = [],
  removingReplicas: readonly number[] = [],
): ReplicaAssignment {
  return { replicas, addingReplicas, removingReplicas };
}

export interface TopicAssignment {
  /** Kafka's topic id (KIP-516); null for topics created before topic ids. */
  readonly topicId: string | null;
  readonly partitions: ReadonlyMap<number, ReplicaAssignment>;
}

export const TopicsZNode = { path: `${BrokersZNode.path}/topics` } as const;

export const TopicZNode = {
  path(topic: string): string {
    return `${TopicsZNode.path}/${topic}`;
  },
  /**
   * Version 3 with topic_id (Kafka 2.8); version 2 when there is no topic id. Partitions in ascending order;
   * adding/removing maps hold only partitions being reassigned.
   */
  encode(assignment: TopicAssignment): Buffer {
    const partitions: Record<string, readonly number[]> = {};
    const adding: Record<string, readonly number[]> = {};
    const removing: Record<string, readonly number[]> = {};
    for (const p of [...assignment.partitions.keys()].sort((a, b) => a - b)) {
      const a = assignment.partitions.get(p)!;
      partitions[p] = a.replicas;
      if (a.addingReplicas.length > 0) adding[p] = a.addingReplicas;
      if (a.removingReplicas.length > 0) removing[p] = a.removingReplicas;
    }
    return assignment.topicId === null
      ? json({ version: 2, partitions, adding_replicas: adding, removing_replicas: removing })
      : json({
          partitions,
          topic_id: assignment.topicId,
          adding_replicas: adding,
          removing_replicas: removing,
          version: 3,
        });
  },
  /** Decodes versions 1-3 (adding/removing replicas and topic_id optional). */
  decode(topic: string, bytes: Buffer): TopicAssignment {
    const path = TopicZNode.path(topic);
    const js = ZNodeJson.parse(path, bytes);
    const partitionsJson = js.optObject('partitions');
    const adding = js.optObject('adding_replicas');
    const removing = js.optObject('removing_replicas');
    const partitions = new Map<number, ReplicaAssignment>();
    for (const key of partitionsJson?.keys() ?? []) {
      if (!/^\d+$/.test(key))
        throw new MalformedZNodeError(path, `partition "${key}" is not a partition number`, bytes);
      partitions.set(
        Number(key),
        replicaAssignment(
          partitionsJson!.intArray(key),
          adding?.has(key) ? adding.intArray(key) : [],
          removing?.has(key) ? removing.intArray(key) : [],
        ),
      );
    }
    return { topicId: js.optString('topic_id') ?? null, partitions };
  },
} as const;

export const TopicPartitionsZNode = {
  path(topic: string): string {
    return `${TopicZNode.path(topic)}/partitions`;
  },
} as const;

export const TopicPartitionZNode = {
  path(tp: TopicPartition): string {
    return `${TopicPartitionsZNode.path(tp.topic)}/${tp.partition}`;
  },
} as const;

/** Leader, ISR and the epoch of the controller that decided them (Kafka's LeaderIsrAndControllerEpoch). */
export interface LeaderIsrAndControllerEpoch {
  /** -1: no leader. */
  readonly leader: number;
  readonly leaderEpoch: number;
  readonly isr: readonly number[];
  readonly controllerEpoch: number;
}

export const TopicPartitionStateZNode = {
  path(tp: TopicPartition): string {
    return `${TopicPartitionZNode.path(tp)}/state`;
  },
  encode(state: LeaderIsrAndControllerEpoch): Buffer {
    return json({
      controller_epoch: state.controllerEpoch,
      leader: state.leader,
      version: 1,
      leader_epoch: state.leaderEpoch,
      isr: state.isr,
    });
  },
  decode(tp: TopicPartition, bytes: Buffer): LeaderIsrAndControllerEpoch {
    const js = ZNodeJson.parse(TopicPartitionStateZNode.path(tp), bytes);
    return {
      leader: js.int('leader'),
      leaderEpoch: js.int('leader_epoch'),
      isr: js.intArray('isr'),
      controllerEpoch: js.int('controller_epoch'),
    };
  },
} as const;

// ---- configs ----

/** Kafka's ConfigType: the entity types under /config. */
export const ConfigType = { Topic: 'topics', Client: 'clients', User: 'users', Broker: 'brokers' } as const;
export type ConfigEntityType = (typeof ConfigType)[keyof typeof ConfigType];

/** The entity name of a type's cluster-wide default config (Kafka's ConfigEntityName.Default): /config/brokers/<default>. */
export const DEFAULT_CONFIG_ENTITY = '<default>';

/**
 * A user principal name or client id as a znode name (Kafka's `Sanitizer.sanitize`): URL-encoded as Java's
 * URLEncoder does, with `*` as `%2A`, spaces as `%20` and `~` kept, so that `/` and other characters cannot escape
 * the entity's znode. `<default>` is never sanitized: it names the default entity.
 */
export function sanitizeEntityName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The inverse of sanitizeEntityName (Kafka's `Sanitizer.desanitize`). */
export function desanitizeEntityName(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export const ConfigEntityTypeZNode = {
  path(entityType: ConfigEntityType): string {
    return `${ConfigZNode.path}/${entityType}`;
  },
} as const;

export const ConfigEntityZNode = {
  path(entityType: ConfigEntityType, entityName: string): string {
    return `${ConfigEntityTypeZNode.path(entityType)}/${entityName}`;
  },
  encode(config: Readonly<Record<string, string>>): Buffer {
    return json({ version: 1, config });
  },
  /** The config map (string values); empty for an empty znode or one without "config", as Kafka reads it. */
  decode(entityType: ConfigEntityType, entityName: string, bytes: Buffer): Record<string, string> {
    if (bytes.length === 0) return {};
    const js = ZNodeJson.parse(ConfigEntityZNode.path(entityType, entityName), bytes);
    return js.has('config') ? js.stringMap('config') : {};
  },
} as const;

export const ConfigEntityChangeNotificationZNode = { path: `${ConfigZNode.path}/changes` } as const;

export const ConfigEntityChangeNotificationSequenceZNode = {
  SequenceNumberPrefix: 'config_change_',
  /** The path to create a persistent sequential znode at. */
  createPath: `${ConfigZNode.path}/changes/config_change_`,
  encode(entityPath: string): Buffer {
    return json({ version: 2, entity_path: entityPath });
  },
  /** The changed entity as `<type>/<name>`; version 1 notifications (entity_type, entity_name) are converted. */
  decode(path: string, bytes: Buffer): string {
    const js = ZNodeJson.parse(path, bytes);
    const version = js.int('version');
    if (version === 1) return `${js.string('entity_type')}/${js.string('entity_name')}`;
    if (version === 2) return js.string('entity_path');
    throw new MalformedZNodeError(path, `unsupported config change notification version ${version}`, bytes);
  },
} as const;

// ---- admin ----

export const DeleteTopicsZNode = { path: `${AdminZNode.path}/delete_topics` } as const;

export const DeleteTopicsTopicZNode = {
  path(topic: string): string {
    return `${DeleteTopicsZNode.path}/${topic}`;
  },
} as const;

export interface PartitionReassignment extends TopicPartition {
  readonly replicas: readonly number[];
}

export const ReassignPartitionsZNode = {
  path: `${AdminZNode.path}/reassign_partitions`,
  encode(reassignments: readonly PartitionReassignment[]): Buffer {
    return json({
      version: 1,
      partitions: reassignments.map((r) => ({ topic: r.topic, partition: r.partition, replicas: r.replicas })),
    });
  },
  decode(bytes: Buffer): PartitionReassignment[] {
    const js = ZNodeJson.parse(ReassignPartitionsZNode.path, bytes);
    return js.objectArray('partitions').map((p) => ({
      topic: p.string('topic'),
      partition: p.int('partition'),
      replicas: p.intArray('replicas'),
    }));
  },
} as const;

function encodePartitions(partitions: Iterable<TopicPartition>): Buffer {
  return json({ version: 1, partitions: [...partitions].map((tp) => ({ topic: tp.topic, partition: tp.partition })) });
}

function decodePartitions(path: string, bytes: Buffer): TopicPartition[] {
  return ZNodeJson.parse(path, bytes)
    .objectArray('partitions')
    .map((p) => ({ topic: p.string('topic'), partition: p.int('partition') }));
}

export const PreferredReplicaElectionZNode = {
  path: `${AdminZNode.path}/preferred_replica_election`,
  encode(partitions: Iterable<TopicPartition>): Buffer {
    return encodePartitions(partitions);
  },
  decode(bytes: Buffer): TopicPartition[] {
    return decodePartitions(PreferredReplicaElectionZNode.path, bytes);
  },
} as const;

// ---- notifications ----

export const IsrChangeNotificationZNode = { path: '/isr_change_notification' } as const;

export const IsrChangeNotificationSequenceZNode = {
  SequenceNumberPrefix: 'isr_change_',
  /** With no argument: the path to create a persistent sequential znode at. */
  path(sequenceNumber = ''): string {
    return `${IsrChangeNotificationZNode.path}/isr_change_${sequenceNumber}`;
  },
  encode(partitions: Iterable<TopicPartition>): Buffer {
    return encodePartitions(partitions);
  },
  decode(path: string, bytes: Buffer): TopicPartition[] {
    return decodePartitions(path, bytes);
  },
  /** `isr_change_0000000003` (or a full path) → `0000000003`. */
  sequenceNumber(nameOrPath: string): string {
    return sequenceNumberAfter(nameOrPath, 'isr_change_');
  },
} as const;

export const LogDirEventNotificationZNode = { path: '/log_dir_event_notification' } as const;

export const LogDirEventNotificationSequenceZNode = {
  SequenceNumberPrefix: 'log_dir_event_',
  LogDirFailureEvent: 1,
  path(sequenceNumber = ''): string {
    return `${LogDirEventNotificationZNode.path}/log_dir_event_${sequenceNumber}`;
  },
  encode(brokerId: number): Buffer {
    return json({ version: 1, broker: brokerId, event: LogDirEventNotificationSequenceZNode.LogDirFailureEvent });
  },
  /** The broker whose log dir failed. */
  decode(path: string, bytes: Buffer): number {
    return ZNodeJson.parse(path, bytes).int('broker');
  },
  sequenceNumber(nameOrPath: string): string {
    return sequenceNumberAfter(nameOrPath, 'log_dir_event_');
  },
} as const;

function sequenceNumberAfter(nameOrPath: string, prefix: string): string {
  return nameOrPath.slice(nameOrPath.lastIndexOf(prefix) + prefix.length);
}

// ---- producer ids ----

/** A block of producer ids owned by one broker, inclusive at both ends. */
export interface ProducerIdBlock {
  readonly brokerId: number;
  readonly blockStartId: number;
  readonly blockEndId: number;
}

export const ProducerIdBlockZNode = {
  path: '/latest_producer_id_block',
  encode(block: ProducerIdBlock): Buffer {
    return json({
      version: 1,
      broker: block.brokerId,
      block_start: String(block.blockStartId),
      block_end: String(block.blockEndId),
    });
  },
  decode(bytes: Buffer): ProducerIdBlock {
    const js = ZNodeJson.parse(ProducerIdBlockZNode.path, bytes);
    return {
      brokerId: js.int('broker'),
      blockStartId: js.longString('block_start'),
      blockEndId: js.longString('block_end'),
    };
  },
} as const;

/** Persistent paths every broker makes sure exist at startup (Kafka's ZkData.PersistentZkPaths, plus /cluster). */
export const PERSISTENT_PATHS: readonly string[] = [
  BrokerIdsZNode.path,
  TopicsZNode.path,
  ConfigEntityChangeNotificationZNode.path,
  DeleteTopicsZNode.path,
  BrokerSequenceIdZNode.path,
  IsrChangeNotificationZNode.path,
  ProducerIdBlockZNode.path,
  LogDirEventNotificationZNode.path,
  ClusterZNode.path,
  ...Object.values(ConfigType).map((t) => ConfigEntityTypeZNode.path(t)),
];
