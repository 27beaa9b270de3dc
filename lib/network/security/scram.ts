/**
 * SCRAM (RFC 5802) as Kafka speaks it (KIP-84): the two mechanisms, the key derivations, the four messages and the
 * credential string Kafka stores in `/config/users/<user>`. Shared by the broker's SASL server, the client's SASL
 * client and the admin tools that create credentials.
 *
 * Keys: SaltedPassword = Hi(password, salt, i) (PBKDF2 with the mechanism's HMAC); ClientKey = HMAC(SaltedPassword,
 * "Client Key"); StoredKey = H(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key"). The broker keeps only
 * salt, StoredKey, ServerKey and i (`salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>`), never the
 * password. Proofs: AuthMessage = client-first-bare "," server-first "," client-final-without-proof; ClientProof =
 * ClientKey XOR HMAC(StoredKey, AuthMessage); ServerSignature = HMAC(ServerKey, AuthMessage).
 *
 * Messages (only the `n` GS2 flag: no channel binding, as Kafka): client-first `n,[a=authzid],n=<user>,r=<nonce>`,
 * server-first `r=<nonce>,s=<salt>,i=<iterations>`, client-final `c=<b64 gs2 header>,r=<nonce>,p=<proof>`,
 * server-final `v=<signature>` or `e=<error>`. User names escape `,` as `=2C` and `=` as `=3D`.
 *
 * Pure but for random salts and nonces; comparisons of secrets are constant-time.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { InvalidArgumentError } from '../../common/errors.js';

export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramMechanism {
  readonly name: ScramMechanismName;
  /** Node's digest name. */
  readonly hash: 'sha256' | 'sha512';
  readonly keyLength: number;
  /** Kafka's minimum (and default) iteration count. */
  readonly minIterations: number;
  /** Kafka's maximum iteration count for credentials created through AlterUserScramCredentials. */
  readonly maxIterations: number;
  /** Kafka's wire code in Describe/AlterUserScramCredentials (1 and 2). */
  readonly code: number;
}

export const SCRAM_MECHANISMS: readonly ScramMechanism[] = [
  { name: 'SCRAM-SHA-256', hash: 'sha256', keyLength: 32, minIterations: 4096, maxIterations: 16384, code: 1 },
  { name: 'SCRAM-SHA-512', hash: 'sha512', keyLength: 64, minIterations: 4096, maxIterations: 16384, code: 2 },
];

/** The default iteration count of kafka-configs (4096). */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

export function scramMechanism(name: string): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.name === name);
}

export function scramMechanismByCode(code: number): ScramMechanism | undefined {
  return SCRAM_MECHANISMS.find((m) => m.code === code);
}

/** What the broker stores per user and mechanism. */
export interface ScramCredential {
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
  readonly iterations: number;
}

const hmac = (m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer =>
  createHmac(m.hash, key).update(data).digest();
const hash = (m: ScramMechanism, data: Buffer): Buffer => createHash(m.hash).update(data).digest();

/** Hi(password, salt, i). */
export function saltedPassword(m: ScramMechanism, password: Buffer | string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(password, salt, iterations, m.keyLength, m.hash);
}

/** The stored credential from a salted password (what the broker computes for AlterUserScramCredentials). */
export function credentialFromSaltedPassword(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number) {
  const clientKey = hmac(m, salted, 'Client Key');
  return {
    salt,
    storedKey: hash(m, clientKey),
    serverKey: hmac(m, salted, 'Server Key'),
    iterations,
  } satisfies ScramCredential;
}

/** A new credential for a password, with a random salt. */
export function generateCredential(m: ScramMechanism, password: string, iterations = m.minIterations): ScramCredential {
  const salt = randomSalt();
  return credentialFromSaltedPassword(m, saltedPassword(m, password, salt, iterations), salt, iterations);
}

export function randomSalt(): Buffer {
  return randomBytes(32);
}

/** A nonce of printable characters without ',' (RFC 5802). */
export function randomNonce(): string {
  return randomBytes(24).toString('base64url');
}

/** Kafka's credential string: `salt=<b64>,stored_key=<b64>,server_key=<b64>,iterations=<n>`. */
export function formatCredential(c: ScramCredential): string {
  return (
    `salt=${c.salt.toString('base64')},stored_key=${c.storedKey.toString('base64')},` +
    `server_key=${c.serverKey.toString('base64')},iterations=${c.iterations}`
  );
}

/** Parses Kafka's credential string; throws InvalidArgumentError naming what is wrong. */
export function parseCredential(text: string): ScramCredential {
  const props = new Map<string, string>();
  for (const token of text.split(',')) {
    const i = token.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`SCRAM credential is not key=value pairs: '${token}'.`);
    props.set(token.slice(0, i), token.slice(i + 1));
  }
  const keys = ['salt', 'stored_key', 'server_key', 'iterations'];
  if (props.size !== 4 || !keys.every((k) => props.has(k))) {
    throw new InvalidArgumentError(
      `SCRAM credential must have exactly ${keys.join(', ')}; found ${[...props.keys()].join(', ')}.`,
    );
  }
  const iterations = Number(props.get('iterations'));
  if (!Number.isInteger(iterations) || iterations <= 0)
    throw new InvalidArgumentError(
      `SCRAM credential iterations '${props.get('iterations')}' is not a positive integer.`,
    );
  return {
    salt: Buffer.from(props.get('salt')!, 'base64'),
    storedKey: Buffer.from(props.get('stored_key')!, 'base64'),
    serverKey: Buffer.from(props.get('server_key')!, 'base64'),
    iterations,
  };
}

/** `alice,x=y` → `alice=2Cx=3Dy` (RFC 5802 saslname). */
export function escapeUsername(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The inverse of escapeUsername; undefined for a malformed escape. */
export function unescapeUsername(saslName: string): string | undefined {
  if (/=(?!2C|3D)/.test(saslName)) return undefined;
  return saslName.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

export interface ClientFirstMessage {
  readonly authorizationId: string;
  readonly username: string;
  readonly nonce: string;
  /** `n=...,r=...[,ext]`: the part that enters the AuthMessage. */
  readonly bare: string;
  /** `n,,` or `n,a=<authzid>,`. */
  readonly gs2Header: string;
}

export function formatClientFirst(username: string, nonce: string): ClientFirstMessage {
  const bare = `n=${escapeUsername(username)},r=${nonce}`;
  return { authorizationId: '', username, nonce, bare, gs2Header: 'n,,' };
}

export function clientFirstBytes(m: ClientFirstMessage): Buffer {
  return Buffer.from(m.gs2Header + m.bare, 'utf8');
}

const CLIENT_FIRST = /^(n,(?:a=([^,]*))?,)(n=([^,]*),r=([^,]+)(?:,.*)?)$/s;

/** Parses a client-first message; undefined when it is not one. */
export function parseClientFirst(bytes: Buffer): ClientFirstMessage | undefined {
  const m = CLIENT_FIRST.exec(bytes.toString('utf8'));
  if (!m) return undefined;
  const username = unescapeUsername(m[4]!);
  const authorizationId = m[2] === undefined ? '' : unescapeUsername(m[2]);
  if (username === undefined || username === '' || authorizationId === undefined) return undefined;
  return { gs2Header: m[1]!, bare: m[3]!, username, authorizationId, nonce: m[5]! };
}

export interface ServerFirstMessage {
  readonly nonce: string;
  readonly salt: Buffer;
  readonly iterations: number;
  readonly text: string;
}

export function formatServerFirst(nonce: string, salt: Buffer, iterations: number): ServerFirstMessage {
  return { nonce, salt, iterations, text: `r=${nonce},s=${salt.toString('base64')},i=${iterations}` };
}

const SERVER_FIRST = /^r=([^,]+),s=([^,]+),i=(\d+)(?:,.*)?$/s;

export function parseServerFirst(bytes: Buffer): ServerFirstMessage | undefined {
  const text = bytes.toString('utf8');
  const m = SERVER_FIRST.exec(text);
  if (!m) return undefined;
  return { nonce: m[1]!, salt: Buffer.from(m[2]!, 'base64'), iterations: Number(m[3]), text };
}

export interface ClientFinalMessage {
  readonly channelBinding: string;
  readonly nonce: string;
  readonly proof: Buffer;
  /** `c=...,r=...`: the part that enters the AuthMessage. */
  readonly withoutProof: string;
}

const CLIENT_FINAL = /^(c=([^,]*),r=([^,]+)(?:,(?!p=)[^,]*)*),p=([^,]+)$/s;

export function parseClientFinal(bytes: Buffer): ClientFinalMessage | undefined {
  const m = CLIENT_FINAL.exec(bytes.toString('utf8'));
  if (!m) return undefined;
  return { withoutProof: m[1]!, channelBinding: m[2]!, nonce: m[3]!, proof: Buffer.from(m[4]!, 'base64') };
}

function authMessage(first: ClientFirstMessage, serverFirst: ServerFirstMessage, finalWithoutProof: string): string {
  return `${first.bare},${serverFirst.text},${finalWithoutProof}`;
}

/** The client's side of the final exchange: its final message and the server signature to expect. */
export function clientFinal(
  m: ScramMechanism,
  password: string,
  first: ClientFirstMessage,
  serverFirst: ServerFirstMessage,
): { message: Buffer; expectedServerSignature: Buffer } {
  const salted = saltedPassword(m, password, serverFirst.salt, serverFirst.iterations);
  const clientKey = hmac(m, salted, 'Client Key');
  const withoutProof = `c=${Buffer.from(first.gs2Header, 'utf8').toString('base64')},r=${serverFirst.nonce}`;
  const auth = authMessage(first, serverFirst, withoutProof);
  const signature = hmac(m, hash(m, clientKey), auth);
  const proof = xor(clientKey, signature);
  return {
    message: Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8'),
    expectedServerSignature: hmac(m, hmac(m, salted, 'Server Key'), auth),
  };
}

/**
 * The server's check of a client-final message: the nonce must end with the one of this exchange (Kafka's check
 * since CVE-2024-56128; librdkafka repeats the client nonce in front of it), the channel binding must be the GS2
 * header's, and the proof must hash to the stored key. Returns the server signature, or undefined when the client
 * is not who it claims.
 */
export function verifyClientFinal(
  m: ScramMechanism,
  credential: ScramCredential,
  first: ClientFirstMessage,
  serverFirst: ServerFirstMessage,
  final: ClientFinalMessage,
): Buffer | undefined {
  if (!final.nonce.endsWith(serverFirst.nonce)) return undefined;
  if (final.channelBinding !== Buffer.from(first.gs2Header, 'utf8').toString('base64')) return undefined;
  if (final.proof.length !== m.keyLength) return undefined;
  const auth = authMessage(first, serverFirst, final.withoutProof);
  const clientKey = xor(final.proof, hmac(m, credential.storedKey, auth));
  const storedKey = hash(m, clientKey);
  if (storedKey.length !== credential.storedKey.length || !timingSafeEqual(storedKey, credential.storedKey))
    return undefined;
  return hmac(m, credential.serverKey, auth);
}

export function formatServerFinal(signature: Buffer): Buffer {
  return Buffer.from(`v=${signature.toString('base64')}`, 'utf8');
}

/** The server signature in a server-final message, or the server's error (`e=...`). */
export function parseServerFinal(bytes: Buffer): { signature: Buffer } | { error: string } | undefined {
  const text = bytes.toString('utf8');
  if (text.startsWith('e=')) return { error: text.slice(2).split(',')[0]! };
  const m = /^v=([^,]+)(?:,.*)?$/s.exec(text);
  return m ? { signature: Buffer.from(m[1]!, 'base64') } : undefined;
}

/** Constant-time equality of two secrets. */
export function secretsEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ b[i]!;
  return out;
}
