import { expect } from 'chai';
import { parseConnectString, parseSrvr } from '../../../lib/console/zookeeper-status.js';

describe('console ZooKeeper status', () => {
  it('splits a connect string into servers (port 2181 by default) and chroot', () => {
    expect(parseConnectString('zk1:2181,zk2:2182/kafka/prod')).to.deep.equal({
      servers: ['zk1:2181', 'zk2:2182'],
      chroot: '/kafka/prod',
    });
    expect(parseConnectString('127.0.0.1')).to.deep.equal({ servers: ['127.0.0.1:2181'], chroot: null });
    expect(parseConnectString('a:1/')).to.deep.equal({ servers: ['a:1'], chroot: null });
  });

  it("reads a server's srvr answer", () => {
    const answer = [
      'Zookeeper version: 3.8.0-${mvngit.commit.id}, built on 2023-01-01 00:00 UTC',
      'Latency min/avg/max: 0/1.5/33',
      'Received: 120',
      'Sent: 119',
      'Connections: 3',
      'Outstanding: 0',
      'Zxid: 0x1a',
      'Mode: follower',
      'Node count: 66',
      '',
    ].join('\n');
    expect(parseSrvr(answer)).to.deep.equal({
      mode: 'follower',
      version: '3.8.0',
      latency: '0/1.5/33',
      outstanding: 0,
      znodes: 66,
    });
    expect(parseSrvr('Mode: leader\n')).to.deep.equal({
      mode: 'leader',
      version: null,
      latency: null,
      outstanding: null,
      znodes: null,
    });
  });
});
