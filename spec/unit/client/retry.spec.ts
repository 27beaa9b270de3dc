import { expect } from 'chai';
import { ApiError, ConnectionError, InvalidArgumentError, TimeoutError } from '../../../lib/common/errors.js';
import { SystemTime } from '../../../lib/common/time.js';
import { ExponentialBackoff, isRetriable, isStaleMetadata, retry } from '../../../lib/client/retry.js';

describe('retry', () => {
  describe('isRetriable', () => {
    it('retries retriable wire errors, lost connections and request timeouts only', () => {
      expect(isRetriable(new ApiError('NOT_LEADER_OR_FOLLOWER'))).to.equal(true);
      expect(isRetriable(new ApiError('TOPIC_ALREADY_EXISTS'))).to.equal(false);
      expect(isRetriable(new ConnectionError('lost'))).to.equal(true);
      expect(isRetriable(new TimeoutError('slow'))).to.equal(true);
      expect(isRetriable(new TypeError('bug'))).to.equal(false);
      expect(isRetriable(new InvalidArgumentError('bad'))).to.equal(false);
    });

    it('treats leadership errors and lost connections as stale metadata', () => {
      expect(isStaleMetadata(new ApiError('NOT_LEADER_OR_FOLLOWER'))).to.equal(true);
      expect(isStaleMetadata(new ApiError('NOT_CONTROLLER'))).to.equal(true);
      expect(isStaleMetadata(new ConnectionError('lost'))).to.equal(true);
      expect(isStaleMetadata(new ApiError('NOT_ENOUGH_REPLICAS'))).to.equal(false);
    });
  });

  describe('ExponentialBackoff', () => {
    it('doubles from the initial pause up to the maximum, within ±20% jitter', () => {
      const low = new ExponentialBackoff(100, 1000, 2, 0.2, () => 0);
      const high = new ExponentialBackoff(100, 1000, 2, 0.2, () => 1);
      expect([0, 1, 2, 3, 4, 10].map((a) => low.backoffMs(a))).to.deep.equal([80, 160, 320, 640, 800, 800]);
      expect([0, 1, 2, 3, 4, 10].map((a) => high.backoffMs(a))).to.deep.equal([120, 240, 480, 960, 1200, 1200]);
    });

    it('gives the initial pause when it is not below the maximum', () => {
      expect(new ExponentialBackoff(100, 100).backoffMs(5)).to.equal(100);
    });
  });

  describe('#retry', () => {
    const backoff = new ExponentialBackoff(1, 5);

    it('retries retriable errors until success', async () => {
      let calls = 0;
      const seen: number[] = [];
      const result = await retry(
        async (attempt) => {
          seen.push(attempt);
          if (++calls < 3) throw new ApiError('LEADER_NOT_AVAILABLE');
          return 'ok';
        },
        { what: 'op', time: SystemTime, deadlineMs: SystemTime.hiResMs() + 5000, backoff },
      );
      expect(result).to.equal('ok');
      expect(seen).to.deep.equal([0, 1, 2]);
    });

    it('surfaces a non-retriable error at once', async () => {
      let calls = 0;
      const error = await retry(
        async () => {
          calls++;
          throw new ApiError('INVALID_CONFIG');
        },
        { what: 'op', time: SystemTime, deadlineMs: SystemTime.hiResMs() + 5000, backoff },
      ).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'INVALID_CONFIG');
      expect(calls).to.equal(1);
    });

    it('stops after `retries` retries with the last error', async () => {
      let calls = 0;
      const error = await retry(
        async () => {
          calls++;
          throw new ApiError('NOT_CONTROLLER');
        },
        { what: 'op', time: SystemTime, deadlineMs: SystemTime.hiResMs() + 5000, backoff, retries: 2 },
      ).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ApiError).with.property('errorName', 'NOT_CONTROLLER');
      expect(calls).to.equal(3);
    });

    it('fails with TimeoutError carrying the last error once the deadline passes', async () => {
      const error = await retry(
        async () => {
          throw new ConnectionError('refused');
        },
        { what: 'CreateTopics', time: SystemTime, deadlineMs: SystemTime.hiResMs() + 30, backoff },
      ).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TimeoutError);
      expect((error as Error).message).to.match(/CreateTopics did not succeed within .*refused/);
      expect((error as Error).cause).to.be.instanceOf(ConnectionError);
    });

    it('runs onRetriableError before each retry', async () => {
      const refreshed: string[] = [];
      let calls = 0;
      await retry(
        async () => {
          if (calls++ === 0) throw new ApiError('NOT_LEADER_OR_FOLLOWER');
        },
        {
          what: 'op',
          time: SystemTime,
          deadlineMs: SystemTime.hiResMs() + 5000,
          backoff,
          onRetriableError: (e) => {
            refreshed.push((e as ApiError).errorName);
          },
        },
      );
      expect(refreshed).to.deep.equal(['NOT_LEADER_OR_FOLLOWER']);
    });
  });
});
