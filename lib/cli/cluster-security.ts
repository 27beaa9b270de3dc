/**
 * The security of a local cluster started with `mq-cluster up --secure` (and of the integration specs' secured
 * clusters): TLS everywhere, SCRAM authentication, ACLs on, one super user.
 *
 * - Certificates: a CA and one broker certificate (subject CN=localhost, alternative names DNS:localhost and
 *   IP:127.0.0.1, so that clients verify the broker's name), made with Debian's `openssl` into `<dir>/tls/`:
 *   `ca.pem` (clients trust it), `broker.pem` (key and chain, the brokers' keystore). Kept across restarts.
 * - Listeners: SASL_SSL for mq clients and between brokers (inter.broker.listener.name), and the Kafka-protocol
 *   listener also SASL_SSL; mechanisms SCRAM-SHA-256 and SCRAM-SHA-512; brokers authenticate to each other as the
 *   super user with SCRAM-SHA-512.
 * - The super user (`admin`, with a random password kept in `<dir>/admin.properties` as client configs) gets its
 *   SCRAM credentials written to ZooKeeper before the brokers start, as Kafka's ZooKeeper mode requires.
 * - ACLs: AclAuthorizer on, super.users=User:admin, nothing else allowed until granted.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatCredential, generateCredential, SCRAM_MECHANISMS } from '../network/security/scram.js';
import { withZooKeeper } from './admin/connection.js';
import { ConfigType, sanitizeEntityName } from '../zk/zk-paths.js';
import { CommandError } from './cli-errors.js';

const execFileAsync = promisify(execFile);

export const SUPER_USER = 'admin';
export const SECURE_LISTENER = 'SASL_SSL';
export const INTER_BROKER_MECHANISM = 'SCRAM-SHA-512';
const SCRAM_LOGIN = 'org.apache.kafka.common.security.scram.ScramLoginModule';

export interface ClusterTls {
  readonly caFile: string;
  readonly brokerKeystore: string;
}

/** The CA and broker certificate in `<dir>/tls`, made with openssl unless they exist. */
export async function ensureCertificates(dir: string): Promise<ClusterTls> {
  const tls = join(dir, 'tls');
  const caFile = join(tls, 'ca.pem');
  const brokerKeystore = join(tls, 'broker.pem');
  if (existsSync(caFile) && existsSync(brokerKeystore)) return { caFile, brokerKeystore };
  mkdirSync(tls, { recursive: true });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const extFile = join(tls, 'broker.ext');
  writeFileSync(
    extFile,
    'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n',
  );
  try {
    await openssl([
      'req',
      '-x509',
      ...ec,
      '-keyout',
      join(tls, 'ca.key'),
      '-out',
      caFile,
      '-days',
      '3650',
      '-subj',
      '/CN=mq local CA',
    ]);
    await openssl([
      'req',
      ...ec,
      '-keyout',
      join(tls, 'broker.key'),
      '-out',
      join(tls, 'broker.csr'),
      '-subj',
      '/CN=localhost',
    ]);
    await openssl([
      'x509',
      '-req',
      '-in',
      join(tls, 'broker.csr'),
      '-CA',
      caFile,
      '-CAkey',
      join(tls, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(tls, 'broker.crt'),
      '-days',
      '3650',
      '-extfile',
      extFile,
    ]);
  } catch (e) {
    throw new CommandError(`Could not make the cluster's certificates with openssl: ${(e as Error).message}`, {
      cause: e,
    });
  }
  writeFileSync(
    brokerKeystore,
    readFileSync(join(tls, 'broker.key'), 'utf8') + readFileSync(join(tls, 'broker.crt'), 'utf8'),
    { mode: 0o600 },
  );
  return { caFile, brokerKeystore };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await execFileAsync('openssl', args);
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    throw new CommandError(
      err.code === 'ENOENT'
        ? 'openssl is not installed (apt-get install openssl, or run scripts/setup.sh).'
        : (err.stderr ?? err.message).trim(),
    );
  }
}

/** The super user's password: the one in `<dir>/admin.properties` when it exists (restarts keep it), else new. */
export function superUserPassword(dir: string): string {
  const file = join(dir, 'admin.properties');
  const existing = existsSync(file) ? /password="([^"]+)"/.exec(readFileSync(file, 'utf8'))?.[1] : undefined;
  return existing ?? randomBytes(18).toString('base64url');
}

/**
 * Writes SCRAM-SHA-256 and SCRAM-SHA-512 credentials for a user straight to ZooKeeper (before brokers run), as
 * `kafka-configs --zookeeper` does, under the ZooKeeper identity `env`'s KAFKA_OPTS names.
 */
export async function writeScramCredentials(
  zookeeperConnect: string,
  user: string,
  password: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  await withZooKeeper(
    zookeeperConnect,
    async (zk) => {
      const entity = sanitizeEntityName(user);
      const config = { ...(await zk.getEntityConfig(ConfigType.User, entity)) };
      for (const m of SCRAM_MECHANISMS) config[m.name] = formatCredential(generateCredential(m, password));
      await zk.changeEntityConfig(ConfigType.User, entity, config);
    },
    env,
  );
}

/** The broker properties of a secured cluster, for a broker listening on `port` (mq) and `kafkaPort` (or none). */
export function secureBrokerProperties(
  host: string,
  port: number,
  kafkaPort: number,
  kafkaListener: string,
  tls: ClusterTls,
  superUserPassword: string,
): Record<string, string> {
  const listeners = [`${SECURE_LISTENER}://${host}:${port}`];
  const protocols = [`${SECURE_LISTENER}:SASL_SSL`];
  if (kafkaPort >= 0) {
    listeners.push(`${kafkaListener}://${host}:${kafkaPort}`);
    protocols.push(`${kafkaListener}:SASL_SSL`);
  }
  return {
    listeners: listeners.join(','),
    'listener.security.protocol.map': protocols.join(','),
    ...(kafkaPort >= 0 ? { 'listener.wire.protocol.map': `${kafkaListener}:KAFKA` } : {}),
    'inter.broker.listener.name': SECURE_LISTENER,
    'sasl.enabled.mechanisms': 'SCRAM-SHA-256,SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol': INTER_BROKER_MECHANISM,
    [`listener.name.${SECURE_LISTENER.toLowerCase()}.${INTER_BROKER_MECHANISM.toLowerCase()}.sasl.jaas.config`]: `${SCRAM_LOGIN} required username="${SUPER_USER}" password="${superUserPassword}";`,
    'ssl.keystore.location': tls.brokerKeystore,
    'ssl.truststore.location': tls.caFile,
    'authorizer.class.name': 'kafka.security.authorizer.AclAuthorizer',
    'super.users': `User:${SUPER_USER}`,
  };
}

/** Client configs (Kafka's names) for a user of a secured cluster. */
export function secureClientProperties(tls: ClusterTls, user: string, password: string): Record<string, string> {
  return {
    'security.protocol': 'SASL_SSL',
    'sasl.mechanism': 'SCRAM-SHA-512',
    'sasl.jaas.config': `${SCRAM_LOGIN} required username="${user}" password="${password}";`,
    'ssl.truststore.location': tls.caFile,
  };
}

/** Writes `<dir>/admin.properties`: the super user's client configs, for `--command-config` (mode 0600). */
export function writeAdminProperties(dir: string, tls: ClusterTls, password: string): string {
  const file = join(dir, 'admin.properties');
  writeFileSync(
    file,
    '# Client configs of the super user of this mq cluster (mq-admin --command-config, Producer, Consumer, Admin).\n' +
      Object.entries(secureClientProperties(tls, SUPER_USER, password))
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') +
      '\n',
    { mode: 0o600 },
  );
  return file;
}
