import { expect } from 'chai';
import { alignColumns } from '../../../lib/common/text-columns.js';

describe('alignColumns', () => {
  it('pads every column but the last to its widest cell and trims trailing spaces', () => {
    expect(
      alignColumns(
        [
          ['TOPIC', 'PARTITION', 'LAG'],
          ['orders', '0', ''],
          ['t', '12', '3'],
        ],
        ' ',
      ),
    ).to.deep.equal(['TOPIC  PARTITION LAG', 'orders 0', 't      12        3']);
  });

  it('puts a rule of dashes under the first row when asked', () => {
    expect(
      alignColumns(
        [
          ['a', 'bb'],
          ['xyz', '1'],
        ],
        '  ',
        true,
      ),
    ).to.deep.equal(['a    bb', '---  --', 'xyz  1']);
    expect(alignColumns([], '  ', true)).to.deep.equal([]);
  });
});
