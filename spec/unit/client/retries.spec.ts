import { expect } from 'chai';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { OrderedRetryKeys } from '../../../lib/client/consumer/ordered-retry-keys.js';
import {
  parseRetryStages,
  retryInfoOf,
  stageTopicName,
  withoutRetryHeaders,
  withRetryHeaders,
} from '../../../lib/client/consumer/retry-stages.js';
import { resolveConsumerOptions } from '../../../lib/client/consumer/consumer-options.js';
import { Consumer } from '../../../lib/client/consumer/consumer.js';

const view = (headers: { key: string; value: string | Buffer | null }[]) =>
  headers.map((x) => ({ key: x.key, value: typeof x.value === 'string' ? Buffer.from(x.value) : x.value }));

describe('retry stages', () => {
  it('parses delays with units, or plain ms, keeping labels for topic names', () => {
    expect(parseRetryStages('retry.topics', '5s, 1m,10m,250ms,2h,1d,1500')).to.deep.equal([
      { delayMs: 5000, label: '5s' },
      { delayMs: 60_000, label: '1m' },
      { delayMs: 600_000, label: '10m' },
      { delayMs: 250, label: '250ms' },
      { delayMs: 7_200_000, label: '2h' },
      { delayMs: 86_400_000, label: '1d' },
      { delayMs: 1500, label: '1500ms' },
    ]);
    expect(parseRetryStages('retry.topics', [100, '1s'])).to.deep.equal([
      { delayMs: 100, label: '100ms' },
      { delayMs: 1000, label: '1s' },
    ]);
    expect(parseRetryStages('retry.topics', undefined)).to.deep.equal([]);
    for (const bad of ['5 seconds', '-1s', '1.5s', 'x']) {
      expect(() => parseRetryStages('retry.topics', bad)).to.throw(InvalidArgumentError, 'retry.topics');
    }
  });

  it('names stage topics after the source, the group (made topic-safe) and the delay', () => {
    expect(stageTopicName('orders', 'billing', { delayMs: 5000, label: '5s' })).to.equal('orders.billing.retry-5s');
    expect(stageTopicName('orders', 'team a/billing', { delayMs: 1, label: '1ms' })).to.equal(
      'orders.team_a_billing.retry-1ms',
    );
  });

  it('replaces retry headers and reads them back, keeping the record’s own', () => {
    const first = withRetryHeaders(view([{ key: 'trace', value: 't1' }]), {
      attempt: 1,
      originalTopic: 'orders',
      originalPartition: 2,
      originalOffset: 41,
      lastError: 'boom',
      groupId: 'billing',
      dueMs: 1000,
    });
    const second = withRetryHeaders(view(first.map((x) => ({ key: x.key, value: x.value as string }))), {
      ...retryInfoOf(view(first.map((x) => ({ key: x.key, value: x.value as string }))))!,
      attempt: 2,
      lastError: 'x'.repeat(5000),
      groupId: 'billing',
      dueMs: null,
    });
    const info = retryInfoOf(view(second.map((x) => ({ key: x.key, value: x.value as string }))))!;
    expect(info).to.deep.equal({
      attempt: 2,
      originalTopic: 'orders',
      originalPartition: 2,
      originalOffset: 41,
      lastError: 'x'.repeat(1000),
      dueMs: -1,
    });
    expect(second.filter((x) => x.key === 'trace')).to.have.length(1);
    expect(withoutRetryHeaders(view(second.map((x) => ({ key: x.key, value: x.value as string }))))).to.deep.equal(
      view([{ key: 'trace', value: 't1' }]),
    );
    expect(retryInfoOf(view([{ key: 'trace', value: 't' }]))).to.equal(null);
  });

  it('refuses retry options a consumer cannot honour', () => {
    const base = { 'bootstrap.servers': 'localhost:9092' };
    expect(() => new Consumer({ ...base, 'retry.topics': '5s' })).to.throw(InvalidArgumentError, 'group.id');
    expect(() => new Consumer({ ...base, 'group.id': 'g', 'retry.ordered': true })).to.throw(
      InvalidArgumentError,
      'retry.ordered',
    );
    expect(() => resolveConsumerOptions({ ...base, 'dead.letter.topic': 'bad topic' })).to.throw(InvalidArgumentError);
    expect(() =>
      new Consumer({ ...base, 'group.id': 'g', 'dead.letter.topic': 'g.dlq' }).assign([{ topic: 't', partition: 0 }]),
    ).to.throw('subscribe');
  });
});

describe('OrderedRetryKeys', () => {
  it('counts the records of a key in the stages and forgets the key at zero', () => {
    const keys = new OrderedRetryKeys();
    keys.add(Buffer.from('A'), 0, 1000);
    keys.get(Buffer.from('A'))!.count++;
    expect(keys.get(Buffer.from('A'))).to.deep.equal({ count: 2, stage: 0, dueMs: 1000 });
    keys.release(Buffer.from('A'));
    keys.release(Buffer.from('B'));
    expect(keys.size).to.equal(1);
    keys.release(Buffer.from('A'));
    expect(keys.get(Buffer.from('A'))).to.equal(undefined);
  });

  it('round-trips through commit metadata, leaving out the keys due latest when it does not fit', () => {
    const keys = new OrderedRetryKeys();
    for (let i = 0; i < 200; i++) keys.add(Buffer.from(`key-${i}`), i % 3, 1000 + i);
    const all = keys.encode(1_000_000);
    expect(all.dropped).to.equal(0);
    const decoded = OrderedRetryKeys.decode(all.metadata);
    expect(decoded.size).to.equal(200);
    expect(decoded.get(Buffer.from('key-7'))).to.deep.equal({ count: 1, stage: 1, dueMs: 1007 });
    const small = keys.encode(4096);
    expect(Buffer.byteLength(small.metadata)).to.be.at.most(4096);
    expect(small.dropped).to.be.greaterThan(0);
    const kept = OrderedRetryKeys.decode(small.metadata);
    expect(kept.get(Buffer.from('key-0'))).to.not.equal(undefined);
    expect(kept.get(Buffer.from('key-199'))).to.equal(undefined);
    expect(OrderedRetryKeys.decode('').size).to.equal(0);
    expect(OrderedRetryKeys.decode('{"other":1}').size).to.equal(0);
  });
});
