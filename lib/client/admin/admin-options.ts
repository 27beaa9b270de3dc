/**
 * The admin client's options, under Kafka's config names with Kafka 2.8's AdminClient defaults, and their
 * resolution (see client-options.ts for the shared rules).
 */
import {
  COMMON_OPTION_RULES,
  DEFAULT_COMMON_CLIENT_OPTIONS,
  intRule,
  resolveOptions,
  withGeneratedClientId,
  type CommonClientOptions,
  type Resolved,
} from '../client-options.js';

export interface AdminOptions extends CommonClientOptions {
  /** Bound of one admin call, retries included, unless the call is given its own `timeoutMs`. Unit: ms. @default 60000 */
  'default.api.timeout.ms'?: number;
  /** How often a failed admin request is retried within its time bound. @default 2147483647 */
  retries?: number;
}

export const DEFAULT_ADMIN_OPTIONS = {
  ...DEFAULT_COMMON_CLIENT_OPTIONS,
  'default.api.timeout.ms': 60000,
  retries: 2147483647,
} as const;

const ADMIN_OPTION_RULES = {
  ...COMMON_OPTION_RULES,
  'default.api.timeout.ms': intRule(0),
  retries: intRule(0),
};

export type ResolvedAdminOptions = Resolved<typeof ADMIN_OPTION_RULES>;

export function resolveAdminOptions(options: AdminOptions): ResolvedAdminOptions {
  return withGeneratedClientId(
    resolveOptions('admin client', ADMIN_OPTION_RULES, DEFAULT_ADMIN_OPTIONS, options as Record<string, unknown>),
    'adminclient',
  );
}
