/**
 * What a broker's security configuration means for its sockets (Kafka's ChannelBuilders and JaasContext, resolved
 * once at start): for every listener, how its socket server secures connections (TLS options, the SASL mechanisms
 * and where their credentials come from); and how this broker secures its own connections to the other brokers'
 * inter-broker listener (replica fetching, ControlledShutdown, anything brokers send each other).
 *
 * Sources, Kafka's, most specific first:
 * - TLS: `listener.name.<listener>.ssl.*`, then the broker-wide `ssl.*` keys.
 * - SASL mechanisms: `listener.name.<listener>.sasl.enabled.mechanisms`, then `sasl.enabled.mechanisms`.
 * - JAAS (PLAIN's `user_<name>` entries; a broker's own username and password towards other brokers):
 *   `listener.name.<listener>.<mechanism>.sasl.jaas.config`, then the JAAS file's `<listener>.KafkaServer` section
 *   (listener in lower case), then its `KafkaServer` section.
 * - SCRAM credentials: /config/users/<user> in ZooKeeper (ClientEntityConfigs), read at each authentication, so a
 *   credential added, changed or removed applies to the next connection without restart.
 *
 * Refused at start, naming the fix: a SASL listener without mechanisms or with one this build lacks (GSSAPI,
 * OAUTHBEARER), PLAIN without a JAAS entry that lists users, an inter-broker SASL mechanism the inter-broker
 * listener does not enable or without a username and password for it, a TLS listener without a certificate.
 */
import { formatConfigValue } from '../../common/config-def.js';
import { InvalidArgumentError } from '../../common/errors.js';
import { usesSasl, usesTls } from '../../common/security-protocol.js';
import type { ClientSecurity } from '../../network/security/client-security.js';
import {
  loginCredentials,
  plainUsers,
  parseJaasEntry,
  PLAIN_LOGIN_MODULE,
  SCRAM_LOGIN_MODULE,
  type JaasFile,
  type LoginModuleEntry,
} from '../../network/security/jaas-config.js';
import { SslPrincipalMapper } from '../../network/security/kafka-principal.js';
import { parseCredential, scramMechanism, type ScramCredential } from '../../network/security/scram.js';
import {
  passwordsEqual,
  PLAIN,
  SUPPORTED_SASL_MECHANISMS,
  type SaslCredentials,
} from '../../network/security/sasl-server.js';
import { tlsClientOptions, tlsServerOptions, type ConfigLookup } from '../../network/security/ssl-config.js';
import type { ListenerSecurity } from '../../network/socket-server.js';
import { sanitizeEntityName } from '../../zk/zk-paths.js';
import { BROKER_CONFIG, type BrokerConfig } from '../broker-config.js';
import type { BrokerListener } from '../broker-listeners.js';
import type { ClientEntityConfigs } from './client-entity-configs.js';

export interface BrokerSecurity {
  /** The socket server settings of each listener, by name. */
  readonly listeners: ReadonlyMap<string, ListenerSecurity>;
  /** How this broker connects to other brokers' inter-broker listener. */
  readonly interBrokerClient: ClientSecurity;
}

/** Resolves every listener's security and the inter-broker client's (see the header); throws InvalidArgumentError. */
export function resolveBrokerSecurity(
  config: BrokerConfig,
  listeners: readonly BrokerListener[],
  entityConfigs: ClientEntityConfigs,
  jaasFile: JaasFile | undefined,
): BrokerSecurity {
  const scramCredential = (mechanism: string, username: string): ScramCredential | undefined => {
    const text = entityConfigs.get(`users/${sanitizeEntityName(username)}`)?.[mechanism];
    if (text === undefined) return undefined;
    try {
      return parseCredential(text);
    } catch {
      return undefined;
    }
  };
  const resolved = new Map<string, ListenerSecurity>();
  let interBrokerClient: ClientSecurity | undefined;
  for (const l of listeners) {
    const get = lookup(config, l.name);
    const what = `listener ${l.name} (${l.securityProtocol})`;
    let sasl: ListenerSecurity['sasl'];
    if (usesSasl(l.securityProtocol)) {
      const mechanisms = enabledMechanisms(get, what);
      const plain = mechanisms.includes(PLAIN)
        ? plainUserTable(config, l.name, jaasFile, what)
        : new Map<string, string>();
      const credentials: SaslCredentials = {
        plainAuthenticate: (user, password) => {
          const expected = plain.get(user);
          return passwordsEqual(password, expected ?? '') && expected !== undefined;
        },
        scramCredential,
      };
      sasl = {
        enabledMechanisms: mechanisms,
        credentials,
        maxReauthMs: config.connectionsMaxReauthMs,
        maxReceiveBytes: config.saslServerMaxReceiveSize,
        failedAuthenticationDelayMs: config.connectionFailedAuthenticationDelayMs,
      };
    }
    resolved.set(l.name, {
      protocol: l.securityProtocol,
      ...(usesTls(l.securityProtocol)
        ? {
            tls: tlsServerOptions(get, what),
            principalMapper: SslPrincipalMapper.parse(get('ssl.principal.mapping.rules') ?? 'DEFAULT'),
          }
        : {}),
      ...(sasl === undefined ? {} : { sasl }),
    });
    if (l.interBroker) interBrokerClient = interBrokerSecurity(config, l, get, sasl?.enabledMechanisms ?? [], jaasFile);
  }
  return { listeners: resolved, interBrokerClient: interBrokerClient! };
}

/** A listener's view of the config: its `listener.name.<l>.` overrides, then the broker-wide keys. */
function lookup(config: BrokerConfig, listener: string): ConfigLookup {
  const overrides = config.listenerOverrides[listener] ?? {};
  const values = config as unknown as Record<string, unknown>;
  return (key) => {
    if (overrides[key] !== undefined) return overrides[key];
    const field = BROKER_CONFIG.fieldOf(key);
    return field === undefined ? undefined : (formatConfigValue(values[field]) ?? undefined);
  };
}

function enabledMechanisms(get: ConfigLookup, what: string): string[] {
  const mechanisms = (get('sasl.enabled.mechanisms') ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '');
  const unsupported = mechanisms.filter((m) => !SUPPORTED_SASL_MECHANISMS.includes(m));
  if (mechanisms.length === 0 || unsupported.length > 0) {
    throw new InvalidArgumentError(
      `${what}: sasl.enabled.mechanisms=${mechanisms.join(',')} ` +
        (unsupported.length > 0
          ? `names ${unsupported.join(', ')}, which this build does not have (${unsupported.includes('GSSAPI') ? "GSSAPI, Kafka's default, is Kerberos; " : ''}`
          : '(none) ') +
        `set it to some of ${SUPPORTED_SASL_MECHANISMS.join(', ')} (or listener.name.<listener>.sasl.enabled.mechanisms).`,
    );
  }
  return mechanisms;
}

/** The JAAS entry for a listener and mechanism (see the header for the order), or undefined. */
function jaasEntry(
  config: BrokerConfig,
  listener: string,
  mechanism: string,
  jaasFile: JaasFile | undefined,
): LoginModuleEntry | undefined {
  const key = `${mechanism.toLowerCase()}.sasl.jaas.config`;
  const inline = config.listenerOverrides[listener]?.[key];
  if (inline !== undefined) return parseJaasEntry(inline, `listener.name.${listener.toLowerCase()}.${key}`);
  const className = mechanism === PLAIN ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
  const section = jaasFile?.get(`${listener.toLowerCase()}.KafkaServer`) ?? jaasFile?.get('KafkaServer');
  return section?.find((m) => m.className === className);
}

function plainUserTable(
  config: BrokerConfig,
  listener: string,
  jaasFile: JaasFile | undefined,
  what: string,
): Map<string, string> {
  const entry = jaasEntry(config, listener, PLAIN, jaasFile);
  const users = entry === undefined ? new Map<string, string>() : plainUsers(entry);
  if (users.size === 0) {
    throw new InvalidArgumentError(
      `${what} enables PLAIN but has no users: set listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config=` +
        `${PLAIN_LOGIN_MODULE} required user_admin="..." user_alice="...";  (or a KafkaServer section in the JAAS file ` +
        'named by -Djava.security.auth.login.config in KAFKA_OPTS).',
    );
  }
  return users;
}

function interBrokerSecurity(
  config: BrokerConfig,
  l: BrokerListener,
  get: ConfigLookup,
  enabled: readonly string[],
  jaasFile: JaasFile | undefined,
): ClientSecurity {
  const what = `the inter-broker listener ${l.name} (${l.securityProtocol})`;
  const tls = usesTls(l.securityProtocol) ? tlsClientOptions(get, what) : undefined;
  if (!usesSasl(l.securityProtocol)) return { protocol: l.securityProtocol, ...(tls ? { tls } : {}) };
  const mechanism = config.saslMechanismInterBrokerProtocol;
  if (!enabled.includes(mechanism)) {
    throw new InvalidArgumentError(
      `sasl.mechanism.inter.broker.protocol=${mechanism} must be one of ${what}'s sasl.enabled.mechanisms ` +
        `(${enabled.join(', ')}).`,
    );
  }
  const entry = jaasEntry(config, l.name, mechanism, jaasFile);
  const credentials = entry === undefined ? undefined : loginCredentials(entry);
  if (credentials === undefined) {
    const className = mechanism === PLAIN ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
    throw new InvalidArgumentError(
      `${what} authenticates brokers with ${mechanism}, but no JAAS entry gives this broker a username and ` +
        `password: set listener.name.${l.name.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config=` +
        `${className} required username="broker" password="...";` +
        (scramMechanism(mechanism) ? ' (and create that SCRAM user in ZooKeeper before the brokers start).' : ''),
    );
  }
  return { protocol: l.securityProtocol, ...(tls ? { tls } : {}), sasl: { mechanism, ...credentials } };
}
