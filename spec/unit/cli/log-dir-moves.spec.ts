import { expect } from 'chai';
import { ApiError } from '../../../lib/common/errors.js';
import {
  logDirMoveBrokers,
  logDirMovesOngoing,
  logDirMoveStates,
  logDirMoveStatusText,
  logDirMovesToCancel,
  replicaLogDirMoves,
} from '../../../lib/cli/admin/log-dir-moves.js';

const dir = (logDir: string, partitions: Array<[string, number, boolean]>, error: ApiError | null = null) => ({
  logDir,
  error,
  partitions: partitions.map(([topic, partition, isFuture]) => ({ topic, partition, size: 1, offsetLag: 0, isFuture })),
});

describe('reassign-partitions log dir moves (pure parts)', () => {
  it('lists a move for every replica whose log dir is a path, and the brokers that copy', () => {
    const moves = replicaLogDirMoves([
      { topic: 't', partition: 0, replicas: [2, 1], logDirs: ['/d/b', 'any'] },
      { topic: 't', partition: 1, replicas: [1, 2] },
      { topic: 'u', partition: 0, replicas: [1, 3], logDirs: ['/d/a', '/d/c'] },
    ]);
    expect(moves).to.deep.equal([
      { topic: 't', partition: 0, broker: 2, logDir: '/d/b' },
      { topic: 'u', partition: 0, broker: 1, logDir: '/d/a' },
      { topic: 'u', partition: 0, broker: 3, logDir: '/d/c' },
    ]);
    expect(logDirMoveBrokers(moves)).to.deep.equal([1, 2, 3]);
  });

  it("judges each move from DescribeLogDirs and words it as Kafka's --verify", () => {
    const target = (topic: string, partition: number, broker: number) => ({ topic, partition, broker, logDir: '/d/b' });
    const states = logDirMoveStates(
      [
        target('t', 0, 1),
        target('t', 1, 1),
        target('t', 2, 1),
        target('t', 3, 1),
        target('t', 4, 1),
        target('t', 5, 2),
      ],
      [
        {
          nodeId: 1,
          logDirs: [
            dir('/d/a', [
              ['t', 1, false],
              ['t', 2, false],
              ['t', 3, false],
            ]),
            dir('/d/b', [
              ['t', 0, false],
              ['t', 1, true],
            ]),
            dir('/d/c', [['t', 3, true]]),
          ],
        },
        { nodeId: 2, logDirs: [dir('/d/a', []), dir('/d/x', [], new ApiError('KAFKA_STORAGE_ERROR', 'offline'))] },
      ],
    );
    expect(states.map((s) => s.state)).to.deep.equal([
      'completed',
      'active',
      'cancelled',
      'active',
      'missingReplica',
      'missingLogDir',
    ]);
    expect(logDirMovesOngoing(states)).to.equal(true);
    expect(logDirMovesToCancel(states), '--cancel: the copying replicas back to their current dir').to.deep.equal([
      { topic: 't', partition: 1, broker: 1, logDir: '/d/a' },
      { topic: 't', partition: 3, broker: 1, logDir: '/d/a' },
    ]);
    expect(logDirMovesOngoing(states.filter((s) => s.state !== 'active'))).to.equal(false);
    expect(logDirMoveStatusText(states)).to.equal(
      'Reassignment of replica t-0-1 completed successfully.\n' +
        'Reassignment of replica t-1-1 is still in progress.\n' +
        'Partition t-2 on broker 1 is not being moved from log dir /d/a to /d/b.\n' +
        'Partition t-3 on broker 1 is being moved to log dir /d/c instead of /d/b.\n' +
        'Partition t-4 cannot be found in any live log directory on broker 1.\n' +
        'Partition t-5 is not found in any live log dir on broker 2. There is likely an offline log directory on the broker.\n',
    );
  });
});
