import { expect } from 'chai';
import { InvalidArgumentError } from '../../../lib/common/errors.js';
import { parseConnectString } from '../../../lib/zk/zk-client.js';

describe('ZkClient', () => {
  describe('parseConnectString', () => {
    it('splits hosts and chroot', () => {
      expect(parseConnectString('127.0.0.1:2181')).to.deep.equal({ hosts: '127.0.0.1:2181', chroot: undefined });
      expect(parseConnectString('a:1,b:2/kafka/prod')).to.deep.equal({ hosts: 'a:1,b:2', chroot: '/kafka/prod' });
      expect(parseConnectString('zk/')).to.deep.equal({ hosts: 'zk', chroot: undefined });
    });

    it('rejects a chroot ending in a slash and an empty host list', () => {
      expect(() => parseConnectString('a:1/kafka/')).to.throw(InvalidArgumentError, "must not end with '/'");
      expect(() => parseConnectString('/kafka')).to.throw(InvalidArgumentError, 'expected host:port');
      expect(() => parseConnectString('a:x')).to.throw(InvalidArgumentError, 'expected host:port');
    });
  });
});
