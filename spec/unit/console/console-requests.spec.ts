import { expect } from 'chai';
import { ApiError, InvalidArgumentError, TimeoutError } from '../../../lib/common/errors.js';
import { ConsoleError, httpStatusOf } from '../../../lib/console/console-errors.js';
import {
  parseBrowseQuery,
  parseNewTopic,
  parsePartitionCount,
  parseProduce,
  parseReset,
} from '../../../lib/console/console-requests.js';

describe('console request validation', () => {
  it('reads a new topic and names the field that is wrong', () => {
    expect(
      parseNewTopic({ name: 'orders', partitions: 3, replicationFactor: 2, configs: { 'retention.ms': '1000' } }),
    ).to.deep.equal({
      name: 'orders',
      partitions: 3,
      replicationFactor: 2,
      configs: { 'retention.ms': '1000' },
    });
    expect(parseNewTopic({ name: 'x', partitions: 1, replicationFactor: 1 }).configs).to.deep.equal({});
    expect(() => parseNewTopic({ name: '', partitions: 1, replicationFactor: 1 })).to.throw(/"name"/);
    expect(() => parseNewTopic({ name: 'x', partitions: 0, replicationFactor: 1 })).to.throw(
      /"partitions" must be an integer >= 1/,
    );
    expect(() => parseNewTopic({ name: 'x', partitions: 1, replicationFactor: 1, configs: { a: 1 } })).to.throw(
      /Config "a"/,
    );
    expect(() => parseNewTopic([])).to.throw(/JSON object/);
    expect(parsePartitionCount({ count: 6 })).to.equal(6);
  });

  it('reads a test record, with the partition left to the partitioner when null', () => {
    expect(parseProduce({ partition: null, key: 'k', value: 'v', headers: [{ key: 'h', value: 'x' }] })).to.deep.equal({
      partition: null,
      key: 'k',
      value: 'v',
      headers: [{ key: 'h', value: 'x' }],
    });
    expect(parseProduce({ value: null })).to.deep.equal({ partition: null, key: null, value: null, headers: [] });
    expect(() => parseProduce({ partition: -1, value: 'v' })).to.throw(/"partition"/);
    expect(() => parseProduce({ value: 'v', headers: 'h=1' })).to.throw(/"headers"/);
  });

  it('reads a reset: its spec, its topics (null: every committed partition) and whether to carry it out', () => {
    expect(parseReset({ spec: { kind: 'shift', by: -5 }, topics: null, execute: false })).to.deep.equal({
      spec: { kind: 'shift', by: -5 },
      topics: null,
      execute: false,
    });
    expect(
      parseReset({ spec: { kind: 'timestamp', timestampMs: 5 }, topics: ['a'], execute: true }).topics,
    ).to.deep.equal(['a']);
    expect(() => parseReset({ spec: { kind: 'earliest' }, topics: null })).to.throw(/"execute"/);
    expect(() => parseReset({ spec: { kind: 'soon' }, topics: null, execute: false })).to.throw(/spec.kind/);
    expect(() => parseReset({ spec: { kind: 'offset', offset: -1 }, topics: null, execute: false })).to.throw(
      /"offset"/,
    );
  });

  it('reads the records query, from the end newest first by default', () => {
    expect(parseBrowseQuery(new URLSearchParams(''))).to.deep.equal({
      from: { kind: 'end' },
      order: 'newest',
      limit: 50,
      key: null,
    });
    expect(parseBrowseQuery(new URLSearchParams('from=offset&offset=42&order=oldest&limit=10&key=user'))).to.deep.equal(
      {
        from: { kind: 'offset', offset: 42 },
        order: 'oldest',
        limit: 10,
        key: 'user',
      },
    );
    expect(parseBrowseQuery(new URLSearchParams('from=timestamp&timestamp=1700000000000')).from).to.deep.equal({
      kind: 'timestamp',
      timestampMs: 1700000000000,
    });
    expect(() => parseBrowseQuery(new URLSearchParams('from=offset'))).to.throw(/offset must be an integer/);
    expect(() => parseBrowseQuery(new URLSearchParams('order=random'))).to.throw(/order/);
  });

  it('answers each kind of failure with its HTTP status', () => {
    expect(httpStatusOf(new ConsoleError(403, 'read-only'))).to.equal(403);
    expect(httpStatusOf(new InvalidArgumentError('bad'))).to.equal(400);
    expect(httpStatusOf(new ApiError('UNKNOWN_TOPIC_OR_PARTITION'))).to.equal(404);
    expect(httpStatusOf(new ApiError('TOPIC_ALREADY_EXISTS'))).to.equal(409);
    expect(httpStatusOf(new ApiError('INVALID_REPLICATION_FACTOR'))).to.equal(400);
    expect(httpStatusOf(new ApiError('NOT_CONTROLLER'))).to.equal(503);
    expect(httpStatusOf(new TimeoutError('slow'))).to.equal(504);
    expect(httpStatusOf(new TypeError('bug'))).to.equal(500);
  });
});
