import { expect } from 'chai';
import { deleteRecordsLine, parseOffsetJson } from '../../../lib/cli/admin/delete-records-command.js';
import { ApiError } from '../../../lib/common/errors.js';

describe('mq-admin delete-records (pure parts)', () => {
  it("reads Kafka's offset JSON file and names the first problem of a bad one", () => {
    expect(
      parseOffsetJson(
        '{"partitions":[{"topic":"t","partition":0,"offset":42},{"topic":"t","partition":1,"offset":-1}]}',
      ),
    ).to.deep.equal([
      { topic: 't', partition: 0, offset: 42 },
      { topic: 't', partition: 1, offset: -1 },
    ]);
    expect(() => parseOffsetJson('{"version":2,"partitions":[{"topic":"t","partition":0,"offset":1}]}')).to.throw(
      /Not supported version field value 2/,
    );
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":-2}]}')).to.throw(
      /partitions\[0\]: "offset" must be an integer >= -1/,
    );
    expect(() => parseOffsetJson('{"partitions":[{"topic":"t","partition":0}]}')).to.throw(/"offset"/);
    expect(() =>
      parseOffsetJson('{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}'),
    ).to.throw(/t-0 is listed twice/);
    expect(() => parseOffsetJson('not json')).to.throw(/not JSON/);
  });

  it("prints Kafka's line per partition: the low watermark or the error", () => {
    expect(deleteRecordsLine({ topic: 't', partition: 3, lowWatermark: 42, error: null })).to.equal(
      'partition: t-3\tlow_watermark: 42\n',
    );
    expect(
      deleteRecordsLine({ topic: 't', partition: 3, lowWatermark: -1, error: new ApiError('OFFSET_OUT_OF_RANGE') }),
    ).to.equal(
      'partition: t-3\terror: The requested offset is not within the range of offsets maintained by the server. ' +
        '(OFFSET_OUT_OF_RANGE)\n',
    );
  });
});
