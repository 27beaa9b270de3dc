/**
 * The broker's listeners, resolved from Kafka's keys: `listeners` (NAME://host:port to bind), `advertised.listeners`
 * (what goes into /brokers/ids/<id> for a name, when it differs), `listener.security.protocol.map`
 * (NAME:SECURITY_PROTOCOL: PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL), `inter.broker.listener.name` /
 * `security.inter.broker.protocol` (which listener brokers talk to each other on), and mq's own
 * `listener.wire.protocol.map` (NAME:MQ or NAME:KAFKA, the protocol spoken on the socket; MQ when not named).
 *
 * Rules, Kafka's where Kafka has them: names are unique and every listener's name has a security protocol; an
 * advertised name is one of the listeners; ports are distinct (0 excepted: it binds a free port). Brokers talk to
 * each other (replica fetching, ControlledShutdown) over the inter-broker listener: `inter.broker.listener.name`
 * when set, else the listener named like `security.inter.broker.protocol` (PLAINTEXT by default), as in Kafka; it
 * must exist and speak MQ, since brokers speak MQ.
 *
 * Pure: parses strings, throws InvalidArgumentError naming the key and the fix.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { isSecurityProtocol, SECURITY_PROTOCOLS, type SecurityProtocol } from '../common/security-protocol.js';
import { WIRE_PROTOCOLS, type WireProtocol } from '../protocol/server-codec.js';

export interface ListenerUri {
  name: string;
  host: string;
  port: number;
}

export interface BrokerListener {
  readonly name: string;
  /** Interface to bind ('' for all) and port (0 picks a free one). */
  readonly host: string;
  readonly port: number;
  /** Host and port registered in ZooKeeper for clients; port 0 stands for the bound port. */
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly securityProtocol: SecurityProtocol;
  readonly wireProtocol: WireProtocol;
  /** Whether brokers talk to each other over this listener (exactly one has it). */
  readonly interBroker: boolean;
}

export interface ListenerKeys {
  listeners: readonly string[];
  advertisedListeners: readonly string[];
  listenerSecurityProtocolMap: readonly string[];
  listenerWireProtocolMap: readonly string[];
  /** '' when not set. */
  interBrokerListenerName: string;
  securityInterBrokerProtocol: string;
}

/** Parses `NAME://host:port` (an IPv6 host in brackets; an empty host binds every interface). */
export function parseListener(uri: string): ListenerUri {
  const m = /^([A-Z][A-Z0-9_]*):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(uri);
  if (!m) {
    throw new InvalidArgumentError(
      `Invalid listener '${uri}': expected NAME://host:port with an upper-case name, e.g. PLAINTEXT://127.0.0.1:9092.`,
    );
  }
  return { name: m[1]!, host: m[2]!, port: Number(m[3]) };
}

/** Resolves and cross-checks the listener keys (see the header for the rules). */
export function resolveListeners(keys: ListenerKeys): BrokerListener[] {
  const security = parseMap('listener.security.protocol.map', keys.listenerSecurityProtocolMap);
  const wire = parseMap('listener.wire.protocol.map', keys.listenerWireProtocolMap);
  const bound = keys.listeners.map(parseListener);
  const advertised = new Map(keys.advertisedListeners.map(parseListener).map((l) => [l.name, l]));
  const names = new Set<string>();
  const ports = new Set<number>();
  for (const l of bound) {
    if (names.has(l.name)) throw new InvalidArgumentError(`listeners names ${l.name} twice; each name must be unique.`);
    if (l.port !== 0 && ports.has(l.port)) {
      throw new InvalidArgumentError(`listeners binds port ${l.port} twice; give each listener its own port.`);
    }
    names.add(l.name);
    ports.add(l.port);
  }
  for (const [key, map] of [
    ['advertised.listeners', advertised],
    ['listener.wire.protocol.map', wire],
  ] as const) {
    for (const name of map.keys()) {
      if (!names.has(name)) {
        throw new InvalidArgumentError(
          `${key} names listener ${name}, which is not in listeners (${[...names].join(', ')}).`,
        );
      }
    }
  }
  const interBrokerName =
    keys.interBrokerListenerName !== '' ? keys.interBrokerListenerName : keys.securityInterBrokerProtocol;
  const resolved = bound.map((l): BrokerListener => {
    const protocol = security.get(l.name);
    if (protocol === undefined) {
      throw new InvalidArgumentError(
        `No security protocol defined for listener ${l.name}: add ${l.name}:PLAINTEXT to listener.security.protocol.map.`,
      );
    }
    if (!isSecurityProtocol(protocol)) {
      throw new InvalidArgumentError(
        `listener.security.protocol.map maps listener ${l.name} to ${protocol}, which is not one of ` +
          `${SECURITY_PROTOCOLS.join(', ')}.`,
      );
    }
    const wireProtocol = wire.get(l.name) ?? 'MQ';
    if (!(WIRE_PROTOCOLS as readonly string[]).includes(wireProtocol)) {
      throw new InvalidArgumentError(
        `listener.wire.protocol.map gives listener ${l.name} the protocol ${wireProtocol}; expected one of ` +
          `${WIRE_PROTOCOLS.join(', ')}.`,
      );
    }
    const ad = advertised.get(l.name) ?? l;
    return {
      name: l.name,
      host: l.host,
      port: l.port,
      advertisedHost: ad.host === '' || ad.host === '0.0.0.0' ? '127.0.0.1' : ad.host,
      advertisedPort: ad.port,
      securityProtocol: protocol,
      wireProtocol: wireProtocol as WireProtocol,
      interBroker: l.name === interBrokerName,
    };
  });
  const interBroker = resolved.find((l) => l.interBroker);
  const chosenBy =
    keys.interBrokerListenerName !== ''
      ? `inter.broker.listener.name=${interBrokerName}`
      : `security.inter.broker.protocol=${interBrokerName} (set inter.broker.listener.name to choose another)`;
  if (interBroker === undefined) {
    throw new InvalidArgumentError(
      `Brokers talk to each other over the listener named by ${chosenBy}, but listeners has none of that name ` +
        `(${resolved.map((l) => l.name).join(', ')}).`,
    );
  }
  if (interBroker.wireProtocol !== 'MQ') {
    throw new InvalidArgumentError(
      `The inter-broker listener ${interBroker.name} (${chosenBy}) must speak MQ: brokers talk to each other in ` +
        'the msgpack protocol. Give the Kafka protocol a listener of its own, e.g. KAFKA://:9192.',
    );
  }
  return resolved;
}

/** `NAME:VALUE` pairs into a map; throws naming `key` on a malformed pair or a name given twice. */
function parseMap(key: string, entries: readonly string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const m = /^([A-Z][A-Z0-9_]*):([A-Z_]+)$/.exec(entry.trim());
    if (!m || map.has(m[1]!)) {
      throw new InvalidArgumentError(
        `${key}: '${entry}' is ${m ? 'a second entry for that listener' : 'not NAME:PROTOCOL'}; ` +
          `expected one NAME:PROTOCOL pair per listener, comma-separated.`,
      );
    }
    map.set(m[1]!, m[2]!);
  }
  return map;
}
