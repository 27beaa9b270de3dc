import { expect } from 'chai';
import { parseElectionPartitions } from '../../../lib/cli/admin/preferred-election-command.js';
import { parseReassignment, reassignmentJson, verifyLine } from '../../../lib/cli/admin/reassign-command.js';

describe('mq-admin reassign-partitions and preferred-replica-election (pure parts)', () => {
  it("reads Kafka's reassignment file, log_dirs included, and names the first problem of a bad one", () => {
    const moves = parseReassignment(
      '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3],"log_dirs":["any","any"]}]}',
    );
    expect(moves).to.deep.equal([{ topic: 't', partition: 0, replicas: [2, 3], logDirs: ['any', 'any'] }]);
    expect(reassignmentJson(moves)).to.equal(
      '{"version":1,"partitions":[{"topic":"t","partition":0,"replicas":[2,3]}]}',
    );
    expect(() => parseReassignment('{')).to.throw(/not JSON/);
    expect(() => parseReassignment('{"partitions":[]}')).to.throw(/non-empty "partitions"/);
    expect(() => parseReassignment('{"partitions":[{"topic":"t","partition":-1,"replicas":[1]}]}')).to.throw(
      /partitions\[0\]: "partition"/,
    );
    expect(() => parseReassignment('{"partitions":[{"topic":"t","partition":0,"replicas":[]}]}')).to.throw(
      /"replicas"/,
    );
    expect(() => parseReassignment('{"partitions":[{"topic":"t","partition":0,"replicas":[1,1]}]}')).to.throw(
      /t-0 lists a broker twice/,
    );
    expect(() =>
      parseReassignment(
        '{"partitions":[{"topic":"t","partition":0,"replicas":[1]},{"topic":"t","partition":0,"replicas":[2]}]}',
      ),
    ).to.throw(/t-0 is listed twice/);
    expect(
      parseReassignment('{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/1","any"]}]}'),
    ).to.deep.equal([{ topic: 't', partition: 0, replicas: [1, 2], logDirs: ['/data/1', 'any'] }]);
    expect(() =>
      parseReassignment('{"partitions":[{"topic":"t","partition":0,"replicas":[1,2],"log_dirs":["/data/1"]}]}'),
    ).to.throw(/"log_dirs" has 1 entries for 2 replicas/);
    expect(() =>
      parseReassignment('{"partitions":[{"topic":"t","partition":0,"replicas":[1],"log_dirs":["data/1"]}]}'),
    ).to.throw(/"data\/1" is not an absolute path/);
  });

  it('says whether a move is in progress, completed (replicas in the target order) or failed', () => {
    const target = { topic: 't', partition: 1, replicas: [3, 1] };
    expect(verifyLine(target, true, [1, 2, 3])).to.equal('Reassignment of partition t-1 is still in progress');
    expect(verifyLine(target, false, [3, 1])).to.equal('Reassignment of partition t-1 completed successfully');
    expect(verifyLine(target, false, [1, 3])).to.match(
      /^Reassignment of partition t-1 failed: its replicas are \[1,3\]/,
    );
    expect(verifyLine(target, false, undefined)).to.match(/failed/);
  });

  it("reads the election's partitions file", () => {
    expect(parseElectionPartitions('{"partitions":[{"topic":"t","partition":2}]}')).to.deep.equal([
      { topic: 't', partition: 2 },
    ]);
    expect(() => parseElectionPartitions('{"partitions":[{"topic":"t"}]}')).to.throw(/partitions\[0\]/);
    expect(() =>
      parseElectionPartitions('{"partitions":[{"topic":"t","partition":0},{"topic":"t","partition":0}]}'),
    ).to.throw(/twice/);
  });
});
