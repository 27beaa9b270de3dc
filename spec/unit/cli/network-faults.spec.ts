/** degradeLink refuses what a link cannot be given, naming the rule, before it touches any host. */
import { expect } from 'chai';
import { UsageError } from '../../../lib/cli/cli-errors.js';
import type { HostNetwork } from '../../../lib/cli/faults/host-network.js';
import { degradeLink, type LinkDegradation } from '../../../lib/cli/faults/network-faults.js';

/** Refusals come before anything touches the network: a network that throws when used proves it. */
const untouchable = new Proxy({} as HostNetwork, {
  get: () => {
    throw new Error('the network was touched');
  },
});

describe('degradeLink', () => {
  const refusals: [LinkDegradation, RegExp][] = [
    [{}, /needs a bandwidth cap, a packet loss or a delay/],
    [{ jitterMs: 10 }, /jitter needs a delay/],
    [{ lossPercent: 101 }, /percentage from 0 to 100/],
    [{ lossPercent: 2.5 }, /whole percentage/],
    [{ rateKbit: 4 }, /at least 8/],
    [{ delayMs: -1 }, /whole milliseconds/],
  ];
  for (const [how, message] of refusals) {
    it(`refuses ${JSON.stringify(how)} naming the rule`, () => {
      expect(() => degradeLink(untouchable, 'b1', how, { removeOnExit: true }))
        .to.throw(UsageError)
        .with.property('message')
        .that.matches(message);
    });
  }
});
