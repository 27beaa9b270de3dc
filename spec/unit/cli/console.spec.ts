import { expect } from 'chai';
import { formatBatch, recordFormatOf } from '../../../lib/cli/admin/console-consumer.js';
import { lineFormatOf, parseLine } from '../../../lib/cli/admin/console-producer.js';
import type { FetchedRecord } from '../../../lib/client/index.js';

describe('mq-admin produce and consume (pure parts)', () => {
  it("parses lines as Kafka's line reader: headers, then key, then value, with the null marker", () => {
    const f = lineFormatOf({ 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': '<null>' });
    expect(parseLine('a:1,b\tk\tv\tw', 1, f, 't')).to.deep.equal({
      topic: 't',
      key: 'k',
      value: 'v\tw',
      headers: [
        { key: 'a', value: '1' },
        { key: 'b', value: null },
      ],
    });
    expect(parseLine('\t<null>\tv', 2, f, 't')).to.deep.equal({ topic: 't', key: null, value: 'v', headers: [] });
    expect(() => parseLine('h:1\tno-key', 3, f, 't')).to.throw(
      "No key separator found on line number 3: 'h:1\tno-key'",
    );
    const lenient = lineFormatOf({ 'parse.key': 'true', 'key.separator': ':', 'ignore.error': 'true' });
    expect(parseLine('only-value', 1, lenient, 't')).to.deep.equal({ topic: 't', key: null, value: 'only-value' });
    expect(parseLine('plain line', 1, lineFormatOf({}), 't')).to.deep.equal({
      topic: 't',
      key: null,
      value: 'plain line',
    });
    expect(() => lineFormatOf({ 'parse.keys': 'true' })).to.throw(/Unknown --property parse.keys/);
  });

  it("prints records in Kafka's field order, stopping at the limit and giving the offset after the last printed", () => {
    const records: FetchedRecord[] = [
      {
        offset: 7,
        timestamp: 1000,
        key: Buffer.from('k'),
        value: Buffer.from('v'),
        headers: [{ key: 'h', value: Buffer.from('x') }],
      },
      { offset: 8, timestamp: 1001, key: null, value: null, headers: [] },
      { offset: 9, timestamp: 1002, key: null, value: Buffer.from('never'), headers: [] },
    ];
    const batch = Object.assign(records.values(), { partition: 2, timestampType: 'CreateTime' as const });
    const f = recordFormatOf({
      'print.timestamp': 'true',
      'print.partition': 'true',
      'print.offset': 'true',
      'print.headers': 'true',
      'print.key': 'true',
      'key.separator': '|',
    });
    const out: Buffer[] = [];
    expect(formatBatch(batch, f, out, 2)).to.deep.equal({ printed: 2, nextOffset: 9 });
    expect(Buffer.concat(out).toString()).to.equal(
      'CreateTime:1000|Partition:2|Offset:7|h:x|k|v\nCreateTime:1001|Partition:2|Offset:8|NO_HEADERS|null|null\n',
    );
    const valuesOnly: Buffer[] = [];
    formatBatch(
      Object.assign(records.values(), { partition: 0, timestampType: 'LogAppendTime' as const }),
      recordFormatOf({}),
      valuesOnly,
      10,
    );
    expect(Buffer.concat(valuesOnly).toString()).to.equal('v\nnull\nnever\n');
  });
});
