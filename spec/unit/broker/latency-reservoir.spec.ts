import { expect } from 'chai';
import { LatencyReservoir } from '../../../lib/common/latency-reservoir.js';
import { BrokerTopicStats, recordCountOfBatches } from '../../../lib/broker/broker-topic-stats.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';

describe('LatencyReservoir', () => {
  it('gives nearest-rank percentiles of the last observations only', () => {
    const r = new LatencyReservoir(100);
    expect(r.percentiles([0.5])).to.deep.equal([]);
    for (let i = 1; i <= 100; i++) r.observe(i);
    expect(r.percentiles([0.5, 0.99, 0.999])).to.deep.equal([
      [0.5, 50],
      [0.99, 99],
      [0.999, 100],
    ]);
    for (let i = 0; i < 100; i++) r.observe(1000 + i);
    expect(r.percentiles([0.5])).to.deep.equal([[0.5, 1049]]);
  });
});

describe('BrokerTopicStats', () => {
  it('counts produced messages from the batch headers and splits consumer from follower fetch bytes', async () => {
    const batch = async (n: number) => {
      const b = new RecordBatchBuilder();
      for (let i = 0; i < n; i++) b.append(i, null, `v${i}`);
      return b.build();
    };
    const records = Buffer.concat([await batch(3), await batch(5)]);
    expect(recordCountOfBatches(records)).to.equal(8);
    const stats = new BrokerTopicStats();
    stats.recordProduced('t', records);
    stats.recordFetched('t', 100, false);
    stats.recordFetched('t', 40, true);
    expect(Object.fromEntries(stats.entries())).to.deep.equal({
      t: { bytesIn: records.length, messagesIn: 8, bytesOut: 100, replicationBytesOut: 40 },
    });
    stats.forget('t');
    expect([...stats.entries()]).to.deep.equal([]);
  });
});
