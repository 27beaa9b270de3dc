import { expect } from 'chai';
import { AclOperation, ResourceType } from '../../../lib/common/acl.js';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { produceAccess, type Access } from '../../../lib/broker/api-access.js';
import type { BrokerServices } from '../../../lib/broker/handlers/broker-services.js';
import type { RequestContext } from '../../../lib/network/request-context.js';
import type { ProduceRequest, ProduceResponse } from '../../../lib/protocol/messages/index.js';
import { DELAYED_TOPIC } from '../../../lib/record/delayed-record.js';
import { RecordBatchBuilder } from '../../../lib/record/record-batch-builder.js';

/** A principal allowed Write on the topics given, and nothing else. */
function writer(...topics: string[]): Access {
  return {
    allowed: (op, type, name) => op === AclOperation.WRITE && type === ResourceType.TOPIC && topics.includes(name),
    allowedOnSome: () => false,
  };
}

function delayedTo(...targets: string[]): Buffer {
  const builder = new RecordBatchBuilder();
  for (const target of targets) {
    builder.append(1, 'k', 'v', [
      { key: 'mq-deliver-at', value: Buffer.from('42') },
      { key: 'mq-target-topic', value: Buffer.from(target) },
      { key: 'mq-target-partition', value: Buffer.from('0') },
    ]);
  }
  return builder.buildSync();
}

function plain(): Buffer {
  const builder = new RecordBatchBuilder();
  builder.append(1, 'k', 'v');
  return builder.buildSync();
}

function produce(...topicData: ProduceRequest['topicData']): ProduceRequest {
  return { transactionalId: null, acks: -1, timeoutMs: 1000, topicData };
}

const check = (a: Access, req: ProduceRequest) =>
  produceAccess(a, req, undefined as unknown as BrokerServices, {} as RequestContext);

const answered: ProduceResponse = { responses: [], throttleTimeMs: 0 };

describe('produceAccess and delayed records', () => {
  it('lets delayed records through when the principal may write every target they name', () => {
    const req = produce({ name: DELAYED_TOPIC, partitionData: [{ index: 0, records: delayedTo('orders', 'audit') }] });
    expect(check(writer(DELAYED_TOPIC, 'orders', 'audit'), req).body).to.equal(req);
  });

  it('refuses the delay topic’s data when one target may not be written (else Write on it would be Write on all)', () => {
    const req = produce(
      { name: 'orders', partitionData: [{ index: 0, records: plain() }] },
      { name: DELAYED_TOPIC, partitionData: [{ index: 3, records: delayedTo('orders', 'payroll') }] },
    );
    const admission = check(writer(DELAYED_TOPIC, 'orders'), req);
    expect(admission.body.topicData.map((t) => t.name)).to.deep.equal(['orders']);
    const refused = admission.finish!(answered)!.responses;
    expect(refused.map((r) => [r.name, r.partitionResponses.map((p) => [p.index, p.errorCode])])).to.deep.equal([
      [DELAYED_TOPIC, [[3, ErrorCode.TOPIC_AUTHORIZATION_FAILED]]],
    ]);
  });
});
