/**
 * Who a connection is, as ACLs and quotas name it (Kafka's `KafkaPrincipal`, `User:<name>`): the SASL user after a
 * SASL handshake; on an SSL listener without SASL, the client certificate's subject mapped by
 * `ssl.principal.mapping.rules` (`User:CN=alice,OU=eng`), or ANONYMOUS without a certificate; ANONYMOUS on a
 * PLAINTEXT listener.
 *
 * Mapping rules (Kafka's `SslPrincipalMapper`, KIP-371): a comma-separated list of `DEFAULT` (the distinguished name
 * as it is) and `RULE:<pattern>/<replacement>/[L|U]` (the first rule whose pattern matches the whole name rewrites
 * it, then lower- or upper-cases it). Distinguished names are in RFC 2253 order, most specific first, as Java's
 * `X500Principal.getName()` gives them. Pure.
 */
import { InvalidArgumentError } from '../../common/errors.js';

export interface KafkaPrincipal {
  /** `User` for every principal built here. */
  readonly type: string;
  readonly name: string;
}

export const USER_TYPE = 'User';
export const ANONYMOUS: KafkaPrincipal = Object.freeze({ type: USER_TYPE, name: 'ANONYMOUS' });

export function userPrincipal(name: string): KafkaPrincipal {
  return { type: USER_TYPE, name };
}

/** `User:alice`: how ACLs and super.users name a principal. */
export function principalString(p: KafkaPrincipal): string {
  return `${p.type}:${p.name}`;
}

type Rule = { kind: 'default' } | { kind: 'rule'; pattern: RegExp; replacement: string; caseChange: '' | 'L' | 'U' };

/** Parsed `ssl.principal.mapping.rules`. */
export class SslPrincipalMapper {
  private constructor(private readonly rules: readonly Rule[]) {}

  static parse(text: string): SslPrincipalMapper {
    const rules: Rule[] = [];
    const re = /\s*(?:(DEFAULT)|RULE:((?:\\.|[^\\/])*)\/((?:\\.|[^\\/])*)\/([LU]?))\s*(?:,|$)/gy;
    let pos = 0;
    while (pos < text.length) {
      re.lastIndex = pos;
      const m = re.exec(text);
      if (!m || m[0] === '') {
        throw new InvalidArgumentError(
          `Invalid ssl.principal.mapping.rules at '${text.slice(pos)}': expected DEFAULT or ` +
            'RULE:<pattern>/<replacement>/[L|U], comma-separated.',
        );
      }
      pos = re.lastIndex;
      if (m[1] !== undefined) {
        rules.push({ kind: 'default' });
        continue;
      }
      let pattern: RegExp;
      try {
        pattern = new RegExp(`^(?:${m[2]!.replace(/\\\//g, '/')})$`);
      } catch (e) {
        throw new InvalidArgumentError(`Invalid pattern in ssl.principal.mapping.rules: ${(e as Error).message}`);
      }
      rules.push({
        kind: 'rule',
        pattern,
        replacement: m[3]!.replace(/\\\//g, '/'),
        caseChange: m[4] as '' | 'L' | 'U',
      });
    }
    return new SslPrincipalMapper(rules.length === 0 ? [{ kind: 'default' }] : rules);
  }

  /** The principal name for a distinguished name; throws InvalidArgumentError when no rule applies. */
  map(distinguishedName: string): string {
    for (const rule of this.rules) {
      if (rule.kind === 'default') return distinguishedName;
      if (!rule.pattern.test(distinguishedName)) continue;
      const mapped = distinguishedName.replace(rule.pattern, rule.replacement);
      return rule.caseChange === 'L' ? mapped.toLowerCase() : rule.caseChange === 'U' ? mapped.toUpperCase() : mapped;
    }
    throw new InvalidArgumentError(`No ssl.principal.mapping.rules rule applies to '${distinguishedName}'.`);
  }
}

/**
 * RFC 2253 form of a certificate subject as Node prints it (`X509Certificate.subject`: one `KEY=value` per line,
 * least specific first): `CN=alice,OU=eng,O=acme`. Commas, plus signs and quotes in values are escaped.
 */
export function distinguishedName(subject: string): string {
  return subject
    .split('\n')
    .filter((line) => line !== '')
    .reverse()
    .map((line) => {
      const i = line.indexOf('=');
      return `${line.slice(0, i)}=${line.slice(i + 1).replace(/([,+"\\<>;])/g, '\\$1')}`;
    })
    .join(',');
}
