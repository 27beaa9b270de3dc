import { expect } from 'chai';
import { ConfigDef, atLeast, define, parseProperties } from '../../../lib/common/config-def.js';
import { InvalidArgumentError } from '../../../lib/common/errors.js';

describe('ConfigDef', () => {
  const def = new ConfigDef({
    segmentBytes: define<number>('segment.bytes', 'int', 1073741824, 'Segment size', atLeast(14)),
    dirs: define<string[]>('log.dirs', 'list', ['/tmp/mq-logs'], 'Log dirs'),
    unclean: define<boolean>('unclean.leader.election.enable', 'boolean', false, 'Unclean election'),
    brokerId: define<number>('broker.id', 'int', undefined, 'Broker id'),
  });

  it('parses typed values and fills defaults', () => {
    const c = def.parse({ 'broker.id': '3', 'log.dirs': '/a, /b' });
    expect(c).to.deep.equal({ brokerId: 3, dirs: ['/a', '/b'], segmentBytes: 1073741824, unclean: false });
  });

  it('names the bad key and the reason', () => {
    expect(() => def.parse({ 'broker.id': '1', 'segment.bytes': '10' })).to.throw(
      InvalidArgumentError,
      /segment\.bytes.*at least 14/,
    );
    expect(() => def.parse({ 'broker.id': 'x' })).to.throw(/broker\.id.*integer/);
    expect(() => def.parse({ 'broker.id': '1', 'unclean.leader.election.enable': 'yes' })).to.throw(/true or false/);
  });

  it('requires keys without a default and rejects unknown keys when strict', () => {
    expect(() => def.parse({})).to.throw(/Missing required config key 'broker.id'/);
    expect(() => def.parse({ 'broker.id': '1', 'no.such': 'x' }, { strict: true })).to.throw(
      /Unknown config key 'no.such'/,
    );
    expect(def.parse({ 'broker.id': '1', 'no.such': 'x' })).to.not.have.property('no.such');
  });

  it('reads Java properties text', () => {
    expect(
      parseProperties('# c\nbroker.id=1\nlog.dirs = /x\n! c\nzookeeper.connect: localhost:2181/mq\n'),
    ).to.deep.equal({ 'broker.id': '1', 'log.dirs': '/x', 'zookeeper.connect': 'localhost:2181/mq' });
  });
});
