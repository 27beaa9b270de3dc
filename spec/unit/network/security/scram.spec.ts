import { expect } from 'chai';
import {
  clientFinal,
  credentialFromSaltedPassword,
  escapeUsername,
  formatCredential,
  formatServerFirst,
  generateCredential,
  parseClientFinal,
  parseClientFirst,
  parseCredential,
  parseServerFinal,
  parseServerFirst,
  saltedPassword,
  scramMechanism,
  unescapeUsername,
  verifyClientFinal,
  type ClientFirstMessage,
} from '../../../../lib/network/security/scram.js';

const SHA256 = scramMechanism('SCRAM-SHA-256')!;
const SHA512 = scramMechanism('SCRAM-SHA-512')!;

/** RFC 7677 section 3: user "user", password "pencil". */
const RFC = {
  clientNonce: 'rOprNGfwEbeRWgbNEkqO',
  serverNonce: 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
  salt: Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'),
  clientFinal:
    'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverSignature: '6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

describe('SCRAM (RFC 5802, Kafka KIP-84)', () => {
  const first = parseClientFirst(Buffer.from(`n,,n=user,r=${RFC.clientNonce}`))!;
  const serverFirst = formatServerFirst(RFC.serverNonce, RFC.salt, 4096);
  const credential = credentialFromSaltedPassword(
    SHA256,
    saltedPassword(SHA256, 'pencil', RFC.salt, 4096),
    RFC.salt,
    4096,
  );

  it("computes RFC 7677's client proof and server signature for SCRAM-SHA-256", () => {
    const { message, expectedServerSignature } = clientFinal(SHA256, 'pencil', first, serverFirst);
    expect(message.toString()).to.equal(RFC.clientFinal);
    expect(expectedServerSignature.toString('base64')).to.equal(RFC.serverSignature);
  });

  it('verifies the proof against the stored key only, and returns the server signature', () => {
    const signature = verifyClientFinal(
      SHA256,
      credential,
      first,
      serverFirst,
      parseClientFinal(Buffer.from(RFC.clientFinal))!,
    );
    expect(signature?.toString('base64')).to.equal(RFC.serverSignature);
  });

  it('refuses a wrong proof, a foreign nonce or channel binding, and takes the nonce librdkafka repeats', () => {
    const tamper = (text: string) =>
      verifyClientFinal(SHA256, credential, first, serverFirst, parseClientFinal(Buffer.from(text))!);
    expect(tamper(RFC.clientFinal.replace('p=dHzb', 'p=dHzc'))).to.equal(undefined);
    expect(tamper(RFC.clientFinal.replace('r=rOpr', 'r=xOpr'))).to.equal(undefined);
    expect(tamper(RFC.clientFinal.replace('c=biws', 'c=eSws'))).to.equal(undefined);
    // librdkafka writes the client nonce in front of the whole server nonce; Kafka accepts a nonce ending with it,
    // and the proof is over the message as sent.
    const doubled = { ...serverFirst };
    const { message } = clientFinal(SHA256, 'pencil', first, {
      ...doubled,
      nonce: RFC.clientNonce + RFC.serverNonce,
    });
    expect(verifyClientFinal(SHA256, credential, first, serverFirst, parseClientFinal(message)!)).to.not.equal(
      undefined,
    );
  });

  it("stores credentials as Kafka's string and reads them back; a password never appears", () => {
    const c = generateCredential(SHA512, 'secret', 8192);
    const text = formatCredential(c);
    expect(text).to.match(
      /^salt=[A-Za-z0-9+/=]+,stored_key=[A-Za-z0-9+/=]+,server_key=[A-Za-z0-9+/=]+,iterations=8192$/,
    );
    expect(text).to.not.contain('secret');
    expect(parseCredential(text)).to.deep.equal(c);
    expect(() => parseCredential('salt=a,stored_key=b,iterations=1')).to.throw(
      /exactly salt, stored_key, server_key, iterations/,
    );
    expect(() => parseCredential('salt=a,stored_key=b,server_key=c,iterations=x')).to.throw(/not a positive integer/);
  });

  it('escapes user names and parses the four messages, refusing malformed ones', () => {
    expect(escapeUsername('a,b=c')).to.equal('a=2Cb=3Dc');
    expect(unescapeUsername('a=2Cb=3Dc')).to.equal('a,b=c');
    expect(unescapeUsername('a=2Xb')).to.equal(undefined);
    const withAuthz: ClientFirstMessage = parseClientFirst(Buffer.from('n,a=bob,n=bob,r=abc'))!;
    expect(withAuthz).to.include({ authorizationId: 'bob', username: 'bob', nonce: 'abc', bare: 'n=bob,r=abc' });
    for (const bad of ['y,,n=user,r=abc', 'n,,n=,r=abc', 'n,,r=abc', 'garbage']) {
      expect(parseClientFirst(Buffer.from(bad)), bad).to.equal(undefined);
    }
    expect(parseServerFirst(Buffer.from(serverFirst.text))).to.deep.include({
      nonce: RFC.serverNonce,
      iterations: 4096,
    });
    expect(parseServerFirst(Buffer.from('r=x,i=1'))).to.equal(undefined);
    expect(parseClientFinal(Buffer.from('c=biws,r=x'))).to.equal(undefined);
    expect(parseServerFinal(Buffer.from('e=invalid-proof'))).to.deep.equal({ error: 'invalid-proof' });
  });
});
