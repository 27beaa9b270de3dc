import { expect } from 'chai';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { resolveAdminOptions } from '../../../lib/client/admin/admin-options.js';
import { resolveConsumerOptions } from '../../../lib/client/consumer/consumer-options.js';
import { DEFAULT_PRODUCER_OPTIONS, resolveProducerOptions } from '../../../lib/client/producer/producer-options.js';
import { parseBrokerAddresses } from '../../../lib/client/client-options.js';

const bootstrap = { 'bootstrap.servers': 'localhost:9092' };

describe('client options', () => {
  describe('resolveProducerOptions', () => {
    it("applies Kafka's producer defaults: 3.x's acks=all and idempotence, 2.8's for the rest", () => {
      const o = resolveProducerOptions(bootstrap);
      expect([
        o.acks,
        o['enable.idempotence'],
        o['batch.size'],
        o['linger.ms'],
        o['buffer.memory'],
        o['max.block.ms'],
        o['compression.type'],
        o.retries,
        o['delivery.timeout.ms'],
        o['max.in.flight.requests.per.connection'],
        o['request.timeout.ms'],
        o['retry.backoff.ms'],
        o['metadata.max.age.ms'],
        o['max.request.size'],
      ]).to.deep.equal([
        -1,
        true,
        16384,
        0,
        33554432,
        60000,
        'none',
        2147483647,
        120000,
        5,
        30000,
        100,
        300000,
        1048576,
      ]);
      expect(DEFAULT_PRODUCER_OPTIONS['reconnect.backoff.max.ms']).to.equal(1000);
    });

    it('turns idempotence off when a conflicting option is set and enable.idempotence was left at its default', () => {
      for (const options of [
        { acks: 1 },
        { acks: 0 },
        { retries: 0 },
        { 'max.in.flight.requests.per.connection': 6 },
      ] as const) {
        expect(
          resolveProducerOptions({ ...bootstrap, ...options })['enable.idempotence'],
          JSON.stringify(options),
        ).to.equal(false);
      }
      expect(resolveProducerOptions({ ...bootstrap, acks: 'all' })['enable.idempotence']).to.equal(true);
    });

    it('refuses enable.idempotence=true with a conflicting option, naming both', () => {
      for (const [options, named] of [
        [{ acks: 1 }, /'enable\.idempotence'.*'acks' to be 'all' \(it is 1\)/],
        [{ retries: 0 }, /'enable\.idempotence'.*'retries' to be above 0/],
        [
          { 'max.in.flight.requests.per.connection': 6 },
          /'enable\.idempotence'.*'max\.in\.flight\.requests\.per\.connection' to be at most 5/,
        ],
      ] as const) {
        expect(() => resolveProducerOptions({ ...bootstrap, 'enable.idempotence': true, ...options })).to.throw(
          InvalidArgumentError,
          named,
        );
      }
      expect(
        resolveProducerOptions({ ...bootstrap, 'enable.idempotence': 'false', acks: 1 })['enable.idempotence'],
      ).to.equal(false);
    });

    it("accepts acks as 'all', -1, 0, 1 and numeric strings for numbers", () => {
      expect(resolveProducerOptions({ ...bootstrap, acks: 'all' }).acks).to.equal(-1);
      expect(resolveProducerOptions({ ...bootstrap, acks: '0' }).acks).to.equal(0);
      expect(resolveProducerOptions({ ...bootstrap, 'linger.ms': '5' as unknown as number })['linger.ms']).to.equal(5);
    });

    it('rejects a bad value naming the option and what it accepts', () => {
      expect(() => resolveProducerOptions({ ...bootstrap, 'linger.ms': -1 })).to.throw(
        InvalidArgumentError,
        /'linger\.ms'.*an integer >= 0/,
      );
      expect(() => resolveProducerOptions({ ...bootstrap, 'compression.type': 'brotli' as 'gzip' })).to.throw(
        InvalidArgumentError,
        /'compression\.type'.*'gzip'/,
      );
      expect(() => resolveProducerOptions({ ...bootstrap, acks: 2 as 1 })).to.throw(InvalidArgumentError, /acks/);
    });

    it('rejects an unknown option and suggests the nearest known one', () => {
      expect(() => resolveProducerOptions({ ...bootstrap, 'linger.msec': 5 } as object)).to.throw(
        InvalidArgumentError,
        /Unknown producer option 'linger\.msec'\. Did you mean 'linger\.ms'\?/,
      );
    });

    it('requires bootstrap.servers', () => {
      expect(() => resolveProducerOptions({})).to.throw(InvalidArgumentError, /'bootstrap\.servers' is required/);
    });

    it('raises a default delivery.timeout.ms to linger.ms + request.timeout.ms, and rejects an explicit smaller one', () => {
      const raised = resolveProducerOptions({ ...bootstrap, 'linger.ms': 100000, 'request.timeout.ms': 30000 });
      expect(raised['delivery.timeout.ms']).to.equal(130000);
      expect(() => resolveProducerOptions({ ...bootstrap, 'delivery.timeout.ms': 1000 })).to.throw(
        InvalidArgumentError,
        /'delivery\.timeout\.ms' \(1000\) must be at least/,
      );
    });

    it('checks that a partitioner has a partition method', () => {
      expect(() => resolveProducerOptions({ ...bootstrap, partitioner: {} as never })).to.throw(
        InvalidArgumentError,
        /partition/,
      );
    });
  });

  describe('resolveConsumerOptions', () => {
    it("applies Kafka 2.8's consumer defaults", () => {
      const o = resolveConsumerOptions(bootstrap);
      expect([
        o['auto.offset.reset'],
        o['isolation.level'],
        o['fetch.min.bytes'],
        o['fetch.max.bytes'],
        o['fetch.max.wait.ms'],
        o['max.partition.fetch.bytes'],
        o['group.id'],
      ]).to.deep.equal(['latest', 'read_uncommitted', 1, 52428800, 500, 1048576, undefined]);
    });

    it('rejects an unknown reset strategy', () => {
      expect(() => resolveConsumerOptions({ ...bootstrap, 'auto.offset.reset': 'smallest' as 'earliest' })).to.throw(
        InvalidArgumentError,
        /'auto\.offset\.reset'.*'earliest', 'latest', 'none'/,
      );
    });
  });

  describe('resolveAdminOptions', () => {
    it('applies the admin defaults', () => {
      expect(resolveAdminOptions(bootstrap)['default.api.timeout.ms']).to.equal(60000);
    });
  });

  describe('client.id', () => {
    it('is generated as Kafka does when none is given, counting per kind of client, and kept when given', () => {
      const id = (o: { 'client.id': string }) => o['client.id'];
      const [p1, p2] = [id(resolveProducerOptions(bootstrap)), id(resolveProducerOptions(bootstrap))];
      expect(p1).to.match(/^producer-(\d+)$/);
      expect(Number(p2.split('-')[1])).to.equal(Number(p1.split('-')[1]) + 1);
      expect(id(resolveConsumerOptions({ ...bootstrap, 'group.id': 'billing' }))).to.match(/^consumer-billing-\d+$/);
      expect(id(resolveConsumerOptions(bootstrap))).to.match(/^consumer-\d+$/);
      expect(id(resolveAdminOptions(bootstrap))).to.match(/^adminclient-\d+$/);
      expect(id(resolveProducerOptions({ ...bootstrap, 'client.id': 'orders-api' }))).to.equal('orders-api');
    });
  });

  describe('parseBrokerAddresses', () => {
    it('parses comma-separated and array forms, IPv6 in brackets', () => {
      expect(parseBrokerAddresses('b', 'a:1, b:2')).to.deep.equal([
        { host: 'a', port: 1 },
        { host: 'b', port: 2 },
      ]);
      expect(parseBrokerAddresses('b', ['[::1]:9092'])).to.deep.equal([{ host: '::1', port: 9092 }]);
    });

    it('rejects an address without a port', () => {
      expect(() => parseBrokerAddresses('bootstrap.servers', 'localhost')).to.throw(InvalidArgumentError, /host:port/);
    });
  });
});
