/**
 * The partition-list JSON files of Kafka's tools (`{"partitions":[{"topic":"t","partition":0,...}]}`): reading one,
 * and the checks every entry shares (topic name, partition number, no partition twice). Throws UsageError naming
 * the file's first problem. Used by reassign-partitions, preferred-replica-election, leader-election and
 * delete-records.
 */
import { readFileSync } from 'node:fs';
import type { TopicPartition } from '../../common/topic-partition.js';
import { UsageError } from '../cli-errors.js';

export function readTextFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(`Cannot read ${path}: ${(e as Error).message}`);
  }
}

/**
 * The entries of a partitions file, each checked for its topic and partition and handed to `entry` for the rest
 * of its fields; `what` names the file in messages and `example` shows its shape.
 */
export function parsePartitionsFile<T>(
  text: string,
  what: string,
  example: string,
  entry: (raw: Record<string, unknown>, tp: TopicPartition, where: string) => T,
): T[] {
  let js: unknown;
  try {
    js = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`The ${what} is not JSON: ${(e as Error).message}`);
  }
  const partitions = (js as { partitions?: unknown }).partitions;
  if (!Array.isArray(partitions) || partitions.length === 0)
    throw new UsageError(`The ${what} needs a non-empty "partitions" array: ${example}`);
  const seen = new Set<string>();
  return partitions.map((raw: Record<string, unknown>, i) => {
    const where = `partitions[${i}]`;
    if (typeof raw.topic !== 'string' || raw.topic === '')
      throw new UsageError(`${where}: "topic" must be a topic name.`);
    if (!Number.isInteger(raw.partition) || (raw.partition as number) < 0)
      throw new UsageError(`${where}: "partition" must be an integer >= 0.`);
    const tp = { topic: raw.topic, partition: raw.partition as number };
    const key = `${tp.topic}-${tp.partition}`;
    if (seen.has(key)) throw new UsageError(`Partition ${key} is listed twice in the ${what}.`);
    seen.add(key);
    return entry(raw, tp, where);
  });
}
