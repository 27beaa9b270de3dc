/**
 * The table of API versions a broker serves: api key → definition (min/max version, request validator). The
 * server consults it for every request (unknown key or version → UNSUPPORTED_VERSION) and the ApiVersions
 * handler lists it.
 *
 * Invariants: at most one definition per key; 0 <= minVersion <= maxVersion. Every API serves version 0 only
 * for now (our version 0 carries Kafka 2.8's newest field set of each message); a later version is added by
 * registering the definition again with a higher maxVersion.
 * Ownership: built at startup (`ApiVersions.defaults()` plus `register()` for APIs added by later components),
 * then read-only.
 */
import { InvalidArgumentError } from '../common/errors.js';
import type { ApiDefinition } from './api-definition.js';
import { apiKeyName } from './api-keys.js';
import { API_DEFINITIONS } from './messages/index.js';

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class ApiVersions {
  private readonly byKey = new Map<number, ApiDefinition>();

  constructor(definitions: Iterable<ApiDefinition> = []) {
    for (const definition of definitions) this.register(definition);
  }

  /** Every API with a message module in `messages/`. */
  static defaults(): ApiVersions {
    return new ApiVersions(API_DEFINITIONS);
  }

  /** Adds an API, or replaces the definition of its key (to widen its versions). */
  register(definition: ApiDefinition): this {
    const { apiKey, minVersion, maxVersion } = definition;
    if (!(
      Number.isInteger(minVersion) &&
      Number.isInteger(maxVersion) &&
      minVersion >= 0 &&
      minVersion <= maxVersion
    )) {
      throw new InvalidArgumentError(
        `${apiKeyName(apiKey)} versions must satisfy 0 <= minVersion <= maxVersion; ` +
          `found ${minVersion}..${maxVersion}.`,
      );
    }
    this.byKey.set(apiKey, definition);
    return this;
  }

  get(apiKey: number): ApiDefinition | undefined {
    return this.byKey.get(apiKey);
  }

  isSupported(apiKey: number, apiVersion: number): boolean {
    const definition = this.byKey.get(apiKey);
    return definition !== undefined && apiVersion >= definition.minVersion && apiVersion <= definition.maxVersion;
  }

  /** The version ranges by api key, ascending: the `apiKeys` of an ApiVersions response. */
  ranges(): ApiVersionRange[] {
    return [...this.byKey.values()]
      .map(({ apiKey, minVersion, maxVersion }) => ({ apiKey, minVersion, maxVersion }))
      .sort((a, b) => a.apiKey - b.apiKey);
  }
}
