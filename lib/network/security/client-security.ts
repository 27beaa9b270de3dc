/**
 * How one side of a connection secures it as a client (Kafka's client security configs): `security.protocol`, the
 * TLS settings (`ssl.*`, see ssl-config.ts) and the SASL credentials: `sasl.mechanism` with either
 * `sasl.jaas.config` (a PlainLoginModule or ScramLoginModule entry with username and password, as the Java client
 * takes it) or `sasl.username` + `sasl.password` (librdkafka's names). Used by every client (producer, consumer,
 * admin, the mq-admin tools) and by brokers towards each other (the inter-broker listener's settings).
 *
 * Resolution refuses, naming the key: an unknown protocol; SASL without credentials, with a mechanism this build
 * lacks (Kafka's default GSSAPI among them), or with both credential forms; a jaas entry whose login module does not
 * match the mechanism. Pure but for reading the TLS files.
 */
import type { ConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../../common/errors.js';
import {
  isSecurityProtocol,
  SECURITY_PROTOCOLS,
  usesSasl,
  usesTls,
  type SecurityProtocol,
} from '../../common/security-protocol.js';
import { loginCredentials, parseJaasEntry, PLAIN_LOGIN_MODULE, SCRAM_LOGIN_MODULE } from './jaas-config.js';
import type { SaslClientCredentials } from './sasl-client.js';
import { PLAIN, SUPPORTED_SASL_MECHANISMS } from './sasl-server.js';
import { tlsClientOptions, type ConfigLookup } from './ssl-config.js';

export interface ClientSecurity {
  readonly protocol: SecurityProtocol;
  /** Set for SSL and SASL_SSL. */
  readonly tls?: ConnectionOptions;
  /** Set for SASL_PLAINTEXT and SASL_SSL. */
  readonly sasl?: SaslClientCredentials;
}

export const PLAINTEXT: ClientSecurity = Object.freeze({ protocol: 'PLAINTEXT' });

/** The client keys this module reads besides `ssl.*`. */
export const CLIENT_SECURITY_KEYS = [
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'sasl.username',
  'sasl.password',
] as const;

/** Kafka's default `sasl.mechanism` (Kerberos), refused here with the alternatives. */
export const DEFAULT_SASL_MECHANISM = 'GSSAPI';

export function clientSecurity(get: ConfigLookup, what: string): ClientSecurity {
  const protocol = (get('security.protocol') ?? 'PLAINTEXT').trim().toUpperCase();
  if (!isSecurityProtocol(protocol)) {
    throw new InvalidArgumentError(
      `${what}: security.protocol=${protocol} is not one of ${SECURITY_PROTOCOLS.join(', ')}.`,
    );
  }
  return {
    protocol,
    ...(usesTls(protocol) ? { tls: tlsClientOptions(get, what) } : {}),
    ...(usesSasl(protocol) ? { sasl: saslCredentials(get, what) } : {}),
  };
}

/** The SASL credentials named by sasl.mechanism and sasl.jaas.config / sasl.username + sasl.password. */
export function saslCredentials(get: ConfigLookup, what: string): SaslClientCredentials {
  const mechanism = (get('sasl.mechanism') ?? DEFAULT_SASL_MECHANISM).trim();
  if (!SUPPORTED_SASL_MECHANISMS.includes(mechanism)) {
    throw new InvalidArgumentError(
      `${what}: sasl.mechanism=${mechanism} is not supported (${mechanism === 'GSSAPI' ? "Kafka's default, Kerberos, " : ''}` +
        `is not built); set sasl.mechanism to one of ${SUPPORTED_SASL_MECHANISMS.join(', ')}.`,
    );
  }
  const jaas = get('sasl.jaas.config')?.trim();
  const username = get('sasl.username');
  const password = get('sasl.password');
  if (jaas !== undefined && jaas !== '') {
    if (username !== undefined || password !== undefined)
      throw new InvalidArgumentError(`${what}: give sasl.jaas.config or sasl.username/sasl.password, not both.`);
    const entry = parseJaasEntry(jaas, `${what}: sasl.jaas.config`);
    const expected = mechanism === PLAIN ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    if (entry.className !== expected) {
      throw new InvalidArgumentError(
        `${what}: sasl.jaas.config uses ${entry.className}, but sasl.mechanism=${mechanism} takes ${expected}.`,
      );
    }
    const credentials = loginCredentials(entry);
    if (credentials === undefined)
      throw new InvalidArgumentError(`${what}: sasl.jaas.config must set username="..." and password="...".`);
    return { mechanism, ...credentials };
  }
  if (username === undefined || password === undefined) {
    throw new InvalidArgumentError(
      `${what}: security.protocol ${get('security.protocol')} needs SASL credentials: set sasl.jaas.config ` +
        `(e.g. ${mechanism === PLAIN ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE} required username="alice" ` +
        'password="...";) or sasl.username and sasl.password.',
    );
  }
  return { mechanism, username, password };
}
