/**
 * TLS settings from Kafka's `ssl.*` keys, for Node's `tls` module: the broker's listeners (server side, also used
 * by the broker as a client of other brokers) and clients. Files are read when the settings are resolved, so a
 * missing or unreadable file stops a broker at start and a client at construction, naming the key.
 *
 * Keys and what they do here:
 * - `ssl.keystore.type`: PEM (the default here: Java's JKS cannot be read outside the JVM and is refused with the
 *   conversion to use) or PKCS12. `ssl.keystore.location`: a PEM file holding the private key and its certificate
 *   chain, or a PKCS12 file. `ssl.keystore.password`: the PKCS12 file's password. `ssl.key.password`: the password
 *   of an encrypted PEM private key. `ssl.keystore.key` and `ssl.keystore.certificate.chain`: the PEM key and chain
 *   as config values instead of a file (`\n` may stand for line breaks).
 * - `ssl.truststore.type`: PEM only (convert a JKS or PKCS12 truststore with keytool / openssl).
 *   `ssl.truststore.location` (a PEM file of CA certificates) or `ssl.truststore.certificates` (PEM as a value).
 *   Without either, Node's bundled root CAs are trusted, as the JVM's default truststore would be.
 * - `ssl.enabled.protocols`: TLSv1.2 and/or TLSv1.3 (default both).
 * - `ssl.client.auth` (servers): none, requested (a presented certificate must verify) or required.
 * - `ssl.endpoint.identification.algorithm` (clients): `https` (default) checks that the broker's certificate names
 *   the host connected to (a DNS or IP subject alternative name); empty turns the check off.
 * Pure but for reading the named files.
 */
import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { InvalidArgumentError } from '../../common/errors.js';

/** Looks a key up in whatever holds the settings (broker config with listener overrides, client options). */
export type ConfigLookup = (key: string) => string | undefined;

export type SslClientAuth = 'none' | 'requested' | 'required';

const PROTOCOLS = ['TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof PROTOCOLS)[number];

/** Every key this module reads, for option tables that must know them. */
export const SSL_KEYS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.enabled.protocols',
  'ssl.endpoint.identification.algorithm',
] as const;

function nonEmpty(get: ConfigLookup, key: string): string | undefined {
  const v = get(key)?.trim();
  return v === undefined || v === '' ? undefined : v;
}

function readFile(key: string, path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InvalidArgumentError(`${what}: cannot read ${key}=${path}: ${(e as Error).message}`, { cause: e });
  }
}

/** A PEM value given inline, with `\n` standing for line breaks where the value could not hold them. */
function inlinePem(value: string): string {
  return value.replace(/\\n/g, '\n');
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string): { label: string; pem: string }[] {
  return [...text.matchAll(PEM_BLOCK)].map((m) => ({ label: m[1]!, pem: m[0] }));
}

/** The key material: PEM key and chain, or a PKCS12 file; undefined when no keystore is configured. */
function keystore(
  get: ConfigLookup,
  what: string,
): Pick<TlsOptions, 'key' | 'cert' | 'pfx' | 'passphrase'> | undefined {
  const type = (nonEmpty(get, 'ssl.keystore.type') ?? 'PEM').toUpperCase();
  const location = nonEmpty(get, 'ssl.keystore.location');
  const inlineKey = nonEmpty(get, 'ssl.keystore.key');
  const inlineChain = nonEmpty(get, 'ssl.keystore.certificate.chain');
  if (location === undefined && inlineKey === undefined && inlineChain === undefined) return undefined;
  if (type === 'JKS') {
    throw new InvalidArgumentError(
      `${what}: ssl.keystore.type=JKS is Java's own format, which only the JVM reads. Convert it with ` +
        '`keytool -importkeystore -srckeystore ks.jks -destkeystore ks.p12 -deststoretype PKCS12` and set ' +
        'ssl.keystore.type=PKCS12, or use PEM files (ssl.keystore.type=PEM).',
    );
  }
  if (type === 'PKCS12') {
    if (location === undefined)
      throw new InvalidArgumentError(`${what}: ssl.keystore.type=PKCS12 needs ssl.keystore.location.`);
    return { pfx: readFile('ssl.keystore.location', location, what), passphrase: get('ssl.keystore.password') };
  }
  if (type !== 'PEM') {
    throw new InvalidArgumentError(`${what}: ssl.keystore.type=${type} is not supported; use PEM or PKCS12.`);
  }
  if (nonEmpty(get, 'ssl.keystore.password') !== undefined) {
    throw new InvalidArgumentError(
      `${what}: ssl.keystore.password does not apply to a PEM keystore; an encrypted PEM key takes ssl.key.password.`,
    );
  }
  let blocks: { label: string; pem: string }[];
  if (inlineKey !== undefined || inlineChain !== undefined) {
    if (inlineKey === undefined || inlineChain === undefined || location !== undefined) {
      throw new InvalidArgumentError(
        `${what}: give either ssl.keystore.location, or both ssl.keystore.key and ssl.keystore.certificate.chain.`,
      );
    }
    blocks = [...pemBlocks(inlinePem(inlineKey)), ...pemBlocks(inlinePem(inlineChain))];
  } else {
    blocks = pemBlocks(readFile('ssl.keystore.location', location!, what).toString('utf8'));
  }
  const keys = blocks.filter((b) => b.label.endsWith('PRIVATE KEY'));
  const certs = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (keys.length !== 1 || certs.length === 0) {
    throw new InvalidArgumentError(
      `${what}: a PEM keystore must hold one private key and its certificate chain; found ${keys.length} key(s) ` +
        `and ${certs.length} certificate(s) in ${location ?? 'ssl.keystore.key / ssl.keystore.certificate.chain'}.`,
    );
  }
  return {
    key: keys[0]!.pem,
    cert: certs.map((c) => c.pem).join('\n'),
    passphrase: get('ssl.key.password'),
  };
}

/** The CA certificates to trust; undefined for Node's bundled roots. */
function truststore(get: ConfigLookup, what: string): string | undefined {
  const type = (nonEmpty(get, 'ssl.truststore.type') ?? 'PEM').toUpperCase();
  const location = nonEmpty(get, 'ssl.truststore.location');
  const inline = nonEmpty(get, 'ssl.truststore.certificates');
  if (location === undefined && inline === undefined) return undefined;
  if (type !== 'PEM') {
    throw new InvalidArgumentError(
      `${what}: ssl.truststore.type=${type} is not supported; export the CA certificates to a PEM file ` +
        '(`keytool -exportcert -rfc` or `openssl pkcs12 -nokeys`) and set ssl.truststore.type=PEM.',
    );
  }
  if (nonEmpty(get, 'ssl.truststore.password') !== undefined)
    throw new InvalidArgumentError(`${what}: a PEM truststore has no password; remove ssl.truststore.password.`);
  if (location !== undefined && inline !== undefined)
    throw new InvalidArgumentError(`${what}: give ssl.truststore.location or ssl.truststore.certificates, not both.`);
  const text =
    inline !== undefined ? inlinePem(inline) : readFile('ssl.truststore.location', location!, what).toString();
  const certs = pemBlocks(text).filter((b) => b.label === 'CERTIFICATE');
  if (certs.length === 0) throw new InvalidArgumentError(`${what}: the truststore holds no PEM CERTIFICATE.`);
  return certs.map((c) => c.pem).join('\n');
}

function protocolRange(get: ConfigLookup, what: string): { minVersion: TlsVersion; maxVersion: TlsVersion } {
  const listed = (get('ssl.enabled.protocols') ?? PROTOCOLS.join(','))
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const bad = listed.find((p) => !(PROTOCOLS as readonly string[]).includes(p));
  if (bad !== undefined || listed.length === 0) {
    throw new InvalidArgumentError(
      `${what}: ssl.enabled.protocols=${listed.join(',')} is not supported; list TLSv1.2 and/or TLSv1.3 ` +
        '(older versions are insecure and disabled).',
    );
  }
  const versions = PROTOCOLS.filter((p) => listed.includes(p));
  return { minVersion: versions[0]!, maxVersion: versions[versions.length - 1]! };
}

/** `ssl.client.auth`: none (the default), requested or required. */
export function sslClientAuth(get: ConfigLookup, what: string): SslClientAuth {
  const v = (get('ssl.client.auth') ?? 'none').trim().toLowerCase();
  if (v !== 'none' && v !== 'requested' && v !== 'required')
    throw new InvalidArgumentError(`${what}: ssl.client.auth=${v} is not one of none, requested, required.`);
  return v;
}

/** Options for `tls.createServer` on a listener; a keystore is required. */
export function tlsServerOptions(get: ConfigLookup, what: string): TlsOptions {
  const keys = keystore(get, what);
  if (keys === undefined) {
    throw new InvalidArgumentError(
      `${what}: a TLS listener needs its certificate: set ssl.keystore.location (a PEM file with the key and the ` +
        'certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain.',
    );
  }
  const clientAuth = sslClientAuth(get, what);
  return {
    ...keys,
    ca: truststore(get, what),
    ...protocolRange(get, what),
    requestCert: clientAuth !== 'none',
    // With `requested`, a client without a certificate is let in; one whose certificate does not verify is not
    // (checked by the connection, since Node accepts both when rejectUnauthorized is off).
    rejectUnauthorized: clientAuth === 'required',
  };
}

/** Options for `tls.connect` (host and port aside). */
export function tlsClientOptions(get: ConfigLookup, what: string): ConnectionOptions {
  const algorithm = (get('ssl.endpoint.identification.algorithm') ?? 'https').trim().toLowerCase();
  if (algorithm !== 'https' && algorithm !== '') {
    throw new InvalidArgumentError(
      `${what}: ssl.endpoint.identification.algorithm=${algorithm} is not supported; use https or an empty value.`,
    );
  }
  return {
    ...keystore(get, what),
    ca: truststore(get, what),
    ...protocolRange(get, what),
    rejectUnauthorized: true,
    ...(algorithm === '' ? { checkServerIdentity: () => undefined } : {}),
  };
}
