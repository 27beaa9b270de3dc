/**
 * mq-admin as an operator runs it: the real bin/mq-admin in child processes against three real brokers, its output
 * and exit codes checked, and every change it claims checked again through the Admin client.
 */
import { spawn } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { useGroupCluster } from '../helpers/group-cluster.js';
import { MQ_ADMIN_BIN, mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { connectTo } from '../helpers/wire.js';
import { ApiKey } from '../../lib/protocol/api-keys.js';

describe('mq-admin against a real cluster (3 brokers)', function () {
  this.timeout(120_000);
  const env = useGroupCluster();
  const boot = () => ['--bootstrap-server', env.cluster.bootstrapServers];

  describe('topics', () => {
    it("creates, describes, lists, adds partitions to and deletes a topic with kafka-topics' output", async () => {
      const created = await mqAdmin([
        'topics',
        ...boot(),
        '--create',
        '--topic',
        'cli-orders',
        '--partitions',
        '3',
        '--replication-factor',
        '3',
        '--config',
        'min.insync.replicas=2',
      ]);
      expect(created.stderr).to.equal('');
      expect(created).to.include({ code: 0, stdout: 'Created topic cli-orders.\n' });

      const described = await mqAdmin(['topics', ...boot(), '--describe', '--topic', 'cli-orders']);
      expect(described.code).to.equal(0);
      const [header, ...partitionLines] = described.stdout.trimEnd().split('\n');
      // As Kafka's, Configs lists what is not at Kafka's default: the broker's own log.segment.bytes and the override.
      expect(header).to.equal(
        'Topic: cli-orders\tPartitionCount: 3\tReplicationFactor: 3\t' +
          'Configs: segment.bytes=16777216,min.insync.replicas=2',
      );
      const [topic] = await env.admin.describeTopics(['cli-orders']);
      expect(partitionLines).to.deep.equal(
        topic!.partitions.map(
          (p) =>
            `\tTopic: cli-orders\tPartition: ${p.partition}\t` +
            `Leader: ${p.leader}\tReplicas: ${p.replicas.join(',')}\tIsr: ${p.isr.join(',')}`,
        ),
      );

      const asJson = await mqAdmin(['topics', ...boot(), '--describe', '--topic', 'cli-orders', '--json']);
      expect(JSON.parse(asJson.stdout)).to.deep.equal([
        {
          name: 'cli-orders',
          internal: false,
          partitionCount: 3,
          replicationFactor: 3,
          configs: { 'segment.bytes': '16777216', 'min.insync.replicas': '2' },
          partitions: topic!.partitions.map((p) => ({
            partition: p.partition,
            leader: p.leader,
            replicas: p.replicas,
            isr: p.isr,
            offlineReplicas: [],
          })),
        },
      ]);
      const refusedJson = await mqAdmin(['topics', ...boot(), '--delete', '--topic', 'cli-orders', '--json']);
      expect(refusedJson.code).to.equal(1);
      expect(refusedJson.stderr).to.include('--json applies to --list and --describe only');

      const listed = await mqAdmin(['topics', ...boot(), '--list', '--exclude-internal']);
      expect(listed.stdout.split('\n')).to.include('cli-orders');
      expect(listed.stdout).not.to.include('__consumer_offsets');
      const listedJson = await mqAdmin(['topics', ...boot(), '--list', '--exclude-internal', '--json']);
      expect(JSON.parse(listedJson.stdout)).to.deep.equal(listed.stdout.trim().split('\n'));

      const altered = await mqAdmin(['topics', ...boot(), '--alter', '--topic', 'cli-orders', '--partitions', '5']);
      expect(altered.code).to.equal(0);
      expect(altered.stdout).to.include('Adding partitions succeeded!');
      await waitFor(
        async () => (await env.admin.describeTopics(['cli-orders']))[0]!.partitions.length === 5,
        'five partitions',
      );

      const deleted = await mqAdmin(['topics', ...boot(), '--delete', '--topic', 'cli-orders']);
      expect(deleted).to.include({ code: 0, stdout: 'Topic cli-orders is marked for deletion.\n' });
      await waitFor(async () => !(await env.admin.listTopics()).includes('cli-orders'), 'the topic to be deleted');
    });

    it('fails with the cause for an existing, a missing or an ill-specified topic, and honours --if-(not-)exists', async () => {
      await mqAdmin([
        'topics',
        ...boot(),
        '--create',
        '--topic',
        'cli-dup',
        '--partitions',
        '1',
        '--replication-factor',
        '1',
      ]);
      const again = await mqAdmin(['topics', ...boot(), '--create', '--topic', 'cli-dup', '--partitions', '1']);
      expect(again.code).to.equal(1);
      expect(again.stderr).to.match(/cli-dup.*already exists.*TOPIC_ALREADY_EXISTS/);
      expect((await mqAdmin(['topics', ...boot(), '--create', '--topic', 'cli-dup', '--if-not-exists'])).code).to.equal(
        0,
      );

      const missing = await mqAdmin(['topics', ...boot(), '--delete', '--topic', 'cli-missing']);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include("Topic 'cli-missing' does not exist");
      expect((await mqAdmin(['topics', ...boot(), '--delete', '--topic', 'cli-missing', '--if-exists'])).code).to.equal(
        0,
      );

      const tooMany = await mqAdmin([
        'topics',
        ...boot(),
        '--create',
        '--topic',
        'cli-rf',
        '--replication-factor',
        '4',
      ]);
      expect(tooMany.code).to.equal(1);
      expect(tooMany.stderr).to.include('INVALID_REPLICATION_FACTOR');

      const twoActions = await mqAdmin(['topics', ...boot(), '--list', '--delete']);
      expect(twoActions.code).to.equal(1);
      expect(twoActions.stderr).to.include('exactly one action');
      expect(await env.admin.listTopics()).not.to.include('cli-rf');
    });
  });

  describe('configs', () => {
    it('adds and deletes topic overrides, which the brokers then report, and refuses to delete one that is not set', async () => {
      await env.admin.createTopics([{ name: 'cli-configs', numPartitions: 1, replicationFactor: 3 }]);
      const added = await mqAdmin([
        'configs',
        ...boot(),
        '--entity-type',
        'topics',
        '--entity-name',
        'cli-configs',
        '--alter',
        '--add-config',
        'retention.ms=86400000,cleanup.policy=[compact,delete]',
      ]);
      expect(added).to.include({ code: 0, stdout: 'Completed updating config for topic cli-configs.\n' });
      const overrides = async () =>
        (await env.admin.describeConfigs([{ type: 'topic', name: 'cli-configs' }]))[0]!.configs
          .filter((c) => c.source === 'DYNAMIC_TOPIC_CONFIG')
          .map((c) => `${c.name}=${c.value}`)
          .sort();
      expect(await overrides()).to.deep.equal(['cleanup.policy=compact,delete', 'retention.ms=86400000']);

      const removed = await mqAdmin([
        'configs',
        ...boot(),
        '--topic',
        'cli-configs',
        '--alter',
        '--delete-config',
        'cleanup.policy',
      ]);
      expect(removed.code).to.equal(0);
      expect(await overrides()).to.deep.equal(['retention.ms=86400000']);

      const described = await mqAdmin(['configs', ...boot(), '--topic', 'cli-configs', '--describe']);
      expect(described.stdout).to.equal(
        'Dynamic configs for topic cli-configs are:\n  retention.ms=86400000 sensitive=false ' +
          'synonyms={DYNAMIC_TOPIC_CONFIG:retention.ms=86400000, DEFAULT_CONFIG:log.retention.hours=168}\n',
      );
      const describedJson = await mqAdmin(['configs', ...boot(), '--topic', 'cli-configs', '--describe', '--json']);
      expect(JSON.parse(describedJson.stdout)).to.deep.equal([
        {
          entityType: 'topics',
          entityName: 'cli-configs',
          configs: [
            {
              name: 'retention.ms',
              value: '86400000',
              source: 'DYNAMIC_TOPIC_CONFIG',
              sensitive: false,
              readOnly: false,
              synonyms: [
                { name: 'retention.ms', value: '86400000', source: 'DYNAMIC_TOPIC_CONFIG' },
                { name: 'log.retention.hours', value: '168', source: 'DEFAULT_CONFIG' },
              ],
            },
          ],
        },
      ]);
      // The spec cluster's brokers set log.segment.bytes in their server.properties: a static broker synonym.
      const all = await mqAdmin(['configs', ...boot(), '--topic', 'cli-configs', '--describe', '--all']);
      expect(all.stdout.split('\n')).to.include(
        '  segment.bytes=16777216 sensitive=false ' +
          'synonyms={STATIC_BROKER_CONFIG:log.segment.bytes=16777216, DEFAULT_CONFIG:log.segment.bytes=1073741824}',
      );

      const notSet = await mqAdmin([
        'configs',
        ...boot(),
        '--topic',
        'cli-configs',
        '--alter',
        '--delete-config',
        'segment.ms',
      ]);
      expect(notSet.code).to.equal(1);
      expect(notSet.stderr).to.include('segment.ms');
      expect(await overrides()).to.deep.equal(['retention.ms=86400000']);
    });
  });

  describe('produce, consume and groups', () => {
    const topic = 'cli-records';
    const lines = Array.from({ length: 500 }, (_, i) => `trace:t${i}\tk${i % 5}\tv${i}`);

    before(async () => {
      await env.admin.createTopics([{ name: topic, numPartitions: 3, replicationFactor: 3 }]);
    });

    it('produces keyed lines with headers and reads them back in order per key, committing what it printed', async () => {
      const produced = await mqAdmin(
        [
          'produce',
          ...boot(),
          '--topic',
          topic,
          '--property',
          'parse.key=true',
          '--property',
          'parse.headers=true',
          '--request-required-acks',
          'all',
        ],
        `${lines.join('\n')}\n`,
      );
      expect(produced.stderr).to.equal('');
      expect(produced.code).to.equal(0);

      const consumed = await mqAdmin([
        'consume',
        ...boot(),
        '--topic',
        topic,
        '--group',
        'cli-readers',
        '--from-beginning',
        '--max-messages',
        '300',
        '--property',
        'print.key=true',
        '--property',
        'print.headers=true',
        '--property',
        'print.partition=true',
        '--property',
        'print.offset=true',
      ]);
      expect(consumed.code).to.equal(0);
      expect(consumed.stderr).to.include('Processed a total of 300 messages');
      const printed = consumed.stdout
        .trimEnd()
        .split('\n')
        .map((l) => l.split('\t'));
      expect(printed).to.have.length(300);
      const lastByKey = new Map<string, number>();
      for (const [partition, offset, headers, key, value] of printed) {
        expect(partition).to.match(/^Partition:\d$/);
        expect(offset).to.match(/^Offset:\d+$/);
        const i = Number(value!.slice(1));
        expect(`${headers}\t${key}\t${value}`).to.equal(lines[i]);
        expect(i).to.be.greaterThan(lastByKey.get(key!) ?? -1);
        lastByKey.set(key!, i);
      }
      // The group's commits cover exactly the 300 records printed, not the rest of the batches they came in.
      const committed = await env.admin.listConsumerGroupOffsets('cli-readers');
      expect(committed.reduce((n, c) => n + Math.max(0, c.offset), 0)).to.equal(300);
    });

    it('reads one partition from an offset without a group, and topics by pattern', async () => {
      const one = await mqAdmin([
        'consume',
        ...boot(),
        '--topic',
        topic,
        '--partition',
        '1',
        '--offset',
        '2',
        '--max-messages',
        '3',
        '--property',
        'print.offset=true',
        '--property',
        'print.partition=true',
      ]);
      expect(one.code).to.equal(0);
      expect(
        one.stdout
          .trim()
          .split('\n')
          .map((l) => l.split('\t').slice(0, 2).join(' ')),
      ).to.deep.equal(['Partition:1 Offset:2', 'Partition:1 Offset:3', 'Partition:1 Offset:4']);
      const groups = (await env.admin.listConsumerGroups()).map((g) => g.groupId);
      expect(
        groups.some((g) => g.startsWith('console-consumer-')),
        'no group for a partition read',
      ).to.equal(false);

      const byPattern = await mqAdmin([
        'consume',
        ...boot(),
        '--include',
        'cli-rec.*',
        '--from-beginning',
        '--max-messages',
        '500',
        '--timeout-ms',
        '20000',
      ]);
      expect(byPattern.code).to.equal(0);
      expect(byPattern.stdout.trim().split('\n').sort()).to.deep.equal(lines.map((l) => l.split('\t')[2]).sort());
    });

    it('describes a group with its lag and members, refuses to reset it while active, then resets and deletes it', async () => {
      const ends = await env.admin.listOffsets(
        [0, 1, 2].map((partition) => ({ topic, partition, spec: 'latest' as const })),
      );
      expect(ends.reduce((n, o) => n + o.offset, 0)).to.equal(500);
      const member = spawn(
        process.execPath,
        [
          MQ_ADMIN_BIN,
          'consume',
          ...boot(),
          '--topic',
          topic,
          '--group',
          'cli-live',
          '--consumer-property',
          'auto.offset.reset=latest',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      try {
        await waitFor(
          async () => (await env.admin.describeConsumerGroups(['cli-live']))[0]!.state === 'Stable',
          'cli-live to be stable',
        );
        const lag = await mqAdmin(['groups', ...boot(), '--describe', '--group', 'cli-readers']);
        expect(lag.code).to.equal(0);
        expect(lag.stderr).to.include("Consumer group 'cli-readers' has no active members.");
        const [head, ...rows] = lag.stdout
          .trim()
          .split('\n')
          .map((l) => l.trim().split(/\s+/));
        expect(head).to.deep.equal([
          'GROUP',
          'TOPIC',
          'PARTITION',
          'CURRENT-OFFSET',
          'LOG-END-OFFSET',
          'LAG',
          'CONSUMER-ID',
          'HOST',
          'CLIENT-ID',
          'LAG-TIME',
        ]);
        // LAG-TIME (ours, last): the coordinator's age of the oldest unconsumed record, as formatLagTime prints it.
        for (const r of rows) expect(r[9]).to.match(/^(\d+\.\ds|\d+m\d\ds|\d+h\d\dm)$/);
        const committed = await env.admin.listConsumerGroupOffsets('cli-readers');
        expect(rows.map((r) => r.slice(0, 6))).to.have.deep.members(
          committed.map((c) => {
            const end = ends.find((o) => o.partition === c.partition)!.offset;
            return ['cli-readers', topic, String(c.partition), String(c.offset), String(end), String(end - c.offset)];
          }),
        );

        const members = await mqAdmin([
          'groups',
          ...boot(),
          '--describe',
          '--group',
          'cli-live',
          '--members',
          '--verbose',
        ]);
        const memberRows = members.stdout.trim().split('\n').slice(1);
        expect(memberRows).to.have.length(1);
        expect(memberRows[0]).to.include('console-consumer').and.include(`${topic}(0,1,2)`);

        // --json: every view of both groups in one document, the lag rows as the text has them.
        const json = await mqAdmin([
          'groups',
          ...boot(),
          '--describe',
          '--group',
          'cli-readers',
          '--group',
          'cli-live',
          '--json',
        ]);
        expect(json.code).to.equal(0);
        const [readers, live] = JSON.parse(json.stdout) as Array<{
          group: string;
          state: string;
          members: Array<{ clientId: string; partitions: unknown[] }>;
          offsets: Array<{ partition: number; currentOffset: number; logEndOffset: number; lag: number }>;
        }>;
        expect([readers!.group, readers!.state, live!.group, live!.state]).to.deep.equal([
          'cli-readers',
          'Empty',
          'cli-live',
          'Stable',
        ]);
        expect(
          readers!.offsets.map((o) => [
            'cli-readers',
            topic,
            String(o.partition),
            String(o.currentOffset),
            String(o.logEndOffset),
            String(o.lag),
          ]),
        ).to.have.deep.members(rows.map((r) => r.slice(0, 6)));
        expect(live!.members.map((m) => [m.clientId, m.partitions.length])).to.deep.equal([['console-consumer', 3]]);

        const subscribed = await mqAdmin([
          'groups',
          ...boot(),
          '--delete-offsets',
          '--group',
          'cli-live',
          '--topic',
          topic,
        ]);
        expect(subscribed.code).to.equal(1);
        expect(subscribed.stdout).to.include('Error: ').and.include('GROUP_SUBSCRIBED_TO_TOPIC');

        const refused = await mqAdmin([
          'groups',
          ...boot(),
          '--reset-offsets',
          '--group',
          'cli-live',
          '--all-topics',
          '--to-earliest',
          '--execute',
        ]);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.include("group 'cli-live' is inactive, but the current state is Stable");
      } finally {
        member.kill('SIGINT');
        await new Promise((resolve) => member.once('close', resolve));
      }

      const plan = await mqAdmin([
        'groups',
        ...boot(),
        '--reset-offsets',
        '--group',
        'cli-readers',
        '--topic',
        `${topic}:0,1`,
        '--shift-by',
        '-1000',
      ]);
      expect(plan.code).to.equal(0);
      expect(
        plan.stdout
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(/\s+/)),
      ).to.deep.equal([
        ['cli-readers', topic, '0', '0'],
        ['cli-readers', topic, '1', '0'],
      ]);
      expect(plan.stderr).to.include('--execute');
      expect((await env.admin.listConsumerGroupOffsets('cli-readers')).reduce((n, c) => n + c.offset, 0)).to.equal(300);

      const reset = await mqAdmin([
        'groups',
        ...boot(),
        '--reset-offsets',
        '--group',
        'cli-readers',
        '--all-topics',
        '--to-latest',
        '--execute',
      ]);
      expect(reset.code).to.equal(0);
      const after = await env.admin.listConsumerGroupOffsets('cli-readers');
      expect(after.map((c) => [c.partition, c.offset]).sort()).to.deep.equal(
        ends.map((o) => [o.partition, o.offset]).sort(),
      );

      const offsetDeleted = await mqAdmin([
        'groups',
        ...boot(),
        '--delete-offsets',
        '--group',
        'cli-readers',
        '--topic',
        `${topic}:2`,
      ]);
      expect(offsetDeleted.code).to.equal(0);
      expect(offsetDeleted.stdout).to.match(new RegExp(`${topic} +2 +Successful`));
      expect((await env.admin.listConsumerGroupOffsets('cli-readers')).map((c) => c.partition).sort()).to.deep.equal([
        0, 1,
      ]);

      const deleted = await mqAdmin(['groups', ...boot(), '--delete', '--group', 'cli-readers']);
      expect(deleted).to.include({
        code: 0,
        stdout: "Deletion of requested consumer groups ('cli-readers') was successful.\n",
      });
      expect((await env.admin.listConsumerGroups()).map((g) => g.groupId)).not.to.include('cli-readers');
      const gone = await mqAdmin(['groups', ...boot(), '--describe', '--group', 'cli-readers']);
      expect(gone.code).to.equal(1);
      expect(gone.stderr).to.include("Consumer group 'cli-readers' does not exist.");
    });

    it("prints the partitions' latest and earliest offsets, and every broker's API versions", async () => {
      const latest = await mqAdmin(['offsets', ...boot(), '--topic', topic]);
      expect(latest.code).to.equal(0);
      const lines = latest.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(':'));
      expect(lines.map(([t, p]) => `${t}:${p}`)).to.deep.equal([0, 1, 2].map((p) => `${topic}:${p}`));
      expect(lines.reduce((n, l) => n + Number(l[2]), 0)).to.equal(500);
      const earliest = await mqAdmin(['offsets', ...boot(), '--topic', topic, '--partitions', '1', '--time', '-2']);
      expect(earliest.stdout).to.equal(`${topic}:1:0\n`);
      const latestJson = await mqAdmin(['offsets', ...boot(), '--topic', topic, '--json']);
      expect(JSON.parse(latestJson.stdout)).to.deep.equal(
        lines.map(([t, p, o]) => ({ topic: t, partition: Number(p), offset: Number(o) })),
      );

      const versions = await mqAdmin(['api-versions', ...boot()]);
      expect(versions.code).to.equal(0);
      const blocks = versions.stdout.split(/^(?=127\.0\.0\.1:\d+ \(id: )/m);
      expect(blocks.map((b) => /\(id: (\d)/.exec(b)![1])).to.deep.equal(['1', '2', '3']);
      for (const b of blocks)
        expect(b).to.include('\tProduce(0): 0 to 0 [usable: 0],').and.include('\tApiVersions(18): 0 to 0 [usable: 0]');
      const versionsJson = JSON.parse((await mqAdmin(['api-versions', ...boot(), '--json'])).stdout) as Array<{
        broker: number;
        error: string | null;
        apis: Array<{ name: string; usableVersion: number | null }>;
      }>;
      expect(versionsJson.map((b) => [b.broker, b.error])).to.deep.equal([
        [1, null],
        [2, null],
        [3, null],
      ]);
      expect(versionsJson[0]!.apis).to.deep.include({
        apiKey: 0,
        name: 'Produce',
        minVersion: 0,
        maxVersion: 0,
        usableVersion: 0,
      });
    });

    it("reports every replica's size in each broker's log dir, as the segment files on disk say", async () => {
      const listed = await mqAdmin(['log-dirs', ...boot(), '--describe', '--topic-list', topic]);
      expect(listed.code).to.equal(0);
      const [querying, received, json] = listed.stdout.trim().split('\n');
      expect(querying).to.equal('Querying brokers for log directories information');
      expect(received!.replace(/\d(,\d)*$/, (ids) => ids.split(',').sort().join(','))).to.equal(
        'Received log directory information from brokers 1,2,3',
      );
      const report = JSON.parse(json!) as {
        brokers: Array<{
          broker: number;
          logDirs: Array<{ logDir: string; partitions: Array<{ partition: string; size: number; offsetLag: number }> }>;
        }>;
      };
      for (const b of report.brokers) {
        const [dir] = b.logDirs;
        expect(dir!.partitions.map((p) => p.partition)).to.deep.equal([0, 1, 2].map((p) => `${topic}-${p}`));
        for (const p of dir!.partitions) {
          expect(p.size).to.equal(statSync(join(dir!.logDir, p.partition, '00000000000000000000.log')).size);
          expect(p.offsetLag).to.equal(0);
        }
      }
      const onlyJson = await mqAdmin(['log-dirs', ...boot(), '--describe', '--topic-list', topic, '--json']);
      expect(Object.keys(JSON.parse(onlyJson.stdout) as object)).to.deep.equal(['version', 'brokers']);
      // The broker also answers for just the partitions asked, as the protocol allows.
      const client = await connectTo(env.cluster, 1);
      try {
        const one = await client.send(ApiKey.DescribeLogDirs, 0, { topics: [{ topic, partitionIndex: [1] }] });
        expect(one.results[0]!.topics).to.have.deep.members([
          {
            name: topic,
            partitions: [
              {
                partitionIndex: 1,
                partitionSize: report.brokers.find((b) => b.broker === 1)!.logDirs[0]!.partitions[1]!.size,
                offsetLag: 0,
                isFutureKey: false,
              },
            ],
          },
        ]);
      } finally {
        await client.close();
      }
    });

    it("dumps a replica's segment file, record by record, as a Kafka operator reads it", async () => {
      const [end] = await env.admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]);
      const segment = join(env.cluster.local.broker(1).dir, 'logs', `${topic}-0`, '00000000000000000000.log');
      const dumped = await mqAdmin(['dump-log', '--files', segment, '--print-data-log']);
      expect(dumped.stderr).to.equal('');
      expect(dumped.code).to.equal(0);
      const records = dumped.stdout.split('\n').filter((l) => l.startsWith('| offset: '));
      expect(records).to.have.length(end!.offset);
      for (const r of records) {
        const m = /keysize: \d+ valuesize: \d+ sequence: -?\d+ headerKeys: \[trace\] key: (k\d) payload: v(\d+)$/.exec(
          r,
        );
        expect(m, r).to.not.equal(null);
        expect(lines[Number(m![2])]).to.equal(`trace:t${m![2]}\t${m![1]}\tv${m![2]}`);
      }
      expect(
        dumped.stdout
          .split('\n')
          .filter((l) => l.startsWith('baseOffset: '))
          .every((l) => l.endsWith('isvalid: true')),
      ).to.equal(true);
      const asJson = await mqAdmin(['dump-log', '--files', segment, '--print-data-log', '--json']);
      const entries = asJson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { file: string; kind: string; key?: string; payload?: string });
      expect(entries[0]).to.deep.equal({ file: segment, kind: 'segment', startingOffset: 0 });
      const jsonRecords = entries.filter((e) => e.kind === 'record');
      expect(jsonRecords.map((e) => `${e.key}\t${e.payload}`)).to.deep.equal(
        records.map((r) => /key: (k\d) payload: (v\d+)$/.exec(r)!.slice(1).join('\t')),
      );
    });

    it('reports a send to a topic that does not exist and exits 1', async () => {
      const failed = await mqAdmin(
        ['produce', ...boot(), '--topic', 'cli-nowhere', '--producer-property', 'max.block.ms=1500'],
        'lost?\n',
      );
      expect(failed.code).to.equal(1);
      expect(failed.stderr).to.match(/Error when sending records to topic cli-nowhere: .*cli-nowhere/);
    });
  });

  // Last: these restart a broker of the shared cluster.
  describe('reassign-partitions and preferred-replica-election (through ZooKeeper)', () => {
    const zk = () => ['--zookeeper', env.cluster.zookeeperConnect];

    it('moves a partition to other brokers, prints the rollback, and verifies the move until it is complete', async () => {
      await env.admin.createTopics([{ name: 'cli-move', replicaAssignment: { 0: [1, 2] } }]);
      const file = join(tmpDir(), 'move.json');
      writeFileSync(
        file,
        JSON.stringify({
          version: 1,
          partitions: [{ topic: 'cli-move', partition: 0, replicas: [3, 1], log_dirs: ['any', 'any'] }],
        }),
      );
      const started = await mqAdmin(['reassign-partitions', ...zk(), '--reassignment-json-file', file, '--execute']);
      expect(started.stderr).to.equal('');
      expect(started.stdout)
        .to.include('{"version":1,"partitions":[{"topic":"cli-move","partition":0,"replicas":[1,2]}]}')
        .and.include('Successfully started reassignment of partitions.');
      await waitFor(
        async () =>
          (
            await mqAdmin(['reassign-partitions', ...zk(), '--reassignment-json-file', file, '--verify'])
          ).stdout.includes('Reassignment of partition cli-move-0 completed successfully'),
        'the move to complete',
        { timeoutMs: 40_000, intervalMs: 500 },
      );
      const [moved] = await env.admin.describeTopics(['cli-move']);
      expect(moved!.partitions[0]!.replicas).to.deep.equal([3, 1]);
      expect(moved!.partitions[0]!.leader).to.be.oneOf([3, 1]);

      writeFileSync(
        file,
        JSON.stringify({ version: 1, partitions: [{ topic: 'cli-move', partition: 0, replicas: [3, 9] }] }),
      );
      const unknownBroker = await mqAdmin([
        'reassign-partitions',
        ...zk(),
        '--reassignment-json-file',
        file,
        '--execute',
      ]);
      expect(unknownBroker.code).to.equal(1);
      expect(unknownBroker.stderr).to.include('brokers that are not registered: 9');
    });

    it('gives leadership back to the preferred replica after a restart moved it away', async () => {
      await env.admin.createTopics([{ name: 'cli-pref', replicaAssignment: { 0: [1, 2, 3] } }]);
      const state = async () => (await env.admin.describeTopics(['cli-pref']))[0]!.partitions[0]!;
      await waitFor(async () => (await state()).leader === 1, 'broker 1 to lead');
      await env.cluster.local.restartBroker(1);
      await waitFor(
        async () => {
          const p = await state();
          return p.isr.includes(1) && p.leader !== 1 && p.leader >= 0;
        },
        'broker 1 back in the ISR, not leading',
        { timeoutMs: 40_000 },
      );
      const file = join(tmpDir(), 'elect.json');
      writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'cli-pref', partition: 0 }] }));
      const elected = await mqAdmin(['preferred-replica-election', ...zk(), '--path-to-json-file', file]);
      expect(elected.stderr).to.equal('');
      expect(elected.stdout).to.include('Successfully started preferred replica election for 1 partition(s)');
      await waitFor(async () => (await state()).leader === 1, 'the preferred replica to lead again', {
        timeoutMs: 20_000,
      });

      writeFileSync(file, JSON.stringify({ partitions: [{ topic: 'cli-pref', partition: 7 }] }));
      const missing = await mqAdmin(['preferred-replica-election', ...zk(), '--path-to-json-file', file]);
      expect(missing.code).to.equal(1);
      expect(missing.stderr).to.include('cli-pref-7');
    });
  });
});
