import { expect } from 'chai';
import {
  eventLine,
  offsetsCommittedFields,
  partitionsFields,
  processedLine,
  recordsConsumedFields,
  takeRecords,
  verifiableConsumerConfig,
  type ConsumerConfigFlags,
} from '../../../lib/cli/admin/verifiable-consumer-command.js';
import { ApiError } from '../../../lib/common/errors.js';
import type { FetchedRecord } from '../../../lib/client/index.js';

const flags: ConsumerConfigFlags = {
  bootstrapServer: 'b:9092',
  groupId: 'g',
  sessionTimeout: 30000,
  resetPolicy: 'earliest',
  assignmentStrategy: 'org.apache.kafka.clients.consumer.RangeAssignor',
};

const record = (offset: number, key: string | null, value: string | null): FetchedRecord => ({
  offset,
  timestamp: 0,
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(value),
  headers: [],
});

describe('mq-admin verifiable-consumer (pure parts)', () => {
  it("builds the consumer's configs as Kafka's tool: the file, overridden by the flags, auto commit off by default", () => {
    const config = verifiableConsumerConfig(flags, {
      'max.poll.records': '10',
      'enable.auto.commit': 'true',
      'session.timeout.ms': '6000',
    });
    expect(config).to.deep.equal({
      'max.poll.records': '10',
      'enable.auto.commit': 'false',
      'session.timeout.ms': '30000',
      'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.RangeAssignor',
      'group.id': 'g',
      'bootstrap.servers': 'b:9092',
      'auto.offset.reset': 'earliest',
    });
    expect(
      verifiableConsumerConfig(
        {
          ...flags,
          bootstrapServer: undefined,
          brokerList: 'old:9092',
          enableAutocommit: true,
          groupInstanceId: 'i-1',
        },
        {},
      ),
    ).to.include({ 'bootstrap.servers': 'old:9092', 'enable.auto.commit': 'true', 'group.instance.id': 'i-1' });
    expect(verifiableConsumerConfig({ ...flags, brokerList: 'old:9092' }, {})['bootstrap.servers']).to.equal('b:9092');
    expect(() => verifiableConsumerConfig({ ...flags, bootstrapServer: undefined }, {})).to.throw(
      /--bootstrap-server host:port \(or the deprecated --broker-list\)/,
    );
  });

  it("writes Kafka's event lines: timestamp and name first, then the event's fields", () => {
    expect(eventLine('startup_complete', 1700000000000)).to.equal(
      '{"timestamp":1700000000000,"name":"startup_complete"}\n',
    );
    expect(eventLine('partitions_assigned', 5, partitionsFields([{ topic: 't', partition: 2 }]))).to.equal(
      '{"timestamp":5,"name":"partitions_assigned","partitions":[{"topic":"t","partition":2}]}\n',
    );
    const taken = takeRecords([record(7, 'k', 'v7'), record(8, null, 'v8'), record(9, null, null)], 10);
    expect(JSON.parse(eventLine('records_consumed', 5, recordsConsumedFields('t', 1, taken)))).to.deep.equal({
      timestamp: 5,
      name: 'records_consumed',
      count: 3,
      partitions: [{ topic: 't', partition: 1, count: 3, minOffset: 7, maxOffset: 9 }],
    });
  });

  it('reports a commit with success, or with the error and its Kafka name', () => {
    const offsets = [{ topic: 't', partition: 0, offset: 12, metadata: 'ignored' }];
    expect(offsetsCommittedFields(offsets, null)).to.deep.equal({
      offsets: [{ topic: 't', partition: 0, offset: 12 }],
      success: true,
    });
    expect(
      offsetsCommittedFields(offsets, new ApiError('REBALANCE_IN_PROGRESS', 'The group is rebalancing.')),
    ).to.deep.equal({
      offsets: [{ topic: 't', partition: 0, offset: 12 }],
      error: 'The group is rebalancing. (REBALANCE_IN_PROGRESS)',
      success: false,
    });
  });

  it('takes at most the records left to consume, reading keys and values as UTF-8', () => {
    const batch = [record(0, 'a', '0'), record(1, 'b', '1'), record(2, 'c', '2')];
    expect(takeRecords(batch, 2)).to.deep.equal([
      { offset: 0, key: 'a', value: '0' },
      { offset: 1, key: 'b', value: '1' },
    ]);
    expect(takeRecords(batch, 0)).to.deep.equal([]);
    expect(processedLine('t', 3, { offset: 1, key: null, value: 'x' })).to.equal(
      '{"topic":"t","partition":3,"offset":1,"key":null,"value":"x"}\n',
    );
  });
});
