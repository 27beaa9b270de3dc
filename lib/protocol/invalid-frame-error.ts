import { MqError } from '../common/errors.js';

/**
 * A frame that cannot be answered: its declared length is out of range, it is not one valid msgpack value, or its
 * header fields have the wrong types (so there is no correlation id to answer). The reader closes the connection,
 * as Kafka does on a decode error. Never crosses the wire.
 */
export class InvalidFrameError extends MqError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MQ_ERR_INVALID_FRAME', message, options);
  }
}
