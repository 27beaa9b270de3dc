/**
 * lib/zk/zk-client.ts reaches into node-zookeeper-client's private connection manager to abandon a client for good
 * (the library cannot). The version is pinned for that reason; this spec makes an upgrade that changes the private
 * shape fail here, loudly, instead of leaving sockets and timers behind at run time.
 */
import { createRequire } from 'node:module';
import { expect } from 'chai';
import zookeeper from 'node-zookeeper-client';
import { IllegalStateError } from '../../../lib/common/errors.js';
import { connectionManagerOf } from '../../../lib/zk/zk-client.js';

describe('node-zookeeper-client internals that ZkClient relies on', () => {
  it('is the pinned version 1.1.3, exactly as package.json asks', () => {
    const require = createRequire(import.meta.url);
    const installed = (require('node-zookeeper-client/package.json') as { version: string }).version;
    const wanted = (require('../../../../package.json') as { dependencies: Record<string, string> }).dependencies[
      'node-zookeeper-client'
    ];
    expect(wanted, 'package.json pins an exact version').to.equal('1.1.3');
    expect(installed).to.equal('1.1.3');
  });

  it('has the connection manager fields and methods that dropRaw() replaces', () => {
    // Never connected: createClient only builds the objects (connect() would open a socket).
    const raw = zookeeper.createClient('127.0.0.1:1');
    const cm = connectionManagerOf(raw);
    expect(typeof cm.connect).to.equal('function');
    expect(typeof cm.onSocketConnected).to.equal('function');
    expect(cm).to.have.property('connectTimeoutHandler');
  });

  it('names what is missing when the shape differs', () => {
    const fake = { connectionManager: { connect: () => undefined } } as unknown as zookeeper.Client;
    expect(() => connectionManagerOf(fake)).to.throw(IllegalStateError, /onSocketConnected\(\).*connectTimeoutHandler/);
  });
});
