import { expect } from 'chai';
import { parseLogConfig } from '../../../lib/log/log-config.js';
import { ReplicationQuota } from '../../../lib/replication/replication-quota.js';
import { MockTime } from '../../helpers/mock-time.js';

function quota(rate: number, time: MockTime, kind: 'leader' | 'follower' = 'leader'): ReplicationQuota {
  return new ReplicationQuota({ kind, localBrokerId: 2, rate, windowNum: 3, windowSizeMs: 1000, time });
}

describe('ReplicationQuota', () => {
  it('allows one sample of the rate at first, then what the elapsed span allows', () => {
    const time = new MockTime();
    const q = quota(1000, time);
    expect(q.allowance()).to.equal(1000);
    q.record(1000);
    expect(q.allowance()).to.equal(0);
    expect(q.delayMs()).to.be.greaterThan(0);
    time.sleep(500);
    expect(q.allowance(), 'nothing until more than one sample has elapsed').to.equal(0);
    time.sleep(1000);
    expect(q.allowance()).to.equal(500);
    expect(q.delayMs()).to.equal(0);
  });

  it('keeps the rate over any span of the window within the bound when the mover takes only the allowance', () => {
    const time = new MockTime();
    const q = quota(200_000, time);
    const moved: Array<[number, number]> = [];
    for (let t = 0; t < 20_000; t += 100) {
      const bytes = Math.max(0, Math.min(64 * 1024, Math.floor(q.allowance())));
      q.record(bytes);
      moved.push([time.milliseconds(), bytes]);
      time.sleep(100);
    }
    for (let start = 0; start < moved.length - 30; start++) {
      const span = moved.slice(start, start + 30);
      const bytes = span.reduce((sum, [, b]) => sum + b, 0);
      expect(bytes / 3, `bytes/s over the 3 s from ${span[0]![0]} ms`).to.be.at.most(200_000 * 1.2);
    }
    const total = moved.reduce((sum, [, b]) => sum + b, 0);
    expect(total / 20).to.be.within(190_000, 210_000);
  });

  it('never throttles at Long.MAX_VALUE, the default', () => {
    const time = new MockTime();
    const q = quota(Number.MAX_SAFE_INTEGER, time);
    q.record(10 ** 12);
    expect(q.allowance()).to.equal(Infinity);
    q.setRate(10);
    expect(q.allowance()).to.be.below(0);
  });

  it("throttles the replicas the topic config lists for this broker, or all with '*'", () => {
    const time = new MockTime();
    const config = parseLogConfig({
      'leader.replication.throttled.replicas': '0:1,0:2,1:3',
      'follower.replication.throttled.replicas': '*',
    });
    const leader = quota(1, time, 'leader');
    expect([0, 1, 2].map((p) => leader.throttles(p, config))).to.deep.equal([true, false, false]);
    expect(quota(1, time, 'follower').throttles(7, config)).to.equal(true);
    expect(leader.throttles(0, parseLogConfig({}))).to.equal(false);
  });

  it('refuses throttled replica lists that are not partition:broker pairs or *', () => {
    expect(() => parseLogConfig({ 'leader.replication.throttled.replicas': '0-1' })).to.throw(/partitionId:brokerId/);
    expect(() => parseLogConfig({ 'follower.replication.throttled.replicas': '*,0:1' })).to.throw(/'\*'/);
  });
});
