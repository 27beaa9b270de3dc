import { expect } from 'chai';
import { applyIncrementalOps } from '../../../lib/broker/handlers/alter-configs-handlers.js';
import { ApiError } from '../../../lib/common/errors.js';
import { LOG_CONFIG } from '../../../lib/log/log-config.js';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const apply = (
  current: Record<string, string>,
  ops: Array<{ name: string; configOperation: number; value: string | null }>,
) => applyIncrementalOps(current, ops, (name) => LOG_CONFIG.keyOf(name));

describe('applyIncrementalOps (IncrementalAlterConfigs)', () => {
  it('sets and deletes single keys, leaving the others', () => {
    expect(
      apply({ 'retention.ms': '1', 'segment.bytes': '1000' }, [
        { name: 'retention.ms', configOperation: SET, value: '2' },
        { name: 'segment.bytes', configOperation: DELETE, value: null },
        { name: 'min.insync.replicas', configOperation: SET, value: '2' },
      ]),
    ).to.deep.equal({ 'retention.ms': '2', 'min.insync.replicas': '2' });
  });

  it("appends to and subtracts from list keys, starting from the key's default without an override", () => {
    expect(apply({}, [{ name: 'cleanup.policy', configOperation: APPEND, value: 'compact' }])).to.deep.equal({
      'cleanup.policy': 'delete,compact',
    });
    expect(
      apply({ 'cleanup.policy': 'compact,delete' }, [
        { name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' },
      ]),
    ).to.deep.equal({ 'cleanup.policy': 'compact' });
  });

  it('refuses APPEND/SUBTRACT on a key that is not a list, a key named twice, and a null value with INVALID_REQUEST', () => {
    const refused = (ops: Array<{ name: string; configOperation: number; value: string | null }>, message: RegExp) =>
      expect(() => apply({}, ops))
        .to.throw(ApiError, message)
        .with.property('errorName', 'INVALID_REQUEST');
    refused(
      [{ name: 'retention.ms', configOperation: APPEND, value: '1' }],
      /append is not allowed for config key: retention.ms/,
    );
    refused([{ name: 'retention.ms', configOperation: SUBTRACT, value: '1' }], /subtract is not allowed/);
    refused(
      [
        { name: 'retention.ms', configOperation: SET, value: '1' },
        { name: 'retention.ms', configOperation: DELETE, value: null },
      ],
      /duplicate config keys: retention.ms/,
    );
    refused(
      [{ name: 'retention.ms', configOperation: SET, value: null }],
      /Null value not supported for: retention.ms/,
    );
  });
});
