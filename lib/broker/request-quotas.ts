/**
 * Client quotas applied to one answered request (Kafka's KafkaApis `sendResponseMaybeThrottle` and the produce and
 * fetch callbacks): the bytes of a Produce request count against the producer's byte rate, the record bytes of a
 * consumer's Fetch response against its fetch byte rate, and every request's handler time against its request
 * percentage. The larger throttle time is set on the request context (the connection mutes itself for that long
 * once the response is written) and in the response's `throttleTimeMs`.
 *
 * A throttled consumer fetch is answered empty and its bytes are taken back out of the rate (Kafka's KIP-219
 * behaviour: the client asks again after the throttle time). Exempt from the request quota: ApiVersions, the SASL
 * exchange, ControlledShutdown and replica traffic (follower fetches), as Kafka exempts them.
 *
 * Request time is the event-loop time of the handler's synchronous part (Node has no per-request thread time);
 * recorded as a percentage of a second, so that request_percentage=50 allows half the event loop.
 */
import { ApiKey } from '../protocol/api-keys.js';
import type { FetchRequest, FetchResponse } from '../protocol/messages/index.js';
import type { RequestContext } from '../network/request-context.js';
import type { BrokerServices } from './handlers/broker-services.js';

const REQUEST_QUOTA_EXEMPT: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
  ApiKey.ControlledShutdown,
]);

/** Applies the quotas to an answered request; returns the response, emptied when a fetch is throttled. */
export function applyQuotas(
  s: BrokerServices,
  ctx: RequestContext,
  body: unknown,
  response: object | null,
  handlerMs: number,
): object | null {
  const quotas = s.quotas;
  const user = ctx.principal.name;
  const clientId = ctx.clientId ?? '';
  const apiKey = ctx.apiKey;
  const replica = isReplicaRequest(body);
  let throttleMs = 0;
  let answer = response;
  if (apiKey === ApiKey.Produce && quotas.enabled('produce')) {
    throttleMs = quotas.recordAndGetThrottleTimeMs('produce', user, clientId, ctx.requestBytes);
  } else if (apiKey === ApiKey.Fetch && !replica && quotas.enabled('fetch') && response !== null) {
    const fetch = response as FetchResponse;
    const bytes = recordBytes(fetch);
    throttleMs = quotas.recordAndGetThrottleTimeMs('fetch', user, clientId, bytes);
    if (throttleMs > 0) {
      quotas.unrecord('fetch', user, clientId, bytes);
      answer = { ...fetch, responses: [] } satisfies FetchResponse;
    }
  }
  if (quotas.enabled('request') && !replica && !REQUEST_QUOTA_EXEMPT.has(apiKey)) {
    throttleMs = Math.max(throttleMs, quotas.recordAndGetThrottleTimeMs('request', user, clientId, handlerMs / 10));
  }
  if (throttleMs > 0) {
    ctx.throttleTimeMs = throttleMs;
    if (answer !== null && 'throttleTimeMs' in answer) answer = { ...answer, throttleTimeMs: throttleMs };
  }
  return answer;
}

/** Whether the request comes from a replica (Fetch, ListOffsets, OffsetForLeaderEpoch): not subject to quotas. */
function isReplicaRequest(body: unknown): body is Pick<FetchRequest, 'replicaId'> {
  return typeof (body as { replicaId?: unknown }).replicaId === 'number' && (body as FetchRequest).replicaId >= 0;
}

function recordBytes(response: FetchResponse): number {
  let bytes = 0;
  for (const t of response.responses) for (const p of t.partitions) bytes += p.records?.length ?? 0;
  return bytes;
}
