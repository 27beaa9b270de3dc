import { expect } from 'chai';
import { SessionWatchdog } from '../../../lib/zk/session-watchdog.js';
import { MockScheduler } from '../../helpers/mock-scheduler.js';

const T = 6000;

/**
 * A watchdog over a server that answers probes only while `answering`, after `latencyMs`; with `noQuorum`, the
 * ensemble's members answer the quorum check with `noQuorum.proven`.
 */
function setup(noQuorum?: { proven: boolean; checks: number[] }) {
  const scheduler = new MockScheduler();
  const time = scheduler.time;
  const events: string[] = [];
  const s = {
    answering: true,
    probes: 0,
    events,
    scheduler,
    time,
    watchdog: undefined as unknown as SessionWatchdog,
  };
  s.watchdog = new SessionWatchdog({
    sessionTimeoutMs: () => T,
    time,
    scheduler,
    probe: () => {
      s.probes++;
      const sentAt = time.hiResMs();
      if (!s.answering) return new Promise(() => {});
      s.watchdog.answered(sentAt);
      return Promise.resolve();
    },
    dropConnection: () => events.push(`drop@${time.hiResMs()}`),
    onLost: () => events.push(`lost@${time.hiResMs()}`),
    onConfirmed: () => events.push(`confirmed@${time.hiResMs()}`),
    ...(noQuorum === undefined
      ? {}
      : {
          provesNoQuorum: () => {
            noQuorum.checks.push(time.hiResMs());
            return Promise.resolve(noQuorum.proven);
          },
          onNoQuorum: () => events.push(`noQuorum@${time.hiResMs()}`),
        }),
  });
  s.watchdog.sessionStarted();
  s.watchdog.connected();
  return s;
}

describe('SessionWatchdog', () => {
  it('probes a quiet session every third of the timeout and reports nothing while it is answered', async () => {
    const s = setup();
    await s.scheduler.tick(20_000);
    expect(s.events).to.deep.equal([]);
    // One at connection, then one each time nothing was confirmed for T/3 (2000 ms), checked every 200 ms.
    expect(s.probes).to.be.within(10, 12);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(false);
  });

  it('drops a silent connection at 2T/3 and reports the session lost at T - T/10 after the last confirmed send', async () => {
    const s = setup();
    await s.scheduler.tick(1000);
    s.watchdog.answered(s.time.hiResMs()); // a request sent now is answered
    const confirmedAt = s.time.hiResMs();
    s.answering = false;
    await s.scheduler.tick(10_000);
    const at = (name: string) => Number(s.events.find((e) => e.startsWith(name))!.split('@')[1]);
    expect(at('drop') - confirmedAt).to.be.within(4000, 4000 + 200);
    // Never later than the earliest moment the server may expire the session (confirmedAt + T).
    expect(at('lost') - confirmedAt).to.be.within(5400, 5400 + 200);
    expect(s.events.filter((e) => e.startsWith('lost'))).to.have.length(1);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(true);
  });

  it('keeps a connection that answers a long burst of old requests, but reports the session lost all the same', async () => {
    const s = setup();
    s.answering = false;
    const burstSentAt = s.time.hiResMs();
    for (let t = 0; t < 7000; t += 500) {
      await s.scheduler.tick(500);
      s.watchdog.answered(burstSentAt); // answers keep coming, to requests sent long ago
    }
    expect(s.events.filter((e) => e.startsWith('drop'))).to.deep.equal([]);
    // The server may have heard nothing newer than the burst: the session may be gone all the same.
    expect(s.events.filter((e) => e.startsWith('lost'))).to.have.length(1);
  });

  it('reports the session confirmed only for an answer to a request sent within the timeout', async () => {
    const s = setup();
    s.answering = false;
    const oldSend = s.time.hiResMs();
    await s.scheduler.tick(7000);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(true);
    // A late answer to a request sent before the silence proves nothing about the session now.
    s.watchdog.answered(oldSend);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(true);
    s.watchdog.answered(s.time.hiResMs() - 100);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(false);
    expect(s.events.at(-1)).to.equal(`confirmed@${s.time.hiResMs()}`);
  });

  it('starts over with a new session', async () => {
    const s = setup();
    s.answering = false;
    await s.scheduler.tick(7000);
    s.watchdog.sessionStarted();
    expect(s.watchdog.sessionMayHaveExpired).to.equal(false);
    await s.scheduler.tick(5000);
    expect(s.events.filter((e) => e.startsWith('lost'))).to.have.length(1);
    await s.scheduler.tick(1000);
    expect(s.events.filter((e) => e.startsWith('lost'))).to.have.length(2);
  });

  it('holds the loss back while the ensemble proves it has no quorum, and reports it once the proof goes', async () => {
    const noQuorum = { proven: true, checks: [] as number[] };
    const s = setup(noQuorum);
    await s.scheduler.tick(1000);
    s.watchdog.answered(s.time.hiResMs());
    const confirmedAt = s.time.hiResMs();
    s.answering = false;
    await s.scheduler.tick(20_000);
    expect(s.events.filter((e) => !e.startsWith('drop'))).to.deep.equal([`noQuorum@${confirmedAt + 5400}`]);
    expect(s.watchdog.sessionMayHaveExpired).to.equal(false);
    // Checks begin at T/2 of silence and repeat every T/10 at most.
    expect(noQuorum.checks[0]! - confirmedAt).to.be.within(3000, 3200);
    const gaps = noQuorum.checks.slice(1).map((c, i) => c - noQuorum.checks[i]!);
    expect(Math.min(...gaps)).to.be.at.least(600);
    // A quorum forms: the next check fails to prove the opposite, and the loss is reported within T/5.
    noQuorum.proven = false;
    const formedAt = s.time.hiResMs();
    await s.scheduler.tick(2000);
    const lost = Number(s.events.find((e) => e.startsWith('lost'))!.split('@')[1]);
    expect(lost - formedAt).to.be.at.most(T / 5 + 200);
  });

  it('reports the loss on time when the quorum check cannot prove anything (a cut-off client)', async () => {
    const s = setup({ proven: false, checks: [] });
    await s.scheduler.tick(1000);
    s.watchdog.answered(s.time.hiResMs());
    const confirmedAt = s.time.hiResMs();
    s.answering = false;
    await s.scheduler.tick(10_000);
    const lost = Number(s.events.find((e) => e.startsWith('lost'))!.split('@')[1]);
    expect(lost - confirmedAt).to.be.within(5400, 5400 + 200);
  });
});
