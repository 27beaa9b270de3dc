import { expect } from 'chai';
import { javaStringHashCode, partitionForGroup } from '../../../lib/coordinator/group/group-partition.js';

describe('group-partition', () => {
  describe('#javaStringHashCode', () => {
    it('matches Java String.hashCode vectors', () => {
      expect(javaStringHashCode('')).to.equal(0);
      expect(javaStringHashCode('a')).to.equal(97);
      expect(javaStringHashCode('group')).to.equal(98629247);
      expect(javaStringHashCode('polygenelubricants')).to.equal(-2147483648);
    });
  });

  describe('#partitionForGroup', () => {
    it('maps Integer.MIN_VALUE to partition 0 and otherwise takes abs modulo the count', () => {
      expect(partitionForGroup('polygenelubricants', 50)).to.equal(0);
      expect(partitionForGroup('group', 50)).to.equal(98629247 % 50);
      expect(partitionForGroup('', 50)).to.equal(0);
    });
  });
});
