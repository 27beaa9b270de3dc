/**
 * DescribeUserScramCredentials and AlterUserScramCredentials (KIP-554), Kafka's ZooKeeper-mode behaviour: a user's
 * credentials are keys `SCRAM-SHA-256` / `SCRAM-SHA-512` of /config/users/<user> (Kafka's credential string, never
 * the password), written with a /config/changes notification so that every broker's credential cache follows at
 * once. The client sends a salt and the salted password; the broker derives the stored and server keys.
 *
 * Validation, as Kafka's: a known mechanism (UNSUPPORTED_SASL_MECHANISM), a user name, a salt, iterations between
 * 4096 and 16384 (UNACCEPTABLE_CREDENTIAL), one change per (user, mechanism) in a request (DUPLICATE_RESOURCE),
 * deleting only what exists (RESOURCE_NOT_FOUND). Results are per user: one failing change fails that user's
 * request and nothing of it is written.
 */
import { ErrorCode } from '../../common/error-codes.js';
import { ApiError } from '../../common/errors.js';
import {
  credentialFromSaltedPassword,
  formatCredential,
  parseCredential,
  SCRAM_MECHANISMS,
  scramMechanismByCode,
} from '../../network/security/scram.js';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../protocol/messages/index.js';
import { ConfigType, desanitizeEntityName, sanitizeEntityName } from '../../zk/zk-paths.js';
import type { BrokerServices } from './broker-services.js';

type Result = DescribeUserScramCredentialsResponse['results'][number];

function credentialInfos(config: Readonly<Record<string, string>>): Result['credentialInfos'] {
  const infos: Result['credentialInfos'] = [];
  for (const m of SCRAM_MECHANISMS) {
    const text = config[m.name];
    if (text === undefined) continue;
    try {
      infos.push({ mechanism: m.code, iterations: parseCredential(text).iterations });
    } catch {
      infos.push({ mechanism: m.code, iterations: -1 });
    }
  }
  return infos;
}

export async function handleDescribeUserScramCredentials(
  s: BrokerServices,
  req: DescribeUserScramCredentialsRequest,
): Promise<DescribeUserScramCredentialsResponse> {
  const results: Result[] = [];
  if (req.users === null || req.users.length === 0) {
    for (const path of await s.zk.getClientEntityPaths()) {
      const m = /^users\/([^/]+)$/.exec(path);
      if (!m) continue;
      const infos = credentialInfos(await s.zk.getEntityConfig(ConfigType.User, m[1]!));
      if (infos.length > 0) {
        results.push({
          user: desanitizeEntityName(m[1]!),
          errorCode: ErrorCode.NONE,
          errorMessage: null,
          credentialInfos: infos,
        });
      }
    }
  } else {
    const counts = new Map<string, number>();
    for (const { name } of req.users) counts.set(name, (counts.get(name) ?? 0) + 1);
    for (const [user, count] of counts) {
      if (count > 1) {
        results.push({
          user,
          errorCode: ErrorCode.DUPLICATE_RESOURCE,
          errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request',
          credentialInfos: [],
        });
        continue;
      }
      const infos = credentialInfos(await s.zk.getEntityConfig(ConfigType.User, sanitizeEntityName(user)));
      results.push(
        infos.length > 0
          ? { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos: infos }
          : {
              user,
              errorCode: ErrorCode.RESOURCE_NOT_FOUND,
              errorMessage: 'Attempt to describe a user credential that does not exist',
              credentialInfos: [],
            },
      );
    }
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, results };
}

type Change = { mechanism: number; upsert?: { iterations: number; salt: Buffer; saltedPassword: Buffer } };

export async function handleAlterUserScramCredentials(
  s: BrokerServices,
  req: AlterUserScramCredentialsRequest,
): Promise<AlterUserScramCredentialsResponse> {
  const byUser = new Map<string, Change[]>();
  const add = (user: string, change: Change) => byUser.set(user, [...(byUser.get(user) ?? []), change]);
  for (const d of req.deletions) add(d.name, { mechanism: d.mechanism });
  for (const u of req.upsertions) add(u.name, { mechanism: u.mechanism, upsert: u });
  const results = await Promise.all(
    [...byUser].map(async ([user, changes]) => {
      try {
        await alterUser(s, user, changes);
        return { user, errorCode: ErrorCode.NONE, errorMessage: null };
      } catch (e) {
        if (!(e instanceof ApiError)) throw e;
        return { user, errorCode: e.errorCode, errorMessage: e.message };
      }
    }),
  );
  return { throttleTimeMs: 0, results };
}

async function alterUser(s: BrokerServices, user: string, changes: Change[]): Promise<void> {
  if (user === '') throw new ApiError('UNACCEPTABLE_CREDENTIAL', 'Username must not be empty');
  const seen = new Set<number>();
  for (const c of changes) {
    const m = scramMechanismByCode(c.mechanism);
    if (m === undefined) throw new ApiError('UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${c.mechanism}`);
    if (seen.has(c.mechanism)) {
      throw new ApiError(
        'DUPLICATE_RESOURCE',
        `A user credential cannot be altered twice in the same request (${m.name} for ${user})`,
      );
    }
    seen.add(c.mechanism);
    if (c.upsert === undefined) continue;
    if (c.upsert.iterations < m.minIterations)
      throw new ApiError('UNACCEPTABLE_CREDENTIAL', `Too few iterations: ${m.name} needs at least ${m.minIterations}`);
    if (c.upsert.iterations > m.maxIterations)
      throw new ApiError('UNACCEPTABLE_CREDENTIAL', `Too many iterations: ${m.name} allows at most ${m.maxIterations}`);
    if (c.upsert.salt.length === 0) throw new ApiError('UNACCEPTABLE_CREDENTIAL', 'Salt must not be empty');
    if (c.upsert.saltedPassword.length !== m.keyLength) {
      throw new ApiError(
        'UNACCEPTABLE_CREDENTIAL',
        `The salted password for ${m.name} must be ${m.keyLength} bytes; found ${c.upsert.saltedPassword.length}`,
      );
    }
  }
  const entity = sanitizeEntityName(user);
  const config = { ...(await s.zk.getEntityConfig(ConfigType.User, entity)) };
  for (const c of changes) {
    const m = scramMechanismByCode(c.mechanism)!;
    if (c.upsert === undefined) {
      if (config[m.name] === undefined)
        throw new ApiError('RESOURCE_NOT_FOUND', 'Attempt to delete a user credential that does not exist');
      delete config[m.name];
    } else {
      const { iterations, salt, saltedPassword } = c.upsert;
      config[m.name] = formatCredential(
        credentialFromSaltedPassword(m, Buffer.from(saltedPassword), Buffer.from(salt), iterations),
      );
    }
  }
  await s.zk.changeEntityConfig(ConfigType.User, entity, config);
}
