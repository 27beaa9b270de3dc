/**
 * JAAS configuration as Kafka reads it, for the SASL credentials of brokers and clients: one login module entry
 * (`sasl.jaas.config`, `listener.name.<l>.<mechanism>.sasl.jaas.config`) or a whole file of named sections (the file
 * named by `-Djava.security.auth.login.config=` in `KAFKA_OPTS`: `KafkaServer`, `<listener>.KafkaServer`,
 * `KafkaClient`, and `Client` for ZooKeeper).
 *
 * Layout: `Section { <class> <flag> key="value" key2=value2; ... };`, a module entry being
 * `<class> <flag> [key=value ...];`. Values may be quoted with `"` (backslash escapes `"` and `\`); flags are
 * required, requisite, sufficient or optional. `//` and `/* *\/` comments are skipped.
 *
 * The login modules Kafka's SASL mechanisms use, and what their options mean here:
 * - `org.apache.kafka.common.security.plain.PlainLoginModule`: `username`/`password` (the client's, or a broker's
 *   towards other brokers) and `user_<name>="<password>"` entries (the users a broker's PLAIN mechanism accepts).
 * - `org.apache.kafka.common.security.scram.ScramLoginModule`: `username`/`password`.
 * - `org.apache.zookeeper.server.auth.DigestLoginModule` (section `Client`): `username`/`password` for ZooKeeper.
 * Pure; throws InvalidArgumentError naming the position of a syntax error.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../common/errors.js';

export const PLAIN_LOGIN_MODULE = 'org.apache.kafka.common.security.plain.PlainLoginModule';
export const SCRAM_LOGIN_MODULE = 'org.apache.kafka.common.security.scram.ScramLoginModule';
export const DIGEST_LOGIN_MODULE = 'org.apache.zookeeper.server.auth.DigestLoginModule';

export interface LoginModuleEntry {
  readonly className: string;
  readonly flag: string;
  readonly options: Readonly<Record<string, string>>;
}

/** A JAAS file: section name → its login modules. */
export type JaasFile = ReadonlyMap<string, readonly LoginModuleEntry[]>;

const FLAGS = ['required', 'requisite', 'sufficient', 'optional'];

type Token = { kind: 'word' | 'string' | 'punct'; text: string; at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if ('{};='.includes(c)) {
      tokens.push({ kind: 'punct', text: c, at: i++ });
    } else if (c === '"') {
      const at = i++;
      let value = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        value += text[i++];
      }
      if (i >= text.length) throw new InvalidArgumentError(`JAAS config: unterminated quoted value at ${at}.`);
      i++;
      tokens.push({ kind: 'string', text: value, at });
    } else {
      const at = i;
      while (i < text.length && !/[\s{};="]/.test(text[i]!)) i++;
      tokens.push({ kind: 'word', text: text.slice(at, i), at });
    }
  }
  return tokens;
}

class Parser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.pos >= this.tokens.length;
  }

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  next(expected: string): Token {
    const t = this.tokens[this.pos++];
    if (t === undefined) throw new InvalidArgumentError(`${this.what}: expected ${expected} but the text ended.`);
    return t;
  }

  punct(p: string): void {
    const t = this.next(`'${p}'`);
    if (t.kind !== 'punct' || t.text !== p)
      throw new InvalidArgumentError(`${this.what}: expected '${p}' at ${t.at}, found '${t.text}'.`);
  }

  word(expected: string): string {
    const t = this.next(expected);
    if (t.kind !== 'word')
      throw new InvalidArgumentError(`${this.what}: expected ${expected} at ${t.at}, found '${t.text}'.`);
    return t.text;
  }

  /** `<class> <flag> key=value ... ;` */
  module(): LoginModuleEntry {
    const className = this.word('a login module class name');
    const flag = this.word('a control flag (required, requisite, sufficient or optional)');
    if (!FLAGS.includes(flag.toLowerCase()))
      throw new InvalidArgumentError(`${this.what}: '${flag}' is not a control flag; use one of ${FLAGS.join(', ')}.`);
    const options: Record<string, string> = {};
    for (;;) {
      const t = this.peek();
      if (t?.kind === 'punct' && t.text === ';') {
        this.pos++;
        return { className, flag: flag.toLowerCase(), options };
      }
      const key = this.word("an option name or ';'");
      this.punct('=');
      const value = this.next(`a value for ${key}`);
      if (value.kind === 'punct')
        throw new InvalidArgumentError(`${this.what}: expected a value for ${key} at ${value.at}.`);
      options[key] = value.text;
    }
  }
}

/** Parses one login module entry, as in `sasl.jaas.config`. */
export function parseJaasEntry(text: string, what = 'sasl.jaas.config'): LoginModuleEntry {
  const p = new Parser(tokenize(text), what);
  const entry = p.module();
  if (!p.done) throw new InvalidArgumentError(`${what}: expected one login module entry; found more after ';'.`);
  return entry;
}

/** Parses a JAAS file's text into its sections. */
export function parseJaasFile(text: string, what = 'JAAS file'): JaasFile {
  const p = new Parser(tokenize(text), what);
  const sections = new Map<string, LoginModuleEntry[]>();
  while (!p.done) {
    const name = p.word('a section name');
    p.punct('{');
    const modules: LoginModuleEntry[] = [];
    while (!(p.peek()?.kind === 'punct' && p.peek()!.text === '}')) modules.push(p.module());
    p.punct('}');
    p.punct(';');
    sections.set(name, modules);
  }
  return sections;
}

/**
 * The JAAS file named by `-Djava.security.auth.login.config=<file>` in `KAFKA_OPTS` (how Kafka's scripts pass it to
 * the JVM), read and parsed; undefined when none is named.
 */
export function jaasFileFromEnv(env: NodeJS.ProcessEnv = process.env): { path: string; file: JaasFile } | undefined {
  const m = /-Djava\.security\.auth\.login\.config=("[^"]+"|\S+)/.exec(env['KAFKA_OPTS'] ?? '');
  if (!m) return undefined;
  const path = m[1]!.replace(/^"|"$/g, '');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidArgumentError(
      `Cannot read the JAAS file ${path} named by -Djava.security.auth.login.config in KAFKA_OPTS: ${(e as Error).message}`,
      { cause: e },
    );
  }
  return { path, file: parseJaasFile(text, `JAAS file ${path}`) };
}

/** Users a PLAIN login module accepts: its `user_<name>` options. */
export function plainUsers(entry: LoginModuleEntry): Map<string, string> {
  const users = new Map<string, string>();
  for (const [key, value] of Object.entries(entry.options)) {
    if (key.startsWith('user_') && key.length > 5) users.set(key.slice(5), value);
  }
  return users;
}

/** The `username` and `password` options of a login module, when both are there. */
export function loginCredentials(entry: LoginModuleEntry): { username: string; password: string } | undefined {
  const { username, password } = entry.options;
  return username !== undefined && password !== undefined ? { username, password } : undefined;
}

/** The ZooKeeper digest credentials of a JAAS file: its `Client` section's DigestLoginModule, if any. */
export function zookeeperCredentials(file: JaasFile | undefined): { username: string; password: string } | undefined {
  const entry = file?.get('Client')?.find((m) => m.className === DIGEST_LOGIN_MODULE);
  return entry === undefined ? undefined : loginCredentials(entry);
}
