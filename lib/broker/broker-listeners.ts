/**
 * The broker's listeners, resolved from four keys: `listeners` (NAME://host:port to bind), `advertised.listeners`
 * (what goes into /brokers/ids/<id> for a name, when it differs), `listener.security.protocol.map` (Kafka's
 * NAME:SECURITY_PROTOCOL) and `listener.wire.protocol.map` (mq only: NAME:MQ or NAME:KAFKA, the protocol spoken
 * on the socket; MQ when a listener is not named).
 *
 * Rules, Kafka's where Kafka has them: names are unique and every listener's name has a security protocol; an
 * advertised name is one of the listeners; ports are distinct (0 excepted: it binds a free port). Only PLAINTEXT
 * exists in this build, so any other security protocol is refused with the reason. Brokers talk to each other
 * (replica fetching, ControlledShutdown) over the listener named PLAINTEXT, Kafka's inter-broker listener under
 * its default `security.inter.broker.protocol=PLAINTEXT`; it must exist and speak MQ, since brokers speak MQ.
 *
 * Pure: parses strings, throws InvalidArgumentError naming the key and the fix.
 */
import { InvalidArgumentError } from '../common/errors.js';
import { WIRE_PROTOCOLS, type WireProtocol } from '../protocol/server-codec.js';

/** Kafka's inter-broker listener name with security.inter.broker.protocol=PLAINTEXT (its default). */
export const INTER_BROKER_LISTENER_NAME = 'PLAINTEXT';

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
  readonly securityProtocol: 'PLAINTEXT';
  readonly wireProtocol: WireProtocol;
}

export interface ListenerKeys {
  listeners: readonly string[];
  advertisedListeners: readonly string[];
  listenerSecurityProtocolMap: readonly string[];
  listenerWireProtocolMap: readonly string[];
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
  const resolved = bound.map((l): BrokerListener => {
    const protocol = security.get(l.name);
    if (protocol === undefined) {
      throw new InvalidArgumentError(
        `No security protocol defined for listener ${l.name}: add ${l.name}:PLAINTEXT to listener.security.protocol.map.`,
      );
    }
    if (protocol !== 'PLAINTEXT') {
      throw new InvalidArgumentError(
        `Listener ${l.name} maps to security protocol ${protocol}; this build serves PLAINTEXT listeners only ` +
          '(no TLS or SASL yet). Map it to PLAINTEXT or remove it.',
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
    };
  });
  const interBroker = resolved.find((l) => l.name === INTER_BROKER_LISTENER_NAME);
  if (interBroker === undefined || interBroker.wireProtocol !== 'MQ') {
    throw new InvalidArgumentError(
      `Brokers replicate over the listener named ${INTER_BROKER_LISTENER_NAME} (Kafka's inter-broker listener), ` +
        `which must be in listeners and speak MQ; found ${interBroker === undefined ? 'no such listener' : 'it mapped to KAFKA'}. ` +
        `Keep a ${INTER_BROKER_LISTENER_NAME}:// listener and give the Kafka protocol another name, e.g. KAFKA://:9192.`,
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
