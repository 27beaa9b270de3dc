import { expect } from 'chai';
import { electionReport, electionScope } from '../../../lib/cli/admin/leader-election-command.js';
import { ApiError } from '../../../lib/common/errors.js';

describe('mq-admin leader-election (pure parts)', () => {
  it('takes exactly one way of naming partitions, as kafka-leader-election', () => {
    expect(electionScope({ topic: 't', partition: 2 })).to.deep.equal([{ topic: 't', partition: 2 }]);
    expect(electionScope({ allTopicPartitions: true })).to.equal(null);
    expect(
      electionScope({ pathToJsonFile: 'f.json' }, () => '{"partitions":[{"topic":"a","partition":0}]}'),
    ).to.deep.equal([{ topic: 'a', partition: 0 }]);
    expect(() => electionScope({})).to.throw(/One and only one of/);
    expect(() => electionScope({ topic: 't', partition: 0, allTopicPartitions: true })).to.throw(/One and only one/);
    expect(() => electionScope({ topic: 't' })).to.throw(/\[partition\] with \[topic\]/);
    expect(() => electionScope({ partition: 1, allTopicPartitions: true })).to.throw(/\[topic\] with \[partition\]/);
  });

  it("prints Kafka's three kinds of lines and counts the failures", () => {
    const report = electionReport('PREFERRED', [
      { topic: 't', partition: 0, error: null },
      { topic: 't', partition: 1, error: new ApiError('ELECTION_NOT_NEEDED') },
      { topic: 't', partition: 2, error: null },
      { topic: 'u', partition: 0, error: new ApiError('PREFERRED_LEADER_NOT_AVAILABLE', 'u-0: broker 3 is down.') },
    ]);
    expect(report.failed).to.equal(1);
    expect(report.text).to.equal(
      'Successfully completed leader election (PREFERRED) for partitions t-0, t-2\n' +
        'Valid replica already elected for partitions t-1\n' +
        'Error completing leader election (PREFERRED) for partition: u-0: u-0: broker 3 is down. ' +
        '(PREFERRED_LEADER_NOT_AVAILABLE)\n',
    );
    expect(electionReport('UNCLEAN', [])).to.deep.equal({ text: '', failed: 0 });
  });
});
