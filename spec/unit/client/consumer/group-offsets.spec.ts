import { expect } from 'chai';
import { ErrorCode } from '../../../../lib/common/error-codes.js';
import { silentLogger } from '../../../../lib/common/logger.js';
import { ConnectionError } from '../../../../lib/common/errors.js';
import { ApiKey } from '../../../../lib/protocol/api-keys.js';
import type { OffsetCommitRequest } from '../../../../lib/protocol/messages/index.js';
import type { ClientCluster } from '../../../../lib/client/client-cluster.js';
import { CommitFailedError } from '../../../../lib/client/errors.js';
import { GroupOffsets, stillCurrent, type GroupGeneration } from '../../../../lib/client/consumer/group-offsets.js';
import { MockTime } from '../../../helpers/mock-time.js';

const member = (generationId: number, memberId: string): GroupGeneration => ({
  generationId,
  memberId,
  groupInstanceId: null,
});

/**
 * The transport GroupOffsets talks through, scripted: FindCoordinator names broker `coordinator`; each OffsetCommit is
 * recorded and answered by the next scripted answer (an error code for every partition, or a lost connection).
 */
class ScriptedCoordinator {
  readonly commits: OffsetCommitRequest[] = [];
  constructor(
    private readonly answers: (number | 'connection lost')[],
    private readonly onCommit: (attempt: number) => void = () => undefined,
  ) {}

  asCluster(): ClientCluster {
    const fake = {
      sendToAny: (apiKey: ApiKey) => {
        expect(apiKey).to.equal(ApiKey.FindCoordinator);
        return Promise.resolve({ errorCode: ErrorCode.NONE, nodeId: 1, errorMessage: null });
      },
      sendToCoordinator: (_nodeId: number, apiKey: ApiKey, req: OffsetCommitRequest) => {
        expect(apiKey).to.equal(ApiKey.OffsetCommit);
        this.commits.push(req);
        this.onCommit(this.commits.length - 1);
        const answer = this.answers.shift() ?? ErrorCode.NONE;
        if (answer === 'connection lost') return Promise.reject(new ConnectionError('the coordinator went away'));
        return Promise.resolve({
          topics: req.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: answer })),
          })),
        });
      },
    };
    return fake as unknown as ClientCluster;
  }
}

function groupOffsets(cluster: ClientCluster, generation?: () => GroupGeneration | undefined): GroupOffsets {
  return new GroupOffsets({
    cluster,
    groupId: 'chaos-checkers',
    generation,
    time: new MockTime(),
    retryBackoffMs: 1,
    apiTimeoutMs: 60_000,
    logger: silentLogger,
  });
}

describe('GroupOffsets: commits fenced by the generation they began in', () => {
  // The randomized run's seed 647707989: consumer-2 read chaos-2 up to 4895 in generation 1 and committed 4896; the
  // coordinator stopped answering; the member was removed, rejoined as a new member in generation 3 and got chaos-2
  // again, whose committed offset consumer-1 had moved to 8039 meanwhile. The retry of the old commit carried the new
  // member id and generation, the coordinator accepted it, and chaos-2's committed offset went back to 4896.
  it('fails a commit whose member rejoined while it was retried, instead of sending it under the new generation', async () => {
    let now = member(1, 'consumer-2-a');
    const coordinator = new ScriptedCoordinator(['connection lost'], (attempt) => {
      if (attempt === 0) now = member(3, 'consumer-2-b');
    });
    const offsets = groupOffsets(coordinator.asCluster(), () => now);
    let error: unknown;
    await offsets.commit([{ topic: 'chaos', partition: 2, offset: 4896 }]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(CommitFailedError);
    expect((error as Error).message).to.contain('generation 1, now generation 3');
    expect(coordinator.commits.map((c) => [c.generationId, c.memberId])).to.deep.equal([[1, 'consumer-2-a']]);
  });

  it('fails a commit whose member was removed (its generation reset) while it was retried', async () => {
    let now = member(1, 'consumer-2-a');
    const coordinator = new ScriptedCoordinator([ErrorCode.NOT_COORDINATOR], () => {
      now = member(-1, '');
    });
    const offsets = groupOffsets(coordinator.asCluster(), () => now);
    let error: unknown;
    await offsets.commit([{ topic: 'chaos', partition: 2, offset: 4896 }]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(CommitFailedError);
    expect(coordinator.commits).to.have.length(1);
  });

  it('retries a commit with the same generation while the member stays in it', async () => {
    const coordinator = new ScriptedCoordinator([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, 'connection lost']);
    const offsets = groupOffsets(coordinator.asCluster(), () => member(4, 'consumer-1'));
    await offsets.commit([{ topic: 'chaos', partition: 2, offset: 8039 }]);
    expect(coordinator.commits.map((c) => [c.generationId, c.memberId])).to.deep.equal([
      [4, 'consumer-1'],
      [4, 'consumer-1'],
      [4, 'consumer-1'],
    ]);
  });

  it('commits without membership (assign()) with generation -1 and member id ""', async () => {
    const coordinator = new ScriptedCoordinator([]);
    await groupOffsets(coordinator.asCluster()).commit([{ topic: 'chaos', partition: 0, offset: 7 }]);
    expect(coordinator.commits.map((c) => [c.generationId, c.memberId])).to.deep.equal([[-1, '']]);
  });

  it('refuses a subscribed member outside any generation before sending anything', async () => {
    const coordinator = new ScriptedCoordinator([]);
    const offsets = groupOffsets(coordinator.asCluster(), () => member(-1, ''));
    let error: unknown;
    await offsets.commit([{ topic: 'chaos', partition: 0, offset: 7 }]).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(CommitFailedError);
    expect((error as Error).message).to.contain('not part of an active group');
    expect(coordinator.commits).to.deep.equal([]);
  });
});

describe('stillCurrent', () => {
  it('keeps the generation the commit began in while the member is still in it', () => {
    expect(stillCurrent(member(2, 'm'), member(2, 'm'))).to.deep.equal(member(2, 'm'));
  });

  it('refuses a new generation, a new member id, or none', () => {
    expect(() => stillCurrent(member(2, 'm'), member(3, 'm'))).to.throw(CommitFailedError, 'now generation 3');
    expect(() => stillCurrent(member(2, 'm'), member(2, 'n'))).to.throw(CommitFailedError);
    expect(() => stillCurrent(member(2, 'm'), member(-1, ''))).to.throw(CommitFailedError, 'no generation now');
    expect(() => stillCurrent(member(2, 'm'), undefined)).to.throw(CommitFailedError);
  });
});
