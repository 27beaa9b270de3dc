import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ApiError } from '../../../../lib/common/errors.js';
import { ApiKey } from '../../../../lib/protocol/api-keys.js';
import { API_DEFINITIONS, type ApiMessages } from '../../../../lib/protocol/messages/index.js';
import { wireShape } from '../../../../lib/protocol/schema.js';

const records = Buffer.from([1, 2, 3]);

/** A valid request body per API, with every array non-empty so that every field is exercised. */
const GOOD: { [K in keyof ApiMessages]: ApiMessages[K]['request'] } = {
  [ApiKey.Produce]: {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records }] }],
  },
  [ApiKey.Fetch]: {
    replicaId: -1,
    maxWaitMs: 500,
    minBytes: 1,
    maxBytes: 52428800,
    isolationLevel: 0,
    topics: [
      {
        topic: 't',
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: -1,
            fetchOffset: 2 ** 40,
            logStartOffset: -1,
            partitionMaxBytes: 1048576,
          },
        ],
      },
    ],
  },
  [ApiKey.ListOffsets]: {
    replicaId: -1,
    isolationLevel: 1,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 3, timestamp: -2 }] }],
  },
  [ApiKey.Metadata]: { topics: [{ name: 't' }], allowAutoTopicCreation: true },
  [ApiKey.ApiVersions]: { clientSoftwareName: 'mq', clientSoftwareVersion: '0.1.0' },
  [ApiKey.CreateTopics]: {
    topics: [
      {
        name: 't',
        numPartitions: -1,
        replicationFactor: -1,
        assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ],
    timeoutMs: 30000,
    validateOnly: false,
  },
  [ApiKey.DeleteTopics]: { topicNames: ['t'], timeoutMs: 30000 },
  [ApiKey.ElectLeaders]: { electionType: 1, topicPartitions: [{ topic: 't', partitions: [0, 2] }], timeoutMs: 30000 },
  [ApiKey.AlterPartitionReassignments]: {
    timeoutMs: 30000,
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, replicas: [2, 3] },
          { partitionIndex: 1, replicas: null },
        ],
      },
    ],
  },
  [ApiKey.ListPartitionReassignments]: { timeoutMs: 30000, topics: [{ name: 't', partitionIndexes: [0, 1] }] },
  [ApiKey.DeleteRecords]: {
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 2 ** 40 }] }],
    timeoutMs: 30000,
  },
  [ApiKey.OffsetForLeaderEpoch]: {
    replicaId: 2,
    topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: 5, leaderEpoch: 4 }] }],
  },
  [ApiKey.DescribeConfigs]: {
    resources: [{ resourceType: 2, resourceName: 't', configurationKeys: ['retention.ms'] }],
    includeSynonyms: true,
    includeDocumentation: false,
  },
  [ApiKey.AlterConfigs]: {
    resources: [{ resourceType: 4, resourceName: '1', configs: [{ name: 'x', value: null }] }],
    validateOnly: true,
  },
  [ApiKey.IncrementalAlterConfigs]: {
    resources: [{ resourceType: 4, resourceName: '', configs: [{ name: 'x', configOperation: 2, value: 'a,b' }] }],
    validateOnly: false,
  },
  [ApiKey.CreatePartitions]: {
    topics: [{ name: 't', count: 6, assignments: [{ brokerIds: [1] }] }],
    timeoutMs: 1000,
    validateOnly: false,
  },
  [ApiKey.DescribeCluster]: { includeClusterAuthorizedOperations: false },
  [ApiKey.ControlledShutdown]: { brokerId: 2, brokerEpoch: 4294967333 },
  [ApiKey.OffsetCommit]: {
    groupId: 'g',
    generationId: 3,
    memberId: 'm-1',
    groupInstanceId: 'i-1',
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 1, committedMetadata: 'meta' }],
      },
    ],
  },
  [ApiKey.OffsetFetch]: { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 1] }], requireStable: false },
  [ApiKey.FindCoordinator]: { key: 'g', keyType: 0 },
  [ApiKey.JoinGroup]: {
    groupId: 'g',
    sessionTimeoutMs: 10000,
    rebalanceTimeoutMs: 300000,
    memberId: '',
    groupInstanceId: 'i-1',
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: records }],
  },
  [ApiKey.Heartbeat]: { groupId: 'g', generationId: 3, memberId: 'm-1', groupInstanceId: 'i-1' },
  [ApiKey.LeaveGroup]: { groupId: 'g', members: [{ memberId: 'm-1', groupInstanceId: 'i-1' }] },
  [ApiKey.SyncGroup]: {
    groupId: 'g',
    generationId: 3,
    memberId: 'm-1',
    groupInstanceId: 'i-1',
    protocolType: 'consumer',
    protocolName: 'range',
    assignments: [{ memberId: 'm-1', assignment: records }],
  },
  [ApiKey.DescribeGroups]: { groups: ['g'], includeAuthorizedOperations: false },
  [ApiKey.ListGroups]: { statesFilter: ['Stable'] },
  [ApiKey.DeleteGroups]: { groupsNames: ['g'] },
  [ApiKey.OffsetDelete]: { groupId: 'g', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] },
  [ApiKey.AlterReplicaLogDirs]: { dirs: [{ path: '/data/kafka-2', topics: [{ name: 't', partitions: [0, 1] }] }] },
  [ApiKey.DescribeLogDirs]: { topics: [{ topic: 't', partitionIndex: [0] }] },
  [ApiKey.DescribeDelayedRecords]: { partitions: [0, 3] },
  [ApiKey.ListOffsetTimestamps]: { topics: [{ name: 't', partitions: [{ partitionIndex: 0, offset: 42 }] }] },
  [ApiKey.DescribeGroupLag]: { groupId: 'g', includeHistory: true },
  [ApiKey.SaslHandshake]: { mechanism: 'SCRAM-SHA-512' },
  [ApiKey.SaslAuthenticate]: { authBytes: records },
  [ApiKey.DescribeAcls]: {
    resourceTypeFilter: 2,
    resourceNameFilter: 't',
    patternTypeFilter: 3,
    principalFilter: 'User:alice',
    hostFilter: '*',
    operation: 3,
    permissionType: 3,
  },
  [ApiKey.CreateAcls]: {
    creations: [
      {
        resourceType: 2,
        resourceName: 't',
        resourcePatternType: 4,
        principal: 'User:alice',
        host: '*',
        operation: 3,
        permissionType: 3,
      },
    ],
  },
  [ApiKey.DeleteAcls]: {
    filters: [
      {
        resourceTypeFilter: 1,
        resourceNameFilter: 't',
        patternTypeFilter: 2,
        principalFilter: 'User:alice',
        hostFilter: '*',
        operation: 1,
        permissionType: 1,
      },
    ],
  },
  [ApiKey.DescribeClientQuotas]: { components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true },
  [ApiKey.AlterClientQuotas]: {
    entries: [
      {
        entity: [{ entityType: 'client-id', entityName: 'c1' }],
        ops: [{ key: 'producer_byte_rate', value: 1024.5, remove: false }],
      },
    ],
    validateOnly: false,
  },
  [ApiKey.DescribeUserScramCredentials]: { users: [{ name: 'alice' }] },
  [ApiKey.AlterUserScramCredentials]: {
    deletions: [{ name: 'bob', mechanism: 1 }],
    upsertions: [{ name: 'alice', mechanism: 2, iterations: 4096, salt: records, saltedPassword: records }],
  },
  [ApiKey.InitProducerId]: { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 },
  [ApiKey.AddPartitionsToTxn]: {
    transactionalId: 'tx',
    producerId: 1000,
    producerEpoch: 0,
    topics: [{ name: 't', partitions: [0] }],
  },
  [ApiKey.AddOffsetsToTxn]: { transactionalId: 'tx', producerId: 1000, producerEpoch: 0, groupId: 'g' },
  [ApiKey.EndTxn]: { transactionalId: 'tx', producerId: 1000, producerEpoch: 0, committed: true },
  [ApiKey.WriteTxnMarkers]: {
    markers: [
      {
        producerId: 1000,
        producerEpoch: 0,
        transactionResult: true,
        topics: [{ name: 't', partitionIndexes: [0] }],
        coordinatorEpoch: 3,
      },
    ],
  },
  [ApiKey.TxnOffsetCommit]: {
    transactionalId: 'tx',
    groupId: 'g',
    producerId: 1000,
    producerEpoch: 0,
    generationId: 4,
    memberId: 'm',
    groupInstanceId: 'i',
    topics: [
      {
        name: 't',
        partitions: [{ partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 1, committedMetadata: 'x' }],
      },
    ],
  },
  [ApiKey.DescribeProducers]: { topics: [{ name: 't', partitionIndexes: [0] }] },
  [ApiKey.DescribeTransactions]: { transactionalIds: ['tx'] },
  [ApiKey.ListTransactions]: { stateFilters: ['Ongoing'], producerIdFilters: [1000] },
};

type Path = (string | number)[];

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)]));
  }
  return v;
}

/** Every path below the root: struct fields, array elements, leaves. */
function paths(v: unknown, at: Path = []): Path[] {
  const out: Path[] = at.length > 0 ? [at] : [];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v !== null && typeof v === 'object' && !(v instanceof Uint8Array)) {
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  }
  return out;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  const copy = clone(root);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

function wrongTypeFor(v: unknown): unknown {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return 7;
  if (typeof v === 'boolean') return 1;
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return { length: v.length };
  if (v === null) return 12345;
  return [v];
}

const render = (path: Path): string => path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');

function expectInvalid(validate: (b: unknown) => unknown, body: unknown, fragment: string): void {
  try {
    validate(body);
  } catch (e) {
    expect(e).to.be.instanceOf(ApiError);
    expect((e as ApiError).errorName).to.equal('INVALID_REQUEST');
    expect((e as ApiError).message).to.contain(fragment);
    return;
  }
  expect.fail(`expected INVALID_REQUEST mentioning ${fragment}`);
}

describe('API message validators', () => {
  for (const definition of API_DEFINITIONS) {
    const name = `${definition.name}Request`;
    const good = GOOD[definition.apiKey as keyof ApiMessages];

    describe(`validate${name}`, () => {
      it('accepts a well-formed body', () => {
        expect(definition.validateRequest(clone(good))).to.deep.equal(good);
      });

      it('rejects a wrong type at every field, naming its path', () => {
        for (const path of paths(good)) {
          const wrong = wrongTypeFor(path.reduce<unknown>((n, k) => (n as Record<string | number, unknown>)[k], good));
          expectInvalid(definition.validateRequest, setAt(good, path, wrong), `${name}${render(path)}:`);
        }
      });

      it('rejects a missing field, naming it', () => {
        for (const path of paths(good).filter((p) => typeof p[p.length - 1] === 'string')) {
          expectInvalid(definition.validateRequest, setAt(good, path, undefined), `${name}${render(path)}: expected`);
        }
      });

      it('rejects a body that is not a map', () => {
        for (const body of [null, 'x', [good], records])
          expectInvalid(definition.validateRequest, body, `${name}: expected a struct`);
      });

      it('documents its wire shape in the module header', () => {
        const file = definition.name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
        const source = readFileSync(join(process.cwd(), 'lib/protocol/messages', `${file}.ts`), 'utf8');
        const header = source.slice(0, source.indexOf('*/')).replace(/\n \*\s*/g, ' ');
        expect(header).to.contain(wireShape(name, definition.requestSchema));
        expect(header).to.contain(wireShape(`${definition.name}Response`, definition.responseSchema));
      });
    });
  }

  describe('size and range checks', () => {
    const cases: [keyof ApiMessages, Path, unknown, string][] = [
      [ApiKey.Fetch, ['maxBytes'], -1, 'FetchRequest.maxBytes: expected int32 >= 0, found -1'],
      [ApiKey.Fetch, ['minBytes'], -1, 'FetchRequest.minBytes: expected int32 >= 0'],
      [ApiKey.Fetch, ['maxWaitMs'], -5, 'FetchRequest.maxWaitMs: expected int32 >= 0'],
      [ApiKey.Fetch, ['topics', 0, 'partitions', 0, 'partitionMaxBytes'], -1, 'partitionMaxBytes: expected int32 >= 0'],
      [ApiKey.Fetch, ['topics', 0, 'partitions', 0, 'fetchOffset'], 2 ** 53, 'fetchOffset: expected int64'],
      [ApiKey.Fetch, ['isolationLevel'], 2, 'FetchRequest.isolationLevel: expected int8 >= 0 <= 1, found 2'],
      [ApiKey.Produce, ['timeoutMs'], -1, 'ProduceRequest.timeoutMs: expected int32 >= 0'],
      [
        ApiKey.Produce,
        ['topicData', 0, 'partitionData', 0, 'index'],
        -1,
        'partitionData[0].index: expected int32 >= 0',
      ],
      [ApiKey.Produce, ['acks'], 1.5, 'ProduceRequest.acks: expected int16, found 1.5'],
      [ApiKey.ListOffsets, ['topics', 0, 'partitions', 0, 'timestamp'], -3, 'timestamp: expected int64 >= -2'],
      [
        ApiKey.OffsetForLeaderEpoch,
        ['topics', 0, 'partitions', 0, 'leaderEpoch'],
        -1,
        'leaderEpoch: expected int32 >= 0',
      ],
    ];
    for (const [apiKey, path, value, fragment] of cases) {
      it(`rejects ${render(path).slice(1)} = ${String(value)} for api key ${apiKey}`, () => {
        const definition = API_DEFINITIONS.find((d) => d.apiKey === apiKey)!;
        expectInvalid(definition.validateRequest, setAt(GOOD[apiKey], path, value), fragment);
      });
    }

    it('accepts null where Kafka allows it (all topics, no transactional id, controller-placed partitions)', () => {
      const byKey = (k: number) => API_DEFINITIONS.find((d) => d.apiKey === k)!;
      expect(() =>
        byKey(ApiKey.Metadata).validateRequest({ topics: null, allowAutoTopicCreation: false }),
      ).not.to.throw();
      expect(() =>
        byKey(ApiKey.CreatePartitions).validateRequest(
          setAt(GOOD[ApiKey.CreatePartitions], ['topics', 0, 'assignments'], null),
        ),
      ).not.to.throw();
      expect(() =>
        byKey(ApiKey.Produce).validateRequest(setAt(GOOD[ApiKey.Produce], ['transactionalId'], 'txn')),
      ).not.to.throw();
      expect(() =>
        byKey(ApiKey.OffsetFetch).validateRequest(setAt(GOOD[ApiKey.OffsetFetch], ['topics'], null)),
      ).not.to.throw();
      expect(() =>
        byKey(ApiKey.JoinGroup).validateRequest(setAt(GOOD[ApiKey.JoinGroup], ['groupInstanceId'], null)),
      ).not.to.throw();
    });
  });
});
