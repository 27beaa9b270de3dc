import { expect } from 'chai';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { delayPartitionFor, deliveryTimeOf, toDelayedRecord } from '../../../lib/client/producer/delayed-routing.js';
import { partitionForKey } from '../../../lib/client/producer/partitioner.js';
import { DELAYED_TOPIC } from '../../../lib/record/delayed-record.js';
import { iterateBatches } from '../../../lib/record/record-batch-reader.js';
import { MockCluster, connectedProducer } from './mock-cluster.js';

const NOW = 1_767_225_600_000;

describe('delayed routing (producer side)', () => {
  describe('deliveryTimeOf', () => {
    it('reads deliverAt (a Date or ms), delayMs from now, or an mq-deliver-at header; null for an ordinary record', () => {
      expect(deliveryTimeOf({ topic: 't', value: 'v', deliverAt: NOW + 5 }, NOW)).to.equal(NOW + 5);
      expect(deliveryTimeOf({ topic: 't', value: 'v', deliverAt: new Date(NOW + 7) }, NOW)).to.equal(NOW + 7);
      expect(deliveryTimeOf({ topic: 't', value: 'v', delayMs: 30_000 }, NOW)).to.equal(NOW + 30_000);
      const header = { key: 'mq-deliver-at', value: String(NOW + 9) };
      expect(deliveryTimeOf({ topic: 't', value: 'v', headers: [header] }, NOW)).to.equal(NOW + 9);
      expect(deliveryTimeOf({ topic: 't', value: 'v', headers: [{ key: 'other', value: 'x' }] }, NOW)).to.equal(null);
      expect(deliveryTimeOf({ topic: 't', value: 'v' }, NOW)).to.equal(null);
    });

    it('refuses both deliverAt and delayMs, negative or fractional delays, and a header that is not ms', () => {
      const bad = [
        { topic: 't', value: 'v', deliverAt: NOW, delayMs: 1 },
        { topic: 't', value: 'v', delayMs: -1 },
        { topic: 't', value: 'v', delayMs: 1.5 },
        { topic: 't', value: 'v', deliverAt: new Date('not a date') },
        { topic: 't', value: 'v', headers: [{ key: 'mq-deliver-at', value: 'tomorrow' }] },
      ];
      for (const record of bad) expect(() => deliveryTimeOf(record, NOW)).to.throw(InvalidArgumentError);
    });
  });

  describe('toDelayedRecord', () => {
    it('routes to the delay partition of the target partition, with routing headers after the record’s own', () => {
      const routed = toDelayedRecord(
        {
          topic: 'orders',
          key: 'k',
          value: 'v',
          headers: [
            { key: 'a', value: '1' },
            { key: 'mq-deliver-at', value: '1' },
          ],
        },
        NOW + 1000,
        2,
        10,
      );
      expect(routed).to.deep.equal({
        topic: DELAYED_TOPIC,
        partition: delayPartitionFor('orders', 2, 10),
        key: 'k',
        value: 'v',
        headers: [
          { key: 'a', value: '1' },
          { key: 'mq-deliver-at', value: String(NOW + 1000) },
          { key: 'mq-target-topic', value: 'orders' },
          { key: 'mq-target-partition', value: '2' },
        ],
        timestamp: NOW + 1000,
      });
      expect(toDelayedRecord({ topic: 'o', value: null, timestamp: 5 }, NOW, 0, 3).timestamp).to.equal(5);
    });

    it('sends every record of one target partition through one delay partition', () => {
      const counts = new Map<number, number>();
      for (let p = 0; p < 64; p++) {
        const d = delayPartitionFor('orders', p, 10);
        expect(d).to.equal(delayPartitionFor('orders', p, 10));
        counts.set(d, (counts.get(d) ?? 0) + 1);
      }
      expect(counts.size).to.be.greaterThan(5);
    });
  });

  describe('Producer.send with a delivery time', () => {
    it('stores the record in __delayed_records with its target chosen by the partitioner; ordinary records go as before', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('orders', 3);
      cluster.createTopic(DELAYED_TOPIC, 5);
      const producer = await connectedProducer(cluster);
      const stored = await producer.send({ topic: 'orders', key: 'order-42', value: 'later', delayMs: 60_000 });
      const now = await producer.send({ topic: 'orders', key: 'order-42', value: 'now' });
      const target = partitionForKey('order-42', 3);
      expect(stored.topic).to.equal(DELAYED_TOPIC);
      expect(stored.partition).to.equal(delayPartitionFor('orders', target, 5));
      expect(now).to.include({ topic: 'orders', partition: target });
      const [batch] = cluster.partition(DELAYED_TOPIC, stored.partition).batches;
      const [record] = [...[...iterateBatches(batch!)][0]!.records()];
      expect(Object.fromEntries(record!.headers.map((h) => [h.key, h.value?.toString()]))).to.deep.include({
        'mq-target-topic': 'orders',
        'mq-target-partition': String(target),
      });
      expect(cluster.values('orders', target)).to.deep.equal(['now']);
    });

    it('waits for the delay topic’s metadata when it is not known yet', async () => {
      const cluster = await MockCluster.start();
      cluster.createTopic('orders', 1);
      const producer = await connectedProducer(cluster);
      const sent = producer.send({ topic: 'orders', value: 'v', deliverAt: new Date() });
      setTimeout(() => cluster.createTopic(DELAYED_TOPIC, 2), 50);
      expect((await sent).topic).to.equal(DELAYED_TOPIC);
    });
  });
});
