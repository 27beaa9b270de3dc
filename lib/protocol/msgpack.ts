/**
 * The msgpack dialect of the wire, in one place: plain, interoperable msgpack that any msgpack library reads
 * and writes. Frames are written by `FrameEncoder` and read here with msgpackr (native string extraction).
 *
 * Options, and why:
 * - `useRecords: false`: no msgpackr record extension; maps are plain msgpack maps.
 * - `mapsAsObjects: true`: maps decode to plain objects (a `__proto__` key is renamed, never assigned).
 * - `int64AsType: 'number'`: int64/uint64 decode to JS numbers. Offsets, timestamps and producer ids are
 *   int64 in Kafka; as numbers they are exact up to 2^53 - 1, and the schemas reject unsafe integers.
 * - `bin` decodes to a Buffer that is a zero-copy subarray of the frame (record batches are never copied).
 */
import { Unpackr, type Options } from 'msgpackr';
import { InvalidFrameError } from './invalid-frame-error.js';

export const MSGPACK_OPTIONS: Options = Object.freeze({
  useRecords: false,
  mapsAsObjects: true,
  int64AsType: 'number',
});

const unpackr = new Unpackr(MSGPACK_OPTIONS);

/** Decodes a frame body (exactly one msgpack value); throws InvalidFrameError when it is not one. */
export function decodeFrameValue(frame: Buffer): unknown {
  try {
    return unpackr.unpack(frame);
  } catch (e) {
    throw new InvalidFrameError(
      `A frame of ${frame.length} bytes is not one valid msgpack value: ` + `${(e as Error).message}.`,
      { cause: e },
    );
  }
}
