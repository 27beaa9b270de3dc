/**
 * Kafka's security protocols (`SecurityProtocol`): what a listener and a client connection speak under the wire
 * protocol. TLS encrypts and may authenticate the client by certificate; SASL authenticates the client by a
 * handshake before its first request. Named in `listener.security.protocol.map`, `security.protocol` and the
 * `listener_security_protocol_map` of `/brokers/ids/<id>`.
 */
export type SecurityProtocol = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

export const SECURITY_PROTOCOLS: readonly SecurityProtocol[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];

export function isSecurityProtocol(name: string): name is SecurityProtocol {
  return (SECURITY_PROTOCOLS as readonly string[]).includes(name);
}

/** Whether connections of this protocol are wrapped in TLS. */
export function usesTls(protocol: SecurityProtocol): boolean {
  return protocol === 'SSL' || protocol === 'SASL_SSL';
}

/** Whether connections of this protocol authenticate with SASL before their first request. */
export function usesSasl(protocol: SecurityProtocol): boolean {
  return protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
}
