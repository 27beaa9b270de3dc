import { expect } from 'chai';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { defineApi } from '../../../lib/protocol/api-definition.js';
import { ApiKey, apiKeyName } from '../../../lib/protocol/api-keys.js';
import { ApiVersions } from '../../../lib/protocol/api-versions.js';
import { bool, int16, struct } from '../../../lib/protocol/schema.js';

const unservedApi = (maxVersion: number) =>
  defineApi({
    apiKey: ApiKey.StopReplica,
    name: 'StopReplica',
    requestSchema: struct({ ok: bool() }),
    responseSchema: struct({ errorCode: int16() }),
    maxVersion,
  });

describe('ApiVersions', () => {
  describe('.defaults', () => {
    it('serves version 0 of every API with a message module', () => {
      const ranges = ApiVersions.defaults().ranges();
      expect(ranges.map((r) => r.apiKey)).to.deep.equal([
        0, 1, 2, 3, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
        33, 34, 35, 36, 37, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 60, 61, 65, 66, 10000, 10001, 10002,
      ]);
      for (const r of ranges) expect([r.minVersion, r.maxVersion]).to.deep.equal([0, 0]);
    });
  });

  describe('#isSupported', () => {
    it('is true only for a known key within its version range', () => {
      const versions = ApiVersions.defaults();
      expect(versions.isSupported(ApiKey.Produce, 0)).to.equal(true);
      expect(versions.isSupported(ApiKey.Produce, 1)).to.equal(false);
      expect(versions.isSupported(ApiKey.StopReplica, 0)).to.equal(false);
      expect(versions.isSupported(999, 0)).to.equal(false);
    });
  });

  describe('#register', () => {
    it('adds an API and may widen its versions later', () => {
      const versions = ApiVersions.defaults().register(unservedApi(0));
      expect(versions.isSupported(ApiKey.StopReplica, 0)).to.equal(true);
      versions.register(unservedApi(2));
      expect(versions.isSupported(ApiKey.StopReplica, 2)).to.equal(true);
      expect(versions.get(ApiKey.StopReplica)!.responseHasErrorCode).to.equal(true);
    });

    it('rejects an empty or negative version range', () => {
      expect(() => new ApiVersions().register(unservedApi(-1))).to.throw(
        InvalidArgumentError,
        /0 <= minVersion <= maxVersion/,
      );
    });
  });
});

describe('apiKeyName', () => {
  it("gives Kafka's name, or marks an unknown key", () => {
    expect(apiKeyName(ApiKey.OffsetForLeaderEpoch)).to.equal('OffsetForLeaderEpoch');
    expect(apiKeyName(99)).to.equal('Unknown(99)');
  });
});
