/**
 * The web console in a real browser against a real cluster: `mq-admin console` runs as an operator starts it (the
 * real binary, a child process, --zookeeper, port 0) in front of three brokers, and headless Chromium (Debian's)
 * opens its pages. Each check crosses into another tool to see that the console tells the truth: topics it
 * creates are listed by `mq-admin topics` (and its changes seen by `mq-admin configs`), records `mq-admin produce`
 * writes appear with their key, headers and offset (and a test record from the page is read by `mq-admin consume`),
 * a group's lag is what `mq-admin groups --describe` prints, a reset preview leaves the group's offsets alone until
 * confirmed, and a SIGKILLed broker turns red within the refresh interval (plus the probe's timeout). The run
 * takes a screenshot of each view: into the OS temp dir, or with MQ_UPDATE_SCREENSHOTS=1 into docs/console/ (the
 * README's pictures), so that a test run leaves the work tree clean.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { Admin, Consumer } from '../../lib/client/index.js';
import { ConsoleServer } from '../../lib/console/console-server.js';
import { Browser } from '../helpers/browser.js';
import { TestCluster } from '../helpers/cluster-harness.js';
import { GROUP_SPEC_BROKER_PROPS } from '../helpers/group-cluster.js';
import { MQ_ADMIN_BIN, mqAdmin } from '../helpers/mq-admin-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const SCREENSHOTS =
  process.env.MQ_UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../docs/console/', import.meta.url))
    : join(tmpdir(), 'mq-console-screenshots/');
/** The console's defaults: a refresh every 2 s, a broker probe given 1 s. */
const REFRESH_MS = 2000;
const PROBE_MS = 1000;

/** `mq-admin console` as a child process; resolves with its address once it printed it. */
async function startConsole(args: readonly string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MQ_ADMIN_BIN, 'console', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`mq-admin console exited with ${child.exitCode}: ${stderr}`);
      return /^Console: (http:\/\/\S+)/m.exec(stdout)?.[1];
    },
    'mq-admin console to print its address',
    { timeoutMs: 30_000 },
  );
  return { child, url };
}

async function stopConsole(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
}

/** The attribute `name` of every element `selector` matches, in document order. */
async function attributes(page: Page, selector: string, name: string): Promise<Array<string | null>> {
  const all = page.locator(selector);
  return Promise.all(Array.from({ length: await all.count() }, (_, i) => all.nth(i).getAttribute(name)));
}

/** The text of cell `[data-cell=cell]` in each row `rows` matches, keyed by the row's `data-tp`. */
async function cells(page: Page, rows: string, cell: string): Promise<Map<string, string>> {
  const all = page.locator(rows);
  const out = new Map<string, string>();
  for (let i = 0; i < (await all.count()); i++) {
    const row = all.nth(i);
    out.set((await row.getAttribute('data-tp'))!, (await row.locator(`[data-cell="${cell}"]`).textContent())!);
  }
  return out;
}

/** Opens a view of the console and waits for `ready` (a selector that only its loaded content has). */
async function open(page: Page, base: string, hash: string, ready: string): Promise<void> {
  await page.goto(`${base}${hash}`);
  await page.waitForSelector(ready, { timeout: 15_000 });
}

describe('web console in headless Chromium (3 brokers)', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let admin: Admin;
  let browser: Browser;
  let consoleProcess: ChildProcess;
  let base: string;
  const boot = () => ['--bootstrap-server', cluster.bootstrapServers];

  before(async () => {
    cluster = await TestCluster.start({ brokers: 3, brokerProps: GROUP_SPEC_BROKER_PROPS });
    admin = new Admin({ 'bootstrap.servers': cluster.bootstrapServers });
    await admin.connect();
    // What the views show: a replicated topic with keyed JSON records and a group that read part of it.
    await admin.createTopics([
      { name: 'orders', numPartitions: 3, replicationFactor: 3, configs: { 'min.insync.replicas': '2' } },
    ]);
    const lines = Array.from({ length: 60 }, (_, i) => `order-${i}\t{"id":${i},"total":${(i * 7) % 100}.5}`);
    const produced = await mqAdmin(
      ['produce', ...boot(), '--topic', 'orders', '--property', 'parse.key=true'],
      `${lines.join('\n')}\n`,
    );
    expect(produced.code, produced.stderr).to.equal(0);
    const reader = new Consumer({
      'bootstrap.servers': cluster.bootstrapServers,
      'group.id': 'billing',
      'auto.offset.reset': 'earliest',
      'enable.auto.commit': false,
    });
    await reader.connect();
    const partitions = [0, 1, 2].map((partition) => ({ topic: 'orders', partition }));
    reader.assign(partitions);
    let read = 0;
    for await (const _ of reader) if (++read === 30) break;
    const positions = await Promise.all(partitions.map(async (p) => ({ ...p, offset: await reader.position(p) })));
    await reader.commit(positions);
    await reader.close();
    ({ child: consoleProcess, url: base } = await startConsole([
      ...boot(),
      '--zookeeper',
      cluster.zookeeperConnect,
      '--port',
      '0',
      '--refresh-interval-ms',
      String(REFRESH_MS),
    ]));
    browser = await Browser.launch();
  });

  after(async () => {
    await browser?.close();
    if (consoleProcess !== undefined) await stopConsole(consoleProcess);
    await admin?.close();
    await cluster?.stop();
  });

  it('creates a topic from the topics view, which mq-admin topics --list then lists', async () => {
    const page = await browser.newPage();
    await open(page, base, '#/topics', '#topics tr[data-topic="orders"]');
    await page.click('button:has-text("Create topic")');
    await page.fill('#new-topic-name', 'made-in-console');
    await page.fill('#new-topic-partitions', '4');
    await page.fill('#new-topic-rf', '2');
    await page.fill('#new-topic-configs', 'retention.ms=3600000');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('#partitions tr[data-partition="3"]', { timeout: 15_000 });
    const listed = await mqAdmin(['topics', ...boot(), '--list']);
    expect(listed.stdout.split('\n')).to.include('made-in-console');
    const [described] = await admin.describeTopics(['made-in-console']);
    expect(described!.partitions.map((p) => p.replicas.length)).to.deep.equal([2, 2, 2, 2]);
    const [configs] = await admin.describeConfigs([{ type: 'topic', name: 'made-in-console', keys: ['retention.ms'] }]);
    expect(configs!.configs[0]).to.include({ value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG' });
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it('adds partitions, replaces config overrides and deletes a topic, each only once confirmed', async () => {
    const page = await browser.newPage();
    await open(page, base, '#/topics/made-in-console', '#partitions tr[data-partition="3"]');
    await page.click('button:has-text("Add partitions")');
    await page.fill('#partition-total', '6');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    expect((await admin.describeTopics(['made-in-console']))[0]!.partitions).to.have.length(4);
    await page.click('button:has-text("Add partitions")');
    await page.fill('#partition-total', '6');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('#partitions tr[data-partition="5"]', { timeout: 15_000 });
    expect((await admin.describeTopics(['made-in-console']))[0]!.partitions).to.have.length(6);

    await page.click('button:has-text("Edit configs")');
    expect(await page.inputValue('#topic-overrides')).to.equal('retention.ms=3600000');
    await page.fill('#topic-overrides', 'cleanup.policy=compact\nmax.message.bytes=2048');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('#configs tr[data-config="cleanup.policy"] td:has-text("compact")', { timeout: 15_000 });
    const described = await mqAdmin(['configs', ...boot(), '--topic', 'made-in-console', '--describe']);
    expect(described.stdout).to.contain('cleanup.policy=compact').and.to.contain('max.message.bytes=2048');
    expect(described.stdout).to.not.contain('retention.ms=3600000');

    await page.click('button:has-text("Delete topic")');
    expect(await page.isDisabled('dialog button[type="submit"]')).to.equal(true);
    await page.fill('#delete-confirm', 'made-in-consol');
    expect(await page.isDisabled('dialog button[type="submit"]')).to.equal(true);
    await page.fill('#delete-confirm', 'made-in-console');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('h1:has-text("Topics")');
    await waitFor(
      async () => !(await mqAdmin(['topics', ...boot(), '--list'])).stdout.split('\n').includes('made-in-console'),
      'mq-admin topics --list to stop listing the deleted topic',
    );
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it('shows a record written by mq-admin produce with its key, headers and offset, copies it, and writes a test record', async () => {
    await admin.createTopics([{ name: 'audit', numPartitions: 1, replicationFactor: 3 }]);
    const filler = await mqAdmin(['produce', ...boot(), '--topic', 'audit'], 'first\nsecond\n');
    expect(filler.code, filler.stderr).to.equal(0);
    const offset = (await admin.listOffsets([{ topic: 'audit', partition: 0, spec: 'latest' }]))[0]!.offset;
    const produced = await mqAdmin(
      ['produce', ...boot(), '--topic', 'audit', '--property', 'parse.key=true', '--property', 'parse.headers=true'],
      'trace-id:abc-123,source:spec\tuser-42\t{"action":"login","ok":true}\n',
    );
    expect(produced.code, produced.stderr).to.equal(0);
    const page = await browser.newPage();
    await open(page, base, '#/topics/audit/0/records', `.record[data-offset="${offset}"]`);
    const card = page.locator(`.record[data-offset="${offset}"]`);
    expect(await card.locator('.offset').textContent()).to.equal(`offset ${offset}`);
    expect(await card.locator('dd.key pre').textContent()).to.equal('user-42');
    expect(await card.locator('[data-header="trace-id"]').textContent()).to.equal('trace-id: abc-123');
    expect(await card.locator('[data-header="source"]').textContent()).to.equal('source: spec');
    expect(JSON.parse((await card.locator('dd.value pre').textContent())!)).to.deep.equal({
      action: 'login',
      ok: true,
    });
    // Newest first from the end: the record is on top, the fillers below it.
    expect(await page.locator('.record').first().getAttribute('data-offset')).to.equal(String(offset));
    // As hex, and found again by a key search from the beginning.
    await page.selectOption('select[name="decode"]', 'hex');
    expect(await card.locator('dd.key pre').textContent()).to.match(/^00000000 {2}75 73 65 72 2d 34 32 +user-42$/);
    await page.selectOption('select[name="from"]', 'beginning');
    await page.selectOption('select[name="order"]', 'oldest');
    await page.fill('input[name="key"]', 'user-4');
    await page.click('button:has-text("Show")');
    await page.waitForSelector('#records-summary:has-text("keys containing")');
    expect(await attributes(page, '.record', 'data-offset')).to.deep.equal([String(offset)]);
    // Copy: the record as JSON, decoded as shown.
    await page.selectOption('select[name="decode"]', 'auto');
    await card.locator('button:has-text("Copy")').click();
    await card.locator('button:has-text("Copied")').waitFor();
    expect(JSON.parse(await page.evaluate<string>('navigator.clipboard.readText()'))).to.deep.include({
      offset,
      key: 'user-42',
      headers: { 'trace-id': 'abc-123', source: 'spec' },
    });
    // A test record from the page, read back by mq-admin consume at the offset the page reported.
    await page.click('button:has-text("Produce test record")');
    await page.fill('#produce-key', 'from-console');
    await page.fill('#produce-value', 'hello from the console');
    await page.fill('#produce-headers', 'origin=console');
    await page.click('dialog button[type="submit"]');
    const note = (await page.locator('p.note.good').textContent({ timeout: 15_000 }))!;
    const written = Number(/offset (\d+)/.exec(note)![1]);
    expect(written).to.equal(offset + 1);
    await page.waitForSelector(`.record[data-offset="${written}"]`);
    const consumed = await mqAdmin([
      'consume',
      ...boot(),
      '--topic',
      'audit',
      '--partition',
      '0',
      '--offset',
      String(written),
      '--max-messages',
      '1',
      '--property',
      'print.key=true',
      '--property',
      'print.headers=true',
    ]);
    expect(consumed.stdout).to.equal('origin:console\tfrom-console\thello from the console\n');
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it("shows a group's lag per partition exactly as mq-admin groups --describe prints it", async () => {
    const cli = await mqAdmin(['groups', ...boot(), '--describe', '--group', 'billing']);
    expect(cli.code, cli.stderr).to.equal(0);
    const expected = cli.stdout
      .split('\n')
      .filter((l) => l.startsWith('billing '))
      .map((l) => l.trim().split(/\s+/))
      .map(([, topic, partition, current, end, lag]) => ({ tp: `${topic}-${partition}`, current, end, lag }));
    expect(expected.map((r) => r.tp)).to.deep.equal(['orders-0', 'orders-1', 'orders-2']);
    // 60 records, 30 of them read.
    expect(expected.reduce((sum, r) => sum + Number(r.lag), 0)).to.equal(30);
    const page = await browser.newPage();
    await open(page, base, '#/groups/billing', '#group-partitions tr[data-tp="orders-2"] td[data-cell="lag"]');
    const rows = '#group-partitions tbody tr';
    const current = await cells(page, rows, 'committed');
    const end = await cells(page, rows, 'end');
    const lag = await cells(page, rows, 'lag');
    const number = (text: string | null | undefined) => (text === '–' ? '-' : text?.replace(/,/g, ''));
    expect(
      [...lag.keys()].map((tp) => ({
        tp,
        current: number(current.get(tp)),
        end: number(end.get(tp)),
        lag: number(lag.get(tp)),
      })),
    ).to.deep.equal(expected);
    const total = expected.reduce((sum, r) => sum + (r.lag === '-' ? 0 : Number(r.lag)), 0);
    expect(number(await page.textContent('#group-total-lag'))).to.equal(String(total));
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it('previews an offset reset without changing anything, and resets only once confirmed', async () => {
    const committedBefore = await admin.listConsumerGroupOffsets('billing');
    const page = await browser.newPage();
    await open(page, base, '#/groups/billing', '#group-partitions tr[data-tp="orders-0"]');
    await page.selectOption('select[name="spec"]', 'earliest');
    await page.click('button:has-text("Preview")');
    await page.waitForSelector('#reset-plan tr[data-tp="orders-0"]');
    expect(await page.textContent('#reset-status')).to.contain('nothing has changed');
    await screenshot(page, 'reset-preview');
    const targets = [...(await cells(page, '#reset-plan tbody tr', 'target'))];
    expect(targets).to.deep.equal([
      ['orders-0', '0'],
      ['orders-1', '0'],
      ['orders-2', '0'],
    ]);
    // The preview, and opening and cancelling the confirmation, leave the commits as they were.
    await page.click('button:has-text("Reset offsets…")');
    await page.waitForSelector('dialog[open]');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    expect(await admin.listConsumerGroupOffsets('billing')).to.deep.equal(committedBefore);
    // Confirmed: the commits are the previewed targets.
    await page.click('button:has-text("Reset offsets…")');
    await page.click('dialog button[type="submit"]');
    await page.waitForSelector('#reset-status:has-text("Offsets reset")');
    const after = await admin.listConsumerGroupOffsets('billing');
    expect(after.filter((c) => c.offset >= 0).map((c) => [`${c.topic}-${c.partition}`, c.offset])).to.deep.equal([
      ['orders-0', 0],
      ['orders-1', 0],
      ['orders-2', 0],
    ]);
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it('loads every view without console errors, and writes their screenshots', async () => {
    // A group with a live member, beside 'billing' (no members, its lag changed by the reset above).
    const member = new Consumer({
      'bootstrap.servers': cluster.bootstrapServers,
      'group.id': 'shipping',
      'client.id': 'shipping-1',
      'auto.offset.reset': 'earliest',
      'auto.commit.interval.ms': 200,
    });
    await member.connect();
    member.subscribe(['orders', 'audit']);
    const running = member.run({ eachMessage: () => undefined });
    try {
      await waitFor(
        async () =>
          (await admin.describeConsumerGroups(['shipping']))[0]!.state === 'Stable' &&
          (await admin.listConsumerGroupOffsets('shipping')).filter((c) => c.offset > 0).length === 4,
        "group 'shipping' to be stable and to have committed what it read",
      );
      const page = await browser.newPage();
      const views: Array<[name: string, hash: string, ready: string]> = [
        ['cluster', '#/', '#brokers tbody tr[data-broker="3"][data-status="online"]'],
        ['topics', '#/topics', '#topics tr[data-topic="orders"]'],
        ['topic', '#/topics/orders', '#partitions tr[data-partition="2"] td[data-cell="isr"]'],
        ['partition', '#/topics/orders/0', '#replicas tr[data-replica]'],
        ['records', '#/topics/orders/0/records', '.record[data-offset]'],
        ['groups', '#/groups', '#groups tr[data-group="shipping"]'],
        ['group', '#/groups/billing', '#group-partitions tr[data-tp="orders-0"] td[data-cell="lag"]'],
        ['group-members', '#/groups/shipping', '#group-members tbody tr'],
        ['reassignments', '#/reassignments', 'h2:has-text("Waiting for a leader")'],
      ];
      for (const [name, hash, ready] of views) {
        await open(page, base, hash, ready);
        await screenshot(page, name);
      }
      // The cluster view shows the ensemble as ZooKeeper's srvr describes it.
      await open(page, base, '#/', '#zookeeper tbody tr');
      expect(await page.textContent('#zookeeper tbody tr')).to.match(/standalone|leader|follower/);
      await page.close();
    } finally {
      member.stop();
      await running;
      await member.close();
    }
    expect(browser.problems).to.deep.equal([]);
  });

  it('is keyboard navigable: number keys change section, / finds the filter, Tab and Enter follow links', async () => {
    const page = await browser.newPage();
    await open(page, base, '#/', '#brokers tbody tr');
    await page.keyboard.press('2');
    await page.waitForSelector('h1:has-text("Topics")');
    await page.keyboard.press('/');
    expect(await page.evaluate('document.activeElement.hasAttribute("data-filter")')).to.equal(true);
    await page.keyboard.type('audit');
    await page.keyboard.press('Tab'); // the "internal topics" box
    await page.keyboard.press('Tab'); // the first topic's link
    expect(await page.evaluate('document.activeElement.textContent')).to.equal('audit');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#partitions tr[data-partition="0"]');
    expect(page.url()).to.match(/#\/topics\/audit$/);
    await page.keyboard.press('3');
    await page.waitForSelector('#groups tr[data-group="billing"]');
    await page.close();
    expect(browser.problems).to.deep.equal([]);
  });

  it('refuses changes without its header, for other host names, and in read-only mode', async () => {
    const post = (url: string, headers: Record<string, string>) =>
      fetch(`${url}api/topics`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ name: 'never', partitions: 1, replicationFactor: 1, configs: {} }),
      });
    expect((await post(base, {})).status).to.equal(403);
    // A page of another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own name as Host.
    const rebinding = await new Promise<number>((resolve, reject) => {
      const target = new URL(base);
      request(
        { host: target.hostname, port: target.port, path: '/api/snapshot', headers: { Host: 'attacker.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode!);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebinding).to.equal(421);
    const readOnly = await ConsoleServer.start({
      clientProperties: { 'bootstrap.servers': cluster.bootstrapServers },
      port: 0,
      readOnly: true,
    });
    try {
      const refused = await post(readOnly.url, { 'X-MQ-Console': '1' });
      expect(refused.status).to.equal(403);
      expect(((await refused.json()) as { error: string }).error).to.match(/--read-only/);
      expect((await fetch(`${readOnly.url}api/snapshot`)).status).to.equal(200);
    } finally {
      await readOnly.close();
    }
    expect(await admin.listTopics()).to.not.include('never');
  });

  it("turns a SIGKILLed broker's row and its partitions' ISR red within the refresh interval", async () => {
    const clusterPage = await browser.newPage();
    const topicPage = await browser.newPage();
    await open(clusterPage, base, '#/', '#brokers tbody tr[data-broker="2"][data-status="online"]');
    await open(topicPage, base, '#/topics/orders', '#partitions td[data-cell="isr"][data-ok="true"]');
    const killedAt = Date.now();
    await cluster.local.killBroker(2);
    const bound = REFRESH_MS + PROBE_MS + 1000;
    await clusterPage.waitForSelector('#brokers tr[data-broker="2"].row-bad', { timeout: bound });
    const rowRedAfter = Date.now() - killedAt;
    await waitFor(
      async () => (await topicPage.locator('#partitions td[data-cell="isr"][data-ok="false"]').count()) === 3,
      "every partition's ISR cell to turn red",
      { timeoutMs: Math.max(500, bound - (Date.now() - killedAt)), intervalMs: 50 },
    );
    const isrRedAfter = Date.now() - killedAt;
    const style = (page: Page, selector: string, property: 'backgroundColor' | 'color') =>
      page.evaluate(`getComputedStyle(document.querySelector('${selector}')).${property}`);
    expect(await clusterPage.getAttribute('#brokers tr[data-broker="2"]', 'data-status')).to.be.oneOf([
      'unreachable',
      'offline',
    ]);
    expect(await style(clusterPage, '#brokers tr[data-broker="2"]', 'backgroundColor')).to.equal('rgb(254, 226, 226)');
    expect(await style(topicPage, '#partitions td[data-cell="isr"]', 'color')).to.equal('rgb(185, 28, 28)');
    await screenshot(clusterPage, 'broker-down');
    expect(rowRedAfter, 'ms from SIGKILL to the red broker row').to.be.at.most(bound);
    expect(isrRedAfter, 'ms from SIGKILL to the red ISR cells').to.be.at.most(bound);
  });
});
