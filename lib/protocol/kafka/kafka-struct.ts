/**
 * Kafka's binary structs outside a request frame, written and read with the wire protocol's own primitives
 * (KafkaWriter, KafkaReader) in their classic encodings — int16-length strings, int32-length bytes, int32-count
 * arrays: the ConsumerProtocol bytes inside JoinGroup and SyncGroup and the assignors' user data
 * (consumer-protocol.ts), the keys and values of the internal topics (__consumer_offsets, __transaction_state).
 *
 * `encodeStruct` writes into one shared KafkaWriter (synchronous; chunks it hands out stay valid, see
 * ChunkedFrameWriter) and returns a copy of the struct's bytes alone, without the frame size. `decodeStruct` turns
 * a truncated or malformed struct into the caller's error, naming the field and position KafkaReader reports.
 */
import { InvalidFrameError } from '../invalid-frame-error.js';
import { KafkaReader } from './kafka-reader.js';
import { KafkaWriter } from './kafka-writer.js';

const FRAME_SIZE_BYTES = 4;
const writer = new KafkaWriter();

/** The bytes `write` produces, as one new Buffer. */
export function encodeStruct(write: (w: KafkaWriter) => void): Buffer {
  writer.begin();
  try {
    write(writer);
  } catch (e) {
    writer.abort();
    throw e;
  }
  return Buffer.concat(writer.finish()).subarray(FRAME_SIZE_BYTES);
}

/** What `read` reads from `buf`; a KafkaReader failure becomes `invalid(problem)`. Other errors pass through. */
export function decodeStruct<T>(buf: Buffer, read: (r: KafkaReader) => T, invalid: (problem: string) => Error): T {
  try {
    return read(new KafkaReader(buf));
  } catch (e) {
    if (e instanceof InvalidFrameError) throw invalid(e.message);
    throw e;
  }
}
