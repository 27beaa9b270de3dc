/**
 * At-least-once delivery with auto commit on, tried from outside: three `mq-admin verifiable-consumer` processes read
 * one topic as a group, with enable.auto.commit every 20 ms, max.poll.records 5 and a slow asynchronous handler (15 ms
 * per record, each value written to the member's file once its work is done). One member at a time is SIGKILLed while
 * it is in the middle of handling a poll, three times, and replaced by a new process. Then:
 *   - every produced value was processed at least once (the processed files together hold all of them);
 *   - every poll of a partition started at or after every commit reported for that partition before it, so records
 *     were delivered again only from the last commit on.
 * A consumer whose commits run ahead of its handlers (committing what it handed out rather than what the handlers
 * finished) fails the first check: the records a killed member was still working on are never delivered again.
 * The group correctness specs commit by hand; this one is the auto commit's.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Admin, Producer } from '../../lib/client/index.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { defer } from '../helpers/cleanup.js';
import { GROUP_SPEC_BROKER_PROPS } from '../helpers/group-cluster.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { VerifiableConsumerProcess } from '../helpers/verifiable-consumer-process.js';
import { waitFor } from '../helpers/wait-for.js';

const TOPIC = 'deliveries';
const PARTITIONS = 6;
const RECORDS = 1200;
const KILLS = 3;

describe('At-least-once delivery with auto commit (verifiable consumers SIGKILLed mid-handler, 1 broker)', function () {
  this.timeout(180_000);
  let cluster: TestCluster;

  before(async () => {
    cluster = await TestCluster.start({ brokers: 1, brokerProps: GROUP_SPEC_BROKER_PROPS });
  });
  after(async () => {
    await cluster?.stop();
  });

  it('processes every record at least once and redelivers only records after the last commit', async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([{ name: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers, acks: 'all' }), (p) =>
      p.close(),
    );
    await producer.connect();
    // Value i goes to partition i mod 6 at offset floor(i / 6).
    const sent = await producer.sendBatch(
      Array.from({ length: RECORDS }, (_, i) => ({ topic: TOPIC, partition: i % PARTITIONS, value: String(i) })),
    );
    expect(sent.reduce((n, r) => n + r.recordCount, 0)).to.equal(RECORDS);
    expect(sent.every((r) => r.baseOffset === 0)).to.equal(true);

    const dir = tmpDir();
    const config = join(dir, 'consumer.properties');
    writeFileSync(config, 'max.poll.records=5\nauto.commit.interval.ms=20\nheartbeat.interval.ms=200\n');
    const all: VerifiableConsumerProcess[] = [];
    const start = () => {
      const n = all.length;
      const member = new VerifiableConsumerProcess(
        `member-${n}`,
        [
          ...['--bootstrap-server', cluster.bootstrapServers, '--topic', TOPIC, '--group-id', 'verifiers'],
          ...['--enable-autocommit', '--session-timeout', '2000', '--consumer.config', config],
          ...['--processing-time-ms', '15'],
        ],
        join(dir, `processed-${n}.jsonl`),
      );
      all.push(member);
      return member;
    };
    const members = [start(), start(), start()];
    const processedValues = () => new Set(all.flatMap((m) => m.processed().map((r) => r.value)));

    for (let kill = 0; kill < KILLS; kill++) {
      const victim = await waitFor(
        () => {
          // Handling a poll for 40 ms at least: two auto commit intervals, so commits ran while the handler worked.
          const handling = members.filter(
            (m) =>
              m.consumed > m.processed().length &&
              Date.now() - m.named('records_consumed').at(-1)!.timestamp >= 40 &&
              m.named('offsets_committed').some((e) => e.success === true && e.offsets!.length > 0),
          );
          return handling[Math.floor(Math.random() * handling.length)];
        },
        'a member in the middle of handling a poll, after a commit of its own',
        { timeoutMs: 30_000, intervalMs: 5 },
      );
      await victim.kill();
      const replacement = start();
      members[members.indexOf(victim)] = replacement;
      await waitFor(
        () => replacement.named('partitions_assigned').some((e) => e.partitions!.length > 0),
        `${replacement.name} to be assigned partitions`,
        { timeoutMs: 30_000 },
      );
    }

    // Until every value is processed, or the group stops making progress for 5 s (what is missing then is lost).
    let progress = { values: 0, at: Date.now() };
    await waitFor(
      () => {
        const values = processedValues().size;
        if (values > progress.values) progress = { values, at: Date.now() };
        return values === RECORDS || Date.now() - progress.at > 5000;
      },
      'every value to be processed, or the group to go idle',
      { timeoutMs: 90_000, intervalMs: 100 },
    );
    expect(RECORDS - processedValues().size, `values of the ${RECORDS} never processed`).to.equal(0);

    // Each processed record is the one produced there (the files tell the truth about what was handled).
    for (const m of all) {
      for (const r of m.processed()) {
        expect(r.offset * PARTITIONS + r.partition, `${m.name} processed ${JSON.stringify(r)}`).to.equal(
          Number(r.value),
        );
      }
    }

    // Every poll starts at or after every commit of its partition reported before it.
    const commits = all.flatMap((m) =>
      m
        .named('offsets_committed')
        .filter((e) => e.success === true)
        .flatMap((e) =>
          e.offsets!.map((o) => ({ at: e.timestamp, partition: o.partition, offset: o.offset, by: m.name })),
        ),
    );
    const polls = all.flatMap((m) =>
      m.named('records_consumed').map((e) => ({ at: e.timestamp, ...e.partitions![0]!, by: m.name })),
    );
    const earlyPolls = polls.flatMap((poll) => {
      const before = commits.filter((c) => c.partition === poll.partition && c.at < poll.at);
      const last = before.reduce((a, c) => (c.offset > a.offset ? c : a), { offset: -1, by: '', at: 0 });
      return poll.minOffset! < last.offset
        ? [`${poll.by} polled ${poll.partition}@${poll.minOffset} after ${last.by} committed ${last.offset}`]
        : [];
    });
    expect(earlyPolls, 'polls that started below a commit reported before them').to.deep.equal([]);
    expect(commits.length, 'successful commits reported').to.be.greaterThan(10);

    // The survivors shut down cleanly: SIGTERM closes the consumer (committing) and reports it.
    for (const m of members) {
      expect(await m.stop(), `${m.name} exit code; stderr: ${m.errors}`).to.equal(0);
      expect(m.events.at(-1)?.name).to.equal('shutdown_complete');
      expect(m.errors, `${m.name} stderr`).to.equal('');
    }
    const processedLines = all.reduce((n, m) => n + m.processed().length, 0);
    // Reported for whoever reads the run's output: redelivered records are duplicates, not losses.
    console.log(`      ${processedLines - RECORDS} records processed twice after ${KILLS} SIGKILLs`);
  });

  it("without --enable-autocommit commits after every poll, as Kafka's tool, and exits after --max-messages", async () => {
    const admin = defer(new Admin({ 'bootstrap.servers': cluster.bootstrapServers }), (a) => a.close());
    await admin.connect();
    await admin.createTopics([{ name: 'verified', numPartitions: 2, replicationFactor: 1 }]);
    const producer = defer(new Producer({ 'bootstrap.servers': cluster.bootstrapServers }), (p) => p.close());
    await producer.connect();
    await producer.sendBatch(
      Array.from({ length: 40 }, (_, i) => ({ topic: 'verified', partition: i % 2, key: `k${i}`, value: String(i) })),
    );
    const dir = tmpDir();
    writeFileSync(join(dir, 'consumer.properties'), 'max.poll.records=10\n');
    const tool = new VerifiableConsumerProcess(
      'manual',
      [
        ...['--bootstrap-server', cluster.bootstrapServers, '--topic', 'verified', '--group-id', 'manual'],
        ...['--max-messages', '25', '--verbose', '--consumer.config', join(dir, 'consumer.properties')],
      ],
      join(dir, 'processed.jsonl'),
    );
    expect(await tool.exited, `exit code; stderr: ${tool.errors}`).to.equal(0);
    const names = tool.events.map((e) => e.name);
    expect(names[0]).to.equal('startup_complete');
    expect(names.at(-1)).to.equal('shutdown_complete');
    expect(tool.named('partitions_assigned')[0]!.partitions).to.have.deep.members([
      { topic: 'verified', partition: 0 },
      { topic: 'verified', partition: 1 },
    ]);
    expect(tool.consumed).to.equal(25);
    expect(tool.named('record_data')).to.have.length(25);
    expect(tool.processed()).to.have.length(25);
    // Each poll is followed by the commit of the offset after its last record, acknowledged.
    for (const [i, name] of names.entries()) {
      if (name !== 'records_consumed') continue;
      const poll = tool.events[i]!.partitions![0]!;
      expect(poll.count, 'a poll holds at most max.poll.records').to.be.at.most(10);
      const commit = tool.events.slice(i + 1).find((e) => e.name === 'offsets_committed')!;
      expect(commit).to.include({ success: true });
      expect(commit.offsets).to.deep.equal([
        { topic: 'verified', partition: poll.partition, offset: poll.maxOffset! + 1 },
      ]);
    }
    const committed = await admin.listConsumerGroupOffsets('manual', [
      { topic: 'verified', partition: 0 },
      { topic: 'verified', partition: 1 },
    ]);
    expect(
      committed.reduce((n, c) => n + Math.max(0, c.offset), 0),
      'records committed in all',
    ).to.equal(25);
  });
});
