import { expect } from 'chai';
import { ErrorCode } from '../../../../lib/common/error-codes.js';
import { saslClientExchange } from '../../../../lib/network/security/sasl-client.js';
import {
  passwordsEqual,
  SaslServerAuthenticator,
  type SaslDecision,
} from '../../../../lib/network/security/sasl-server.js';
import { generateCredential, scramMechanism } from '../../../../lib/network/security/scram.js';
import { ApiKey } from '../../../../lib/protocol/api-keys.js';

const USERS = new Map([['alice', 'alice-secret']]);
const CREDENTIALS = new Map([
  ['SCRAM-SHA-512/alice', generateCredential(scramMechanism('SCRAM-SHA-512')!, 'alice-secret')],
]);

function authenticator(opts: { maxReauthMs?: number; now?: () => number } = {}) {
  return new SaslServerAuthenticator({
    enabledMechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    credentials: {
      plainAuthenticate: (u, p) => USERS.has(u) && passwordsEqual(p, USERS.get(u)!),
      scramCredential: (m, u) => CREDENTIALS.get(`${m}/${u}`),
    },
    maxReauthMs: opts.maxReauthMs ?? 0,
    now: opts.now ?? (() => 0),
  });
}

const body = (d: SaslDecision) => (d as { body: Record<string, unknown> }).body;

/** Runs a whole exchange through the authenticator; returns the last decision. */
function login(a: SaslServerAuthenticator, mechanism: string, username: string, password: string): SaslDecision {
  const handshake = a.onRequest(ApiKey.SaslHandshake, { mechanism });
  if (handshake.kind !== 'respond') return handshake;
  const client = saslClientExchange({ mechanism, username, password });
  let decision = a.onRequest(ApiKey.SaslAuthenticate, { authBytes: client.initial() });
  for (;;) {
    if (decision.kind !== 'respond' || a.isAuthenticated) return decision;
    const step = client.evaluate(body(decision)['authBytes'] as Buffer);
    if (step.done) return decision;
    decision = a.onRequest(ApiKey.SaslAuthenticate, { authBytes: step.response });
  }
}

describe('SaslServerAuthenticator', () => {
  it('lets ApiVersions through before the handshake and nothing else', () => {
    expect(authenticator().onRequest(ApiKey.ApiVersions, {}).kind).to.equal('dispatch');
    const a = authenticator();
    const metadata = a.onRequest(ApiKey.Metadata, {});
    expect(metadata).to.include({ kind: 'reject' });
    expect(a.isFailed).to.equal(true);
  });

  it('authenticates PLAIN and SCRAM users, after which requests go to the handlers', () => {
    for (const mechanism of ['PLAIN', 'SCRAM-SHA-512']) {
      const a = authenticator();
      expect(login(a, mechanism, 'alice', 'alice-secret').kind, mechanism).to.equal('respond');
      expect(a.isAuthenticated).to.equal(true);
      expect(a.principal).to.deep.equal({ type: 'User', name: 'alice' });
      expect(a.onRequest(ApiKey.Produce, {}).kind).to.equal('dispatch');
    }
  });

  it("fails wrong credentials with SASL_AUTHENTICATION_FAILED and Kafka's messages", () => {
    const plain = login(authenticator(), 'PLAIN', 'alice', 'nope');
    expect(plain.kind).to.equal('fail');
    expect(body(plain)).to.include({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Invalid username or password',
    });
    const a = authenticator();
    const scram = (() => {
      try {
        return login(a, 'SCRAM-SHA-512', 'alice', 'nope');
      } catch (e) {
        return e;
      }
    })();
    expect(scram).to.include({ kind: 'fail' });
    expect(body(scram as SaslDecision)['errorMessage']).to.equal(
      'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    );
  });

  it('runs an unknown SCRAM user through the same exchange, with a salt that does not change, so nothing is learned', () => {
    const serverFirst = () => {
      const a = authenticator();
      a.onRequest(ApiKey.SaslHandshake, { mechanism: 'SCRAM-SHA-512' });
      const client = saslClientExchange({ mechanism: 'SCRAM-SHA-512', username: 'mallory', password: 'x' });
      const d = a.onRequest(ApiKey.SaslAuthenticate, { authBytes: client.initial() });
      expect(d.kind).to.equal('respond');
      return /s=([^,]+),i=(\d+)/.exec((body(d)['authBytes'] as Buffer).toString())!.slice(1);
    };
    const [salt1, iterations] = serverFirst();
    expect(serverFirst()[0]).to.equal(salt1);
    expect(iterations).to.equal('4096');
    expect(login(authenticator(), 'SCRAM-SHA-512', 'mallory', 'x').kind).to.equal('fail');
  });

  it('answers an unsupported mechanism with the enabled ones and closes', () => {
    const d = authenticator().onRequest(ApiKey.SaslHandshake, { mechanism: 'GSSAPI' });
    expect(d.kind).to.equal('reject');
    expect(body(d)).to.deep.equal({
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['PLAIN', 'SCRAM-SHA-512'],
    });
  });

  it('with connections.max.reauth.ms, gives sessions a lifetime, re-authenticates in band, and ends an expired one', () => {
    let now = 0;
    const a = authenticator({ maxReauthMs: 1000, now: () => now });
    const done = login(a, 'PLAIN', 'alice', 'alice-secret');
    expect(body(done)['sessionLifetimeMs']).to.equal(1000);
    now = 900;
    expect(login(a, 'PLAIN', 'alice', 'alice-secret').kind).to.equal('respond');
    now = 1800;
    expect(a.onRequest(ApiKey.Metadata, {}).kind).to.equal('dispatch');
    now = 2000;
    expect(a.onRequest(ApiKey.Metadata, {})).to.include({ kind: 'reject', expired: true });
  });

  it('refuses a re-authentication that changes the mechanism, and one that changes the principal', () => {
    const a = authenticator({ maxReauthMs: 1000 });
    login(a, 'PLAIN', 'alice', 'alice-secret');
    expect(a.onRequest(ApiKey.SaslHandshake, { mechanism: 'SCRAM-SHA-512' }).kind).to.equal('reject');
    USERS.set('bob', 'bob-secret');
    const b = authenticator({ maxReauthMs: 1000 });
    login(b, 'PLAIN', 'alice', 'alice-secret');
    const changed = login(b, 'PLAIN', 'bob', 'bob-secret');
    expect(changed.kind).to.equal('fail');
    expect(body(changed)['errorMessage']).to.match(/Cannot change principals during re-authentication/);
  });

  it('takes raw tokens after a Kafka-protocol SaslHandshake v0', () => {
    const a = authenticator();
    expect(a.onRequest(ApiKey.SaslHandshake, { mechanism: 'PLAIN' }, true).kind).to.equal('respond');
    expect(a.expectsRawToken).to.equal(true);
    expect(a.onRawToken(Buffer.from('\u0000alice\u0000alice-secret'))).to.deep.equal({
      kind: 'raw',
      bytes: Buffer.alloc(0),
    });
    expect(a.isAuthenticated).to.equal(true);
  });
});
