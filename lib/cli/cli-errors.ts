/**
 * The two ways a command-line tool fails on purpose, in the package's error model (MqError, stable codes):
 * - `UsageError`: the command was called wrongly (a flag, a file, an argument); the message says what to change.
 * - `CommandError`: the cluster or the machine is not in a state where the command can do what was asked (a topic
 *   that does not exist, a group still active, ZooKeeper unreachable); the message says why and what to do.
 * `runProgram` (args.ts) prints either on stderr after the tool's name and exits with code 1.
 */
import { MqError } from '../common/errors.js';

export class UsageError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_USAGE', message, options);
  }
}

export class CommandError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_COMMAND', message, options);
  }
}
