/**
 * What the network layer needs to know about one API: its key and name, the versions served, the request
 * validator, and the schemas (for types and wire-shape docs). Each module in `messages/` exports one.
 */
import { requestValidator, type Schema } from './schema.js';

export interface ApiDefinition<Req = unknown, Res = unknown> {
  readonly apiKey: number;
  /** Kafka's name of the API: `'Produce'`. */
  readonly name: string;
  readonly minVersion: number;
  readonly maxVersion: number;
  readonly requestSchema: Schema<Req>;
  readonly responseSchema: Schema<Res>;
  /** Returns the body typed, or throws ApiError('INVALID_REQUEST') naming the offending field. */
  readonly validateRequest: (body: unknown) => Req;
  /**
   * Whether the response has a top-level `errorCode` field (Fetch, ApiVersions, DescribeCluster). When it does
   * not, a response carrying a top-level errorCode is an `ErrorResponse` for the whole request.
   */
  readonly responseHasErrorCode: boolean;
}

export function defineApi<Req, Res>(spec: {
  apiKey: number;
  name: string;
  requestSchema: Schema<Req>;
  responseSchema: Schema<Res>;
  minVersion?: number;
  maxVersion?: number;
}): ApiDefinition<Req, Res> {
  return {
    apiKey: spec.apiKey,
    name: spec.name,
    minVersion: spec.minVersion ?? 0,
    maxVersion: spec.maxVersion ?? 0,
    requestSchema: spec.requestSchema,
    responseSchema: spec.responseSchema,
    validateRequest: requestValidator(`${spec.name}Request`, spec.requestSchema),
    responseHasErrorCode: spec.responseSchema.fieldNames?.includes('errorCode') ?? false,
  };
}
