/**
 * `mq-admin api-versions`: kafka-broker-api-versions. Asks every live broker for the API versions it serves and
 * prints them in Kafka's shape, one block per broker:
 *
 *   127.0.0.1:9092 (id: 1 rack: null) -> (
 *   	Produce(0): 0 to 0 [usable: 0],
 *   	...
 *   )
 *
 * `usable` is the version this client sends. Proves that each broker answers the protocol, not only that its port
 * is open, so it also serves as a health check; exits 1 when a broker did not answer.
 * `--json`: [{"broker","host","port","rack","apis":[{"apiKey","name","minVersion","maxVersion","usableVersion"}],
 * "error"}] (usableVersion null when there is no overlap; apis null and error the reason when it did not answer).
 */
import { Command } from 'commander';
import type { BrokerApiVersions } from '../../client/admin/admin.js';
import { API_VERSION } from '../../client/client-cluster.js';
import { apiKeyName } from '../../protocol/api-keys.js';
import { errorText } from '../args.js';
import { withAdmin, withConnectionOptions, type ConnectionFlags, type ExitStatus } from './connection.js';
import { printJson, withJsonOption, type JsonFlag } from './json-output.js';

/** One broker's block. */
export function apiVersionsBlock(b: BrokerApiVersions): string {
  const head = `${b.host}:${b.port} (id: ${b.nodeId} rack: ${b.rack ?? 'null'}) -> `;
  if (b.apis === undefined) return `${head}ERROR: ${errorText(b.error)}\n`;
  const lines = [...b.apis]
    .sort((x, y) => x.apiKey - y.apiKey)
    .map((a) => {
      const usable =
        a.minVersion <= API_VERSION && API_VERSION <= a.maxVersion
          ? `usable: ${API_VERSION}`
          : a.minVersion > API_VERSION
            ? 'unusable: node too new'
            : 'unusable: node too old';
      return `\t${apiKeyName(a.apiKey)}(${a.apiKey}): ${a.minVersion} to ${a.maxVersion} [${usable}]`;
    });
  return `${head}(\n${lines.join(',\n')}\n)\n`;
}

/** One broker as `--json` prints it. */
export function apiVersionsJson(b: BrokerApiVersions): object {
  return {
    broker: b.nodeId,
    host: b.host,
    port: b.port,
    rack: b.rack,
    apis:
      b.apis === undefined
        ? null
        : [...b.apis]
            .sort((x, y) => x.apiKey - y.apiKey)
            .map((a) => ({
              apiKey: a.apiKey,
              name: apiKeyName(a.apiKey),
              minVersion: a.minVersion,
              maxVersion: a.maxVersion,
              usableVersion: a.minVersion <= API_VERSION && API_VERSION <= a.maxVersion ? API_VERSION : null,
            })),
    error: b.apis === undefined ? errorText(b.error) : null,
  };
}

export function apiVersionsCommand(status: ExitStatus): Command {
  return withJsonOption(withConnectionOptions(new Command('api-versions')))
    .description('Print the API versions every broker of the cluster serves (kafka-broker-api-versions).')
    .action(async (flags: ConnectionFlags & JsonFlag) => {
      await withAdmin(flags, async (admin) => {
        const brokers = (await admin.describeBrokerApiVersions()).sort((a, b) => a.nodeId - b.nodeId);
        if (flags.json === true) printJson(brokers.map(apiVersionsJson));
        else process.stdout.write(brokers.map(apiVersionsBlock).join(''));
        if (brokers.some((b) => b.apis === undefined)) status.code = 1;
      });
    });
}
