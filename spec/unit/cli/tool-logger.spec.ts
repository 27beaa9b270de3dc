import { expect } from 'chai';
import { formatToolLogLine, toolLogger } from '../../../lib/cli/tool-logger.js';

describe('tool logger', () => {
  it('keeps the structured fields after the component: strings as they are, errors by type and message', () => {
    const lines: string[] = [];
    const logger = toolLogger({ write: (line: string) => lines.push(line) }).child({ component: 'TransactionManager' });
    const err = new RangeError('sequence 7 out of order');
    logger.warn({ topic: 'chaos', partition: 1, producerEpoch: 2, err }, 'epoch bump requested');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(
      /^\[\S+\] WARN epoch bump requested \(TransactionManager\) topic=chaos partition=1 producerEpoch=2 err=RangeError: sequence 7 out of order\n$/,
    );
  });

  it('renders other values as JSON and a line without fields as before', () => {
    const time = Date.UTC(2026, 11, 7, 18, 0, 0);
    expect(formatToolLogLine(JSON.stringify({ level: 30, time, msg: 'retrying', nodes: [1, 2], ok: false }))).to.equal(
      '[2026-12-07T18:00:00.000Z] INFO retrying nodes=[1,2] ok=false\n',
    );
    expect(formatToolLogLine(JSON.stringify({ level: 40, time, msg: 'no leader', component: 'Sender' }))).to.equal(
      '[2026-12-07T18:00:00.000Z] WARN no leader (Sender)\n',
    );
    expect(formatToolLogLine('not json')).to.equal('not json\n');
  });
});
