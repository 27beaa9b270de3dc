/**
 * Errors of the ZooKeeper layer.
 *
 * - `ZkError`: a ZooKeeper result code (`NO_NODE`, `NODE_EXISTS`, `BAD_VERSION`, `SESSION_EXPIRED`, ...) with the
 *   path it concerns and, for a failed multi, the index of the op that failed. Match on `zkCode`.
 * - `ControllerMovedError`: a fenced controller write found `/controller_epoch` at another version, so another
 *   broker has become controller since; the caller must stop acting as controller (Kafka's
 *   `ControllerMovedException`, wire code NOT_CONTROLLER).
 * - `MalformedZNodeError`: a znode's content does not decode (a person may have edited it with zkCli.sh).
 */
import { ApiError, MqError } from '../common/errors.js';

/** ZooKeeper's result codes (`KeeperException.Code`), by the names node-zookeeper-client uses. */
export const ZK_CODES = {
  OK: 0,
  SYSTEM_ERROR: -1,
  RUNTIME_INCONSISTENCY: -2,
  DATA_INCONSISTENCY: -3,
  CONNECTION_LOSS: -4,
  MARSHALLING_ERROR: -5,
  UNIMPLEMENTED: -6,
  OPERATION_TIMEOUT: -7,
  BAD_ARGUMENTS: -8,
  API_ERROR: -100,
  NO_NODE: -101,
  NO_AUTH: -102,
  BAD_VERSION: -103,
  NO_CHILDREN_FOR_EPHEMERALS: -108,
  NODE_EXISTS: -110,
  NOT_EMPTY: -111,
  SESSION_EXPIRED: -112,
  INVALID_CALLBACK: -113,
  INVALID_ACL: -114,
  AUTH_FAILED: -115,
} as const;

export type ZkCode = keyof typeof ZK_CODES;

const NAME_BY_NUMBER = new Map<number, ZkCode>(
  (Object.entries(ZK_CODES) as [ZkCode, number][]).map(([name, code]) => [code, name]),
);

/** The code name for a numeric ZooKeeper result code; unknown numbers map to SYSTEM_ERROR. */
export function zkCodeName(code: number): ZkCode {
  return NAME_BY_NUMBER.get(code) ?? 'SYSTEM_ERROR';
}

export class ZkError extends MqError {
  readonly zkCode: ZkCode;
  readonly path: string | undefined;
  /** For a failed multi: the index of the op that failed (in the caller's op list). */
  readonly failedOpIndex: number | undefined;

  constructor(zkCode: ZkCode, message: string, opts: { path?: string; failedOpIndex?: number; cause?: unknown } = {}) {
    super(`MQ_ERR_ZK_${zkCode}`, message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.zkCode = zkCode;
    this.path = opts.path;
    this.failedOpIndex = opts.failedOpIndex;
  }
}

/** True when `e` is a `ZkError` with one of the given codes. */
export function isZkError(e: unknown, ...codes: ZkCode[]): e is ZkError {
  return e instanceof ZkError && (codes.length === 0 || codes.includes(e.zkCode));
}

export class ControllerMovedError extends ApiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_CONTROLLER', message, options);
  }
}

export class MalformedZNodeError extends MqError {
  readonly path: string;
  constructor(path: string, problem: string, content: Buffer | string) {
    const text = typeof content === 'string' ? content : content.toString('utf8');
    const shown = text.length > 500 ? `${text.slice(0, 500)}...` : text;
    super(
      'MQ_ERR_MALFORMED_ZNODE',
      `Malformed znode ${path}: ${problem}. Found: ${JSON.stringify(shown)}. ` +
        `Fix or delete the znode with zkCli.sh (set ${path} '<json>' / delete ${path}).`,
    );
    this.path = path;
  }
}
