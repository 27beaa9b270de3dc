/**
 * Client quotas (Kafka's `ClientQuotaManager` with its default quota callback, KIP-55 and KIP-124): produce and
 * fetch byte rates (`producer_byte_rate`, `consumer_byte_rate`, in bytes per second per broker) and request time
 * (`request_percentage`, the share of the broker's event loop a client may use, 100 = one whole loop), set per user,
 * per client id or per (user, client id), with defaults, in /config/users and /config/clients.
 *
 * Precedence (the first level with the quota applies): /config/users/<user>/clients/<client-id>,
 * /users/<user>/clients/<default>, /users/<user>, /users/<default>/clients/<client-id>,
 * /users/<default>/clients/<default>, /users/<default>, /clients/<client-id>, /clients/<default>. The level also
 * decides who shares a rate: a user level is shared by all of that user's clients, a client level by every user of
 * that client id, a (user, client) level by that pair alone; a default gives each user or client a rate of its own.
 * The user is the principal's name (`ANONYMOUS` without authentication), the client the request's client id.
 *
 * Enforcement (KIP-219): the handler's work is recorded in the entity's QuotaRate (quota.window.num windows of
 * quota.window.size.seconds); a rate over the bound gives a throttle time, which the response carries and for
 * which the connection then stops reading from the client. A throttled fetch is answered empty, and its bytes are
 * taken back out of the rate, as Kafka does.
 *
 * Hot path: when no quota of a type is configured anywhere, `enabled(type)` is false and nothing is recorded. The
 * entity each (type, user, client) resolves to is cached and dropped when any user or client config changes.
 * Ownership: created by Broker; reads ClientEntityConfigs.
 */
import type { Time } from '../../common/time.js';
import { DEFAULT_CONFIG_ENTITY, sanitizeEntityName } from '../../zk/zk-paths.js';
import type { ClientEntityConfigs } from './client-entity-configs.js';
import { QuotaRate } from './quota-rate.js';

/** Kafka's quota config keys, by quota type. */
export const QUOTA_KEYS = {
  produce: 'producer_byte_rate',
  fetch: 'consumer_byte_rate',
  request: 'request_percentage',
} as const;
export type QuotaType = keyof typeof QUOTA_KEYS;
export const QUOTA_CONFIG_KEYS: readonly string[] = Object.values(QUOTA_KEYS);

export interface ClientQuotaManagerOptions {
  configs: ClientEntityConfigs;
  /** quota.window.num */
  samples: number;
  /** quota.window.size.seconds, in ms */
  windowMs: number;
  time: Time;
}

/** Which quota applies to a (user, client) and whose rate it is. */
interface Resolved {
  readonly bound: number;
  /** The rate's owner: `<user>|<client>` with '' for the part the level does not distinguish. */
  readonly rateKey: string;
}

const D = DEFAULT_CONFIG_ENTITY;

export class ClientQuotaManager {
  private readonly resolved = new Map<string, Resolved | null>();
  private readonly rates = new Map<string, QuotaRate>();
  private readonly configured = new Map<QuotaType, boolean>();

  constructor(private readonly o: ClientQuotaManagerOptions) {
    o.configs.onChange(() => this.invalidate());
    this.invalidate();
  }

  /** Whether any quota of this type is configured (else nothing is recorded). */
  enabled(type: QuotaType): boolean {
    return this.configured.get(type) ?? false;
  }

  /**
   * Records `value` for (user, clientId) and returns how long to throttle them; 0 when no quota applies or the rate
   * is within it.
   */
  recordAndGetThrottleTimeMs(type: QuotaType, user: string, clientId: string, value: number): number {
    const quota = this.resolve(type, user, clientId);
    if (quota === null) return 0;
    const now = this.o.time.milliseconds();
    const rate = this.rateFor(type, quota.rateKey);
    rate.record(value, now);
    return rate.throttleTimeMs(quota.bound, now);
  }

  /** Takes a recorded value back out (a throttled fetch that is answered empty). */
  unrecord(type: QuotaType, user: string, clientId: string, value: number): void {
    const quota = this.resolve(type, user, clientId);
    if (quota !== null) this.rateFor(type, quota.rateKey).record(-value, this.o.time.milliseconds());
  }

  /** The quota bound applying to (user, clientId), or undefined (for describing and specs). */
  quota(type: QuotaType, user: string, clientId: string): number | undefined {
    return this.resolve(type, user, clientId)?.bound;
  }

  private rateFor(type: QuotaType, rateKey: string): QuotaRate {
    const key = `${type}|${rateKey}`;
    let rate = this.rates.get(key);
    if (rate === undefined) this.rates.set(key, (rate = new QuotaRate(this.o.samples, this.o.windowMs)));
    return rate;
  }

  private resolve(type: QuotaType, user: string, clientId: string): Resolved | null {
    const cacheKey = `${type}|${user}|${clientId}`;
    let r = this.resolved.get(cacheKey);
    if (r === undefined) {
      r = this.lookup(type, sanitizeEntityName(user), sanitizeEntityName(clientId));
      this.resolved.set(cacheKey, r);
    }
    return r;
  }

  /** The first level of the precedence list with the quota (see the header). */
  private lookup(type: QuotaType, user: string, client: string): Resolved | null {
    const key = QUOTA_KEYS[type];
    const levels: [string, string][] = [
      [`users/${user}/clients/${client}`, `${user}|${client}`],
      [`users/${user}/clients/${D}`, `${user}|${client}`],
      [`users/${user}`, `${user}|`],
      [`users/${D}/clients/${client}`, `${user}|${client}`],
      [`users/${D}/clients/${D}`, `${user}|${client}`],
      [`users/${D}`, `${user}|`],
      [`clients/${client}`, `|${client}`],
      [`clients/${D}`, `|${client}`],
    ];
    for (const [entityPath, rateKey] of levels) {
      const value = this.o.configs.get(entityPath)?.[key];
      if (value === undefined) continue;
      const bound = Number(value);
      if (Number.isFinite(bound) && bound > 0) return { bound, rateKey };
    }
    return null;
  }

  private invalidate(): void {
    this.resolved.clear();
    for (const type of Object.keys(QUOTA_KEYS) as QuotaType[]) {
      this.configured.set(
        type,
        this.o.configs.entityPaths().some((p) => this.o.configs.get(p)?.[QUOTA_KEYS[type]] !== undefined),
      );
    }
  }
}
