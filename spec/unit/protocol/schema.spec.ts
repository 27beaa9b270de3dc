import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import {
  array,
  bool,
  bytes,
  int16,
  int32,
  int64,
  int8,
  nullable,
  requestValidator,
  string,
  struct,
  wireShape,
} from '../../../lib/protocol/schema.js';

const Example = struct({
  id: nullable(string()),
  acks: int16(),
  topics: array(
    struct({
      name: string(),
      partitions: array(struct({ index: int32({ min: 0 }), records: bytes() })),
    }),
  ),
  brokerIds: array(int32()),
  flag: bool(),
});

const good = () => ({
  id: null,
  acks: -1,
  topics: [
    {
      name: 't',
      partitions: [
        { index: 0, records: Buffer.alloc(3) },
        { index: 1, records: Buffer.alloc(0) },
      ],
    },
  ],
  brokerIds: [1, 2],
  flag: true,
});

describe('schema', () => {
  describe('#check', () => {
    it('accepts a conforming value, ignoring keys the schema does not describe', () => {
      expect(Example.check({ ...good(), extra: 'from a newer peer' })).to.equal(null);
    });

    it('names the path of the first mismatch, what was expected and what was found', () => {
      const v = good();
      v.topics[0]!.partitions[1]!.index = -1;
      expect(Example.check(v)).to.equal('.topics[0].partitions[1].index: expected int32 >= 0, found -1');
      expect(Example.check({ ...good(), acks: '1' })).to.equal('.acks: expected int16, found "1"');
      expect(Example.check({ ...good(), flag: undefined })).to.equal(
        '.flag: expected a boolean, found nothing (field missing)',
      );
      expect(Example.check({ ...good(), topics: {} })).to.equal('.topics: expected an array, found an object');
      expect(Example.check({ ...good(), brokerIds: [1, 2.5] })).to.equal('.brokerIds[1]: expected int32, found 2.5');
      expect(Example.check([])).to.equal(': expected a struct, found an array (0)');
    });

    it('checks integer widths and bounds', () => {
      expect(int8().check(128)).to.match(/expected int8/);
      expect(int8().check(-128)).to.equal(null);
      expect(int16().check(32768)).to.match(/expected int16/);
      expect(int32().check(2 ** 31)).to.match(/expected int32/);
      expect(int32({ min: -1, max: 5 }).check(6)).to.equal(': expected int32 >= -1 <= 5, found 6');
      expect(int64().check(2 ** 53)).to.match(/expected int64/);
      expect(int64().check(2 ** 53 - 1)).to.equal(null);
      expect(int64().check(5n)).to.equal(': expected int64, found 5');
      expect(int32().check(NaN)).to.match(/found NaN/);
    });

    it('admits null only where the schema is nullable', () => {
      expect(nullable(array(int32())).check(null)).to.equal(null);
      expect(array(int32()).check(null)).to.equal(': expected an array, found null');
      expect(string().check(null)).to.equal(': expected a string, found null');
    });

    it('accepts any Uint8Array as bytes without looking inside', () => {
      expect(bytes().check(new Uint8Array(2))).to.equal(null);
      expect(bytes().check([1, 2])).to.equal(': expected bytes, found an array (2)');
    });
  });

  describe('#requestValidator', () => {
    it('returns the body when it conforms and throws INVALID_REQUEST naming the field otherwise', () => {
      const validate = requestValidator('ExampleRequest', Example);
      const body = good();
      expect(validate(body)).to.equal(body);
      try {
        validate({ ...good(), acks: 40000 });
        expect.fail('expected a throw');
      } catch (e) {
        expect(e).to.be.instanceOf(ApiError);
        expect((e as ApiError).errorName).to.equal('INVALID_REQUEST');
        expect((e as ApiError).message).to.contain('ExampleRequest.acks: expected int16, found 40000');
      }
    });
  });

  describe('#wireShape', () => {
    it('renders Kafka-style nesting, marking scalar arrays [] and nullables ?', () => {
      expect(wireShape('ExampleRequest', Example)).to.equal(
        'ExampleRequest => id? acks topics[name partitions[index records]] brokerIds[] flag',
      );
    });
  });
});
