import { expect } from 'chai';
import {
  AclOperation as Op,
  AclPermissionType,
  PatternType,
  ResourceType,
  type AccessControlEntry,
  type ResourcePattern,
} from '../../../../lib/common/acl.js';
import { AclCache } from '../../../../lib/broker/security/acl-cache.js';

const topic = (name: string, patternType: number = PatternType.LITERAL): ResourcePattern => ({
  resourceType: ResourceType.TOPIC,
  name,
  patternType: patternType as ResourcePattern['patternType'],
});
const entry = (
  principal: string,
  operation: number,
  permission: number = AclPermissionType.ALLOW,
  host = '*',
): AccessControlEntry => ({
  principal,
  host,
  operation: operation as AccessControlEntry['operation'],
  permissionType: permission as AccessControlEntry['permissionType'],
});

describe("AclCache (Kafka's AclAuthorizer decisions)", () => {
  const can = (c: AclCache, principal: string, op: number, name: string, host = '10.0.0.1') =>
    c.authorize(principal, host, op, ResourceType.TOPIC, name);

  it('denies what no ACL allows, unless no ACL exists for the resource and allow.everyone.if.no.acl.found', () => {
    const strict = new AclCache([], false);
    expect(can(strict, 'User:alice', Op.READ, 'orders')).to.equal(false);
    const open = new AclCache([], true);
    expect(can(open, 'User:alice', Op.READ, 'orders')).to.equal(true);
    open.set(topic('orders'), [entry('User:bob', Op.READ)]);
    expect(can(open, 'User:alice', Op.READ, 'orders')).to.equal(false);
  });

  it('lets super users do everything', () => {
    const c = new AclCache(['User:admin'], false);
    expect(can(c, 'User:admin', Op.DELETE, 'anything')).to.equal(true);
  });

  it('matches literal, wildcard and prefixed patterns, principals, User:* and hosts', () => {
    const c = new AclCache([], false);
    c.set(topic('orders'), [entry('User:alice', Op.READ, AclPermissionType.ALLOW, '10.0.0.1')]);
    c.set(topic('*'), [entry('User:*', Op.DESCRIBE)]);
    c.set(topic('logs-', PatternType.PREFIXED), [entry('User:bob', Op.WRITE)]);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(true);
    expect(can(c, 'User:alice', Op.READ, 'orders', '10.0.0.2')).to.equal(false);
    expect(can(c, 'User:carol', Op.DESCRIBE, 'anything')).to.equal(true);
    expect(can(c, 'User:bob', Op.WRITE, 'logs-app')).to.equal(true);
    expect(can(c, 'User:bob', Op.WRITE, 'log-app')).to.equal(false);
  });

  it('lets Read, Write, Delete and Alter imply Describe, AlterConfigs imply DescribeConfigs, and nothing else', () => {
    const c = new AclCache([], false);
    for (const [op, implied] of [
      [Op.READ, Op.DESCRIBE],
      [Op.WRITE, Op.DESCRIBE],
      [Op.DELETE, Op.DESCRIBE],
      [Op.ALTER, Op.DESCRIBE],
      [Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS],
    ] as const) {
      c.set(topic(`t${op}`), [entry('User:alice', op)]);
      expect(can(c, 'User:alice', implied, `t${op}`), `${op} implies ${implied}`).to.equal(true);
    }
    c.set(topic('r'), [entry('User:alice', Op.READ)]);
    expect(can(c, 'User:alice', Op.WRITE, 'r')).to.equal(false);
    c.set(topic('all'), [entry('User:alice', Op.ALL)]);
    expect(can(c, 'User:alice', Op.DELETE, 'all')).to.equal(true);
  });

  it('lets a DENY win over any ALLOW, without extending to the implied operations', () => {
    const c = new AclCache([], false);
    c.set(topic('orders'), [entry('User:alice', Op.ALL), entry('User:alice', Op.WRITE, AclPermissionType.DENY)]);
    expect(can(c, 'User:alice', Op.WRITE, 'orders')).to.equal(false);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(true);
    c.set(topic('or', PatternType.PREFIXED), [entry('User:*', Op.READ, AclPermissionType.DENY)]);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(false);
    expect(can(c, 'User:alice', Op.DESCRIBE, 'orders')).to.equal(true);
  });

  it('forgets its memoized decisions when an ACL changes', () => {
    const c = new AclCache([], false);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(false);
    c.set(topic('orders'), [entry('User:alice', Op.READ)]);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(true);
    c.set(topic('orders'), []);
    expect(can(c, 'User:alice', Op.READ, 'orders')).to.equal(false);
  });

  it('answers whether some resource of a type allows an operation (KIP-679), minding DENYs that cover it', () => {
    const c = new AclCache([], false);
    const some = (p: string) => c.authorizeByResourceType(p, '10.0.0.1', Op.WRITE, ResourceType.TOPIC);
    c.set(topic('a'), [entry('User:alice', Op.WRITE)]);
    expect(some('User:alice')).to.equal(true);
    expect(some('User:bob')).to.equal(false);
    c.set(topic('*'), [entry('User:alice', Op.WRITE, AclPermissionType.DENY)]);
    expect(some('User:alice')).to.equal(false);
  });
});
