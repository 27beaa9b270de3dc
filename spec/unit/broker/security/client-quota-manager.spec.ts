import { expect } from 'chai';
import { ClientQuotaManager } from '../../../../lib/broker/security/client-quota-manager.js';
import type { ClientEntityConfigs } from '../../../../lib/broker/security/client-entity-configs.js';
import { QuotaRate } from '../../../../lib/broker/security/quota-rate.js';
import { MockTime } from '../../../helpers/mock-time.js';

/** The quota manager reads entity configs from memory; a map stands in for the ZooKeeper-fed cache. */
function configs(entries: Record<string, Record<string, string>>) {
  const listeners: (() => void)[] = [];
  const fake = {
    get: (p: string) => entries[p],
    entityPaths: () => Object.keys(entries),
    onChange: (l: () => void) => listeners.push(l),
  };
  return {
    configs: fake as unknown as ClientEntityConfigs,
    change: (path: string, config: Record<string, string> | undefined) => {
      if (config === undefined) delete entries[path];
      else entries[path] = config;
      for (const l of listeners) l();
    },
  };
}

describe('ClientQuotaManager', () => {
  const rate = (bound: number) => ({ producer_byte_rate: String(bound) });

  it("applies Kafka's eight levels of precedence, the most specific first", () => {
    const levels = {
      'users/alice/clients/app': rate(1),
      'users/alice/clients/<default>': rate(2),
      'users/alice': rate(3),
      'users/<default>/clients/app': rate(4),
      'users/<default>/clients/<default>': rate(5),
      'users/<default>': rate(6),
      'clients/app': rate(7),
      'clients/<default>': rate(8),
    };
    const { configs: c, change } = configs({ ...levels });
    const m = new ClientQuotaManager({ configs: c, samples: 11, windowMs: 1000, time: new MockTime() });
    for (const [path, bound] of Object.entries(levels).map(([p, v]) => [p, Number(v.producer_byte_rate)] as const)) {
      expect(m.quota('produce', 'alice', 'app'), path).to.equal(bound);
      change(path, undefined);
    }
    expect(m.quota('produce', 'alice', 'app')).to.equal(undefined);
    expect(m.enabled('produce')).to.equal(false);
  });

  it('sanitizes names as Kafka does, and keeps quota types apart', () => {
    const { configs: c } = configs({ 'users/CN%3Dalice%2COU%3Deng': { consumer_byte_rate: '10' } });
    const m = new ClientQuotaManager({ configs: c, samples: 11, windowMs: 1000, time: new MockTime() });
    expect(m.quota('fetch', 'CN=alice,OU=eng', 'x')).to.equal(10);
    expect(m.quota('produce', 'CN=alice,OU=eng', 'x')).to.equal(undefined);
    expect(m.enabled('fetch') && !m.enabled('produce')).to.equal(true);
  });

  it('throttles once the rate passes the bound, shares a user-level rate among its clients, not a default one', () => {
    const time = new MockTime();
    const { configs: c } = configs({ 'users/alice': rate(1000), 'clients/<default>': rate(1000) });
    const m = new ClientQuotaManager({ configs: c, samples: 2, windowMs: 1000, time });
    expect(m.recordAndGetThrottleTimeMs('produce', 'alice', 'a', 900)).to.equal(0);
    // The same user through another client id shares the rate: 1800 bytes over one second is 80% over.
    expect(m.recordAndGetThrottleTimeMs('produce', 'alice', 'b', 900)).to.equal(800);
    // Client defaults give every client id a rate of its own.
    expect(m.recordAndGetThrottleTimeMs('produce', 'bob', 'c', 900)).to.equal(0);
    expect(m.recordAndGetThrottleTimeMs('produce', 'bob', 'd', 900)).to.equal(0);
  });
});

describe('QuotaRate', () => {
  it("measures over at least samples - 1 windows, and gives Kafka's throttle time (O - T) / T * W", () => {
    const r = new QuotaRate(11, 1000);
    r.record(10_000, 0);
    expect(r.rate(0)).to.equal(1000); // 10,000 over the ten-window minimum
    expect(r.throttleTimeMs(500, 0)).to.equal(10_000); // to 500/s: 10,000 / 500 = 20 s in all, 10 s more
  });

  it('forgets windows older than samples × window', () => {
    const r = new QuotaRate(2, 1000);
    r.record(5000, 0);
    expect(r.rate(1500)).to.be.above(0);
    expect(r.rate(2500)).to.equal(0);
  });
});
