/**
 * Derives the decoder and encoder of one message version from its field table (`kafka-schema.ts`): the fields
 * present in that version, in order, each in the encoding the version implies. In a flexible version strings,
 * bytes and arrays are compact and every struct (the message and each array element) ends with a tagged-field
 * section; otherwise they use the classic int16/int32 lengths and there are no tagged fields.
 *
 * Decoding yields a plain object with every field of the table: read from the wire when the version has it, its
 * default otherwise, so that handlers see one shape whatever the version. Tagged fields are skipped (none is read).
 * Encoding writes the version's fields from an object, taking the default for a field the object leaves out, and
 * an empty tagged-field section. A null in a field that is not nullable in that version is refused, as are
 * malformed inputs (see `KafkaReader`).
 *
 * Invariants: compiled once per (message, version) when a table is defined; the codecs are pure functions of
 * their input and hold no state, so they are shared by every connection.
 */
import { InvalidArgumentError } from '../../common/errors.js';
import type { KafkaReader } from './kafka-reader.js';
import type { KafkaWriter } from './kafka-writer.js';
import { inVersions, type Field, type FieldType, type ScalarType } from './kafka-schema.js';

export interface MessageCodec {
  read(r: KafkaReader): Record<string, unknown>;
  write(w: KafkaWriter, value: object): void;
}

interface ValueCodec {
  read(r: KafkaReader): unknown;
  write(w: KafkaWriter, value: unknown): void;
}

/** The codec of `fields` at `version`; `flexible` when the message is flexible in that version. */
export function compileMessage(fields: readonly Field[], version: number, flexible: boolean): MessageCodec {
  return compileStruct(fields, version, flexible, '');
}

function compileStruct(fields: readonly Field[], version: number, flexible: boolean, path: string): MessageCodec {
  const reads: ((r: KafkaReader, out: Record<string, unknown>) => void)[] = [];
  const writes: ((w: KafkaWriter, value: Record<string, unknown>) => void)[] = [];
  for (const f of fields) {
    const name = f.name;
    const d = f.default;
    if (!inVersions(version, f.versions)) {
      reads.push(Array.isArray(d) ? (_r, out) => (out[name] = [...(d as unknown[])]) : (_r, out) => (out[name] = d));
      continue;
    }
    const fieldPath = path === '' ? name : `${path}.${name}`;
    const nullable = inVersions(version, f.nullableVersions);
    const codec = valueCodec(f.type, version, flexible, nullable, fieldPath);
    reads.push((r, out) => {
      r.field = fieldPath;
      out[name] = codec.read(r);
    });
    writes.push((w, value) => {
      const v = value[name];
      if (v === null && !nullable) {
        throw new InvalidArgumentError(`${fieldPath} is null, but it is not nullable in version ${version}.`);
      }
      codec.write(w, v === undefined ? d : v);
    });
  }
  return {
    read(r) {
      const out: Record<string, unknown> = {};
      for (const read of reads) read(r, out);
      if (flexible) r.skipTaggedFields();
      return out;
    },
    write(w, value) {
      for (const write of writes) write(w, value as Record<string, unknown>);
      if (flexible) w.uvarint(0);
    },
  };
}

function valueCodec(type: FieldType, version: number, flexible: boolean, nullable: boolean, path: string): ValueCodec {
  if (typeof type === 'string') return scalarCodec(type, flexible, nullable);
  const element: ValueCodec = Array.isArray(type)
    ? compileStruct(type as readonly Field[], version, flexible, path)
    : scalarCodec((type as { element: ScalarType }).element, flexible, false);
  return {
    read(r) {
      const count = r.arrayLength(flexible, nullable);
      if (count < 0) return null;
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) out[i] = element.read(r);
      return out;
    },
    write(w, value) {
      const items = value as unknown[] | null;
      w.arrayLength(items === null ? null : items.length, flexible);
      if (items !== null) for (const item of items) element.write(w, item);
    },
  };
}

function scalarCodec(type: ScalarType, compact: boolean, nullable: boolean): ValueCodec {
  switch (type) {
    case 'int8':
      return { read: (r) => r.int8(), write: (w, v) => w.int8(v as number) };
    case 'int16':
      return { read: (r) => r.int16(), write: (w, v) => w.int16(v as number) };
    case 'int32':
      return { read: (r) => r.int32(), write: (w, v) => w.int32(v as number) };
    case 'int64':
      return { read: (r) => r.int64(), write: (w, v) => w.int64(v as number) };
    case 'float64':
      return { read: (r) => r.float64(), write: (w, v) => w.float64(v as number) };
    case 'bool':
      return { read: (r) => r.bool(), write: (w, v) => w.bool(v as boolean) };
    case 'uuid':
      return { read: (r) => r.uuid(), write: (w, v) => w.uuid(v as string) };
    case 'string':
      return { read: (r) => r.string(compact, nullable), write: (w, v) => w.string(v as string | null, compact) };
    case 'bytes':
    case 'records':
      return { read: (r) => r.bytes(compact, nullable), write: (w, v) => w.bytes(v as Buffer | null, compact) };
  }
}
