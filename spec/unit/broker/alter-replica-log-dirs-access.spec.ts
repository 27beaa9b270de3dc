import { expect } from 'chai';
import { AclOperation, ResourceType } from '../../../lib/common/acl.js';
import { ErrorCode } from '../../../lib/common/error-codes.js';
import { alterReplicaLogDirsAccess, type Access } from '../../../lib/broker/api-access.js';
import type { BrokerServices } from '../../../lib/broker/handlers/broker-services.js';
import type { RequestContext } from '../../../lib/network/request-context.js';
import type { AlterReplicaLogDirsRequest, AlterReplicaLogDirsResponse } from '../../../lib/protocol/messages/index.js';

const allowing = (op: number): Access => ({
  allowed: (o, type) => o === op && type === ResourceType.CLUSTER,
  allowedOnSome: () => false,
});

const check = (a: Access, req: AlterReplicaLogDirsRequest) =>
  alterReplicaLogDirsAccess(a, req, undefined as unknown as BrokerServices, {} as RequestContext);

describe('alterReplicaLogDirsAccess', () => {
  const req: AlterReplicaLogDirsRequest = {
    dirs: [{ path: '/d/b', topics: [{ name: 't', partitions: [0, 1] }] }],
  };

  it('passes the request on with Alter on the Cluster', () => {
    expect(check(allowing(AclOperation.ALTER), req)).to.deep.equal({ body: req });
  });

  it('without it, moves nothing and answers every partition CLUSTER_AUTHORIZATION_FAILED, as Kafka does', () => {
    const admission = check(allowing(AclOperation.DESCRIBE), req);
    expect(admission.body).to.deep.equal({ dirs: [] });
    const handled: AlterReplicaLogDirsResponse = { throttleTimeMs: 0, results: [] };
    expect(admission.finish!(handled)).to.deep.equal({
      throttleTimeMs: 0,
      results: [
        {
          topicName: 't',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
            { partitionIndex: 1, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED },
          ],
        },
      ],
    });
  });
});
