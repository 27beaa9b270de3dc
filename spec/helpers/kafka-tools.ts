/**
 * Third-party Kafka clients for specs against a cluster's Kafka-protocol listeners, each installed by
 * scripts/setup.sh: kcat (Debian's `kcat`, librdkafka 2.0), Python's confluent-kafka (Debian's
 * `python3-confluent-kafka`, run with Debian's own /usr/bin/python3 so that a pyenv or venv on PATH does not hide
 * it) and KafkaJS (an npm dev dependency).
 *
 * Every child process is bounded in time and killed when it overruns; a non-zero exit rejects with its stderr.
 */
import { spawn } from 'node:child_process';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import type { TestCluster } from './cluster-harness.js';

export const KCAT = 'kcat';
export const PYTHON = '/usr/bin/python3';

export interface ToolOutput {
  stdout: Buffer;
  stderr: string;
}

/** Runs `command` with `args`, feeding `input` on stdin; resolves with its output once it exits 0. */
export function run(command: string, args: readonly string[], input: Buffer | string = '', timeoutMs = 60_000) {
  return new Promise<ToolOutput>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`${command} could not be started (is it installed? run scripts/setup.sh): ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() };
      if (code === 0) resolve(result);
      else {
        const why = signal === 'SIGKILL' ? `was killed after ${timeoutMs} ms` : `exited with ${code ?? signal}`;
        reject(new Error(`${command} ${args.join(' ')} ${why}:\n${result.stderr}`));
      }
    });
    child.stdin.end(input);
  });
}

/** kcat against the cluster's Kafka listeners. */
export function kcat(cluster: TestCluster, args: readonly string[], input: Buffer | string = ''): Promise<ToolOutput> {
  return run(KCAT, ['-b', cluster.kafkaBootstrapServers, ...args], input);
}

/** Runs a Python script (confluent-kafka) with `args`; resolves with what it printed as JSON on its last line. */
export async function python<T>(script: string, args: readonly string[], timeoutMs = 90_000): Promise<T> {
  const { stdout } = await run(PYTHON, ['-c', script, ...args], '', timeoutMs);
  const lines = stdout.toString().trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as T;
}

/** A KafkaJS client bootstrapped on the cluster's Kafka listeners, silent (its retried errors are expected noise). */
export function kafkaJs(cluster: TestCluster, config: Partial<KafkaConfig> = {}): Kafka {
  return new Kafka({
    clientId: 'spec-kafkajs',
    brokers: cluster.kafkaBootstrapServers.split(','),
    logLevel: logLevel.NOTHING,
    ...config,
  });
}
