import { expect } from 'chai';
import fs from 'node:fs';
import { join } from 'node:path';
import { ApiError } from '../../../lib/common/errors.js';
import {
  CheckpointFile,
  TOPIC_PARTITION_OFFSET_FORMAT,
  readOffsetCheckpoint,
  writeOffsetCheckpoint,
} from '../../../lib/log/checkpoint-file.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('CheckpointFile', () => {
  describe('#write', () => {
    it("writes Kafka's text format and reads it back", () => {
      const file = join(tmpDir(), 'recovery-point-offset-checkpoint');
      writeOffsetCheckpoint(file, [
        { topic: 'orders', partition: 0, offset: 42 },
        { topic: 'a-b.c', partition: 12, offset: 7 },
      ]);
      expect(fs.readFileSync(file, 'utf8')).to.equal('0\n2\norders 0 42\na-b.c 12 7\n');
      expect([...readOffsetCheckpoint(file)]).to.deep.equal([
        ['orders-0', 42],
        ['a-b.c-12', 7],
      ]);
      expect(fs.existsSync(`${file}.tmp`)).to.equal(false);
    });

    it('replaces the previous content', () => {
      const file = join(tmpDir(), 'cp');
      writeOffsetCheckpoint(file, [{ topic: 't', partition: 0, offset: 1 }]);
      writeOffsetCheckpoint(file, []);
      expect(readOffsetCheckpoint(file).size).to.equal(0);
    });
  });

  describe('#read', () => {
    it('reads a missing file as empty', () => {
      expect(new CheckpointFile(join(tmpDir(), 'none'), TOPIC_PARTITION_OFFSET_FORMAT).read()).to.deep.equal([]);
    });

    for (const [what, text, pattern] of [
      ['a count that disagrees with the entries', '0\n3\nt 0 1\n', /declares 3 entries but holds 1/],
      ['a malformed line', '0\n1\nt zero 1\n', /malformed line 't zero 1'/],
      ['an unknown version', '1\n0\n', /version '1'/],
    ] as const) {
      it(`throws KAFKA_STORAGE_ERROR naming the file for ${what}`, () => {
        const file = join(tmpDir(), 'log-start-offset-checkpoint');
        fs.writeFileSync(file, text);
        expect(() => readOffsetCheckpoint(file))
          .to.throw(ApiError, pattern)
          .with.property('message')
          .that.includes(file);
      });
    }
  });
});
