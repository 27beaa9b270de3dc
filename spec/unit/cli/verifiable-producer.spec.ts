import { expect } from 'chai';
import { ApiError, TimeoutError } from '../../../lib/common/errors.js';
import {
  eventLine,
  exceptionName,
  keyFor,
  throttleDelayMs,
  toolData,
  valueFor,
  verifiableProducerConfig,
} from '../../../lib/cli/admin/verifiable-producer-command.js';

describe('mq-admin verifiable-producer', () => {
  it('sends increasing integers, with --value-prefix as prefix and a dot', () => {
    expect([0, 1, 2].map((i) => valueFor(i, undefined))).to.deep.equal(['0', '1', '2']);
    expect(valueFor(7, 3)).to.equal('3.7');
  });

  it('sends null keys, or with --repeating-keys n keys counting 0..n-1 round and round', () => {
    expect(keyFor(5, undefined)).to.equal(null);
    expect([0, 1, 2, 3, 4].map((i) => keyFor(i, 3))).to.deep.equal(['0', '1', '2', '0', '1']);
  });

  it("sets acks and retries=0 as Kafka's tool does, and lets --producer.config override both", () => {
    expect(verifiableProducerConfig(-1, { 'bootstrap.servers': 'h:1' })).to.deep.equal({
      acks: '-1',
      retries: '0',
      'bootstrap.servers': 'h:1',
    });
    expect(verifiableProducerConfig(1, { retries: '5', 'enable.idempotence': 'true', acks: 'all' })).to.include({
      acks: 'all',
      retries: '5',
      'enable.idempotence': 'true',
    });
  });

  it('paces sends at --throughput per second, and not at all with -1', () => {
    expect(throttleDelayMs(100, 50, -1)).to.equal(0);
    expect(throttleDelayMs(100, 50, 1000)).to.equal(50);
    expect(throttleDelayMs(100, 200, 1000)).to.equal(0);
    expect(throttleDelayMs(1, 0, 0)).to.equal(Number.POSITIVE_INFINITY);
  });

  it("prints Kafka's JSON event lines, timestamp and name first", () => {
    expect(eventLine(5, 'startup_complete')).to.equal('{"timestamp":5,"name":"startup_complete"}');
    expect(
      eventLine(6, 'producer_send_success', { key: null, value: '1', topic: 't', partition: 0, offset: 41 }),
    ).to.equal(
      '{"timestamp":6,"name":"producer_send_success","key":null,"value":"1","topic":"t","partition":0,"offset":41}',
    );
    expect(eventLine(7, 'tool_data', toolData(10, 8, 100, 2000))).to.equal(
      '{"timestamp":7,"name":"tool_data","sent":10,"acked":8,"target_throughput":100,"avg_throughput":4}',
    );
  });

  it('names the exception of a failed send by its wire error, else by its class', () => {
    expect(exceptionName(new ApiError('NOT_ENOUGH_REPLICAS'))).to.equal('class NOT_ENOUGH_REPLICAS');
    expect(exceptionName(new TimeoutError('expired'))).to.equal('class TimeoutError');
  });
});
