/**
 * Kafka-protocol frames for specs, written from the same API tables the broker decodes with (lib/protocol/kafka):
 * a request frame as a Kafka client writes it (size, header v1 or v2, body), and a decoder of response frames.
 */
import type { KafkaApi } from '../../lib/protocol/kafka/kafka-api.js';
import { KafkaReader } from '../../lib/protocol/kafka/kafka-reader.js';
import { KafkaWriter } from '../../lib/protocol/kafka/kafka-writer.js';
import { KAFKA_APIS } from '../../lib/protocol/kafka/messages/index.js';

export function kafkaApi(apiKey: number): KafkaApi {
  const api = KAFKA_APIS.find((a) => a.apiKey === apiKey);
  if (!api) throw new Error(`No Kafka table for api key ${apiKey}.`);
  return api;
}

/** A whole request frame, size included; fields the body leaves out take their defaults. */
export function kafkaRequestFrame(
  apiKey: number,
  version: number,
  body: object,
  correlationId = 1,
  clientId: string | null = 'spec',
): Buffer {
  const api = kafkaApi(apiKey);
  const w = new KafkaWriter();
  w.begin();
  w.int16(apiKey);
  w.int16(version);
  w.int32(correlationId);
  w.string(clientId, false);
  if (api.requestHeaderVersion(version) === 2) w.uvarint(0);
  api.request(version).write(w, body);
  return Buffer.concat(w.finish());
}

/** Decodes a response frame (size excluded) of `apiKey` at `version`: its correlation id and body. */
export function decodeKafkaResponse(apiKey: number, version: number, frame: Buffer) {
  const api = kafkaApi(apiKey);
  const r = new KafkaReader(frame);
  const correlationId = r.int32();
  if (api.responseHeaderVersion(version) === 1) r.skipTaggedFields();
  return { correlationId, body: api.response(version).read(r) };
}
