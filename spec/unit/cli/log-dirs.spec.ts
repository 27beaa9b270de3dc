import { expect } from 'chai';
import { logDirsJson } from '../../../lib/cli/admin/log-dirs-command.js';

describe('mq-admin log-dirs (pure parts)', () => {
  it("prints kafka-log-dirs' JSON, partitions sorted and limited to the topics asked, future replicas marked", () => {
    const brokers = [
      {
        nodeId: 2,
        logDirs: [
          {
            logDir: '/d',
            error: null,
            partitions: [
              { topic: 'b', partition: 0, size: 5, offsetLag: 3, isFuture: true },
              { topic: 'a', partition: 10, size: 7, offsetLag: 1, isFuture: false },
              { topic: 'a', partition: 2, size: 9, offsetLag: 0, isFuture: false },
            ],
          },
        ],
      },
    ];
    expect(JSON.parse(logDirsJson(brokers, null))).to.deep.equal({
      version: 1,
      brokers: [
        {
          broker: 2,
          logDirs: [
            {
              logDir: '/d',
              error: null,
              partitions: [
                { partition: 'a-2', size: 9, offsetLag: 0, isFuture: false },
                { partition: 'a-10', size: 7, offsetLag: 1, isFuture: false },
                { partition: 'b-0', size: 5, offsetLag: 3, isFuture: true },
              ],
            },
          ],
        },
      ],
    });
    expect(JSON.parse(logDirsJson(brokers, new Set(['b']))).brokers[0].logDirs[0].partitions).to.deep.equal([
      { partition: 'b-0', size: 5, offsetLag: 3, isFuture: true },
    ]);
  });
});
