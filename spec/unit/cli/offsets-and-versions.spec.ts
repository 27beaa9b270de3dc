import { expect } from 'chai';
import { apiVersionsBlock, apiVersionsJson } from '../../../lib/cli/admin/api-versions-command.js';
import { offsetSpecArg } from '../../../lib/cli/admin/offsets-command.js';

describe('mq-admin offsets and api-versions (pure parts)', () => {
  it('reads --time as kafka-get-offsets does', () => {
    expect(offsetSpecArg('-1')).to.equal('latest');
    expect(offsetSpecArg('-2')).to.equal('earliest');
    expect(offsetSpecArg('1796575420654')).to.equal(1796575420654);
    expect(() => offsetSpecArg('-3')).to.throw(/--time/);
  });

  it("prints a broker's versions in kafka-broker-api-versions' shape, and an error for a broker that did not answer", () => {
    expect(
      apiVersionsBlock({
        nodeId: 2,
        host: 'h',
        port: 9,
        rack: null,
        apis: [
          { apiKey: 18, minVersion: 0, maxVersion: 3 },
          { apiKey: 0, minVersion: 1, maxVersion: 8 },
        ],
      }),
    ).to.equal(
      'h:9 (id: 2 rack: null) -> (\n\tProduce(0): 1 to 8 [unusable: node too new],\n\tApiVersions(18): 0 to 3 [usable: 0]\n)\n',
    );
    expect(apiVersionsBlock({ nodeId: 3, host: 'h', port: 9, rack: 'r1', error: new Error('timed out') })).to.equal(
      'h:9 (id: 3 rack: r1) -> ERROR: timed out\n',
    );
    expect(
      apiVersionsJson({
        nodeId: 2,
        host: 'h',
        port: 9,
        rack: null,
        apis: [{ apiKey: 0, minVersion: 1, maxVersion: 8 }],
      }),
    ).to.deep.equal({
      broker: 2,
      host: 'h',
      port: 9,
      rack: null,
      apis: [{ apiKey: 0, name: 'Produce', minVersion: 1, maxVersion: 8, usableVersion: null }],
      error: null,
    });
    expect(apiVersionsJson({ nodeId: 3, host: 'h', port: 9, rack: 'r1', error: new Error('timed out') })).to.include({
      apis: null,
      error: 'timed out',
    });
  });
});
