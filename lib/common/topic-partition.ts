/**
 * A topic and partition number. `key()` gives the stable string form `topic-partition` used for maps and as
 * the partition's directory name, as Kafka does; `groupByTopic` gives the layout of Kafka's requests and responses
 * (partitions under their topic).
 */

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/**
 * Groups per-partition items under their topic, topics in first-seen order: the layout of most Kafka requests and
 * responses (each caller names the two fields as its message does).
 */
export function groupByTopic<T extends { topic: string }, R>(
  items: readonly T[],
  map: (item: T) => R,
): { name: string; items: R[] }[] {
  // One pass with no closure or intermediate array per item (it runs for every Produce and Fetch), and no Map
  // until a second topic appears: most requests name one topic.
  const groups: { name: string; items: R[] }[] = [];
  let byTopic: Map<string, { name: string; items: R[] }> | null = null;
  let current: { name: string; items: R[] } | undefined;
  for (const item of items) {
    if (current === undefined || current.name !== item.topic) {
      if (byTopic === null && current !== undefined) byTopic = new Map([[current.name, current]]);
      current = byTopic?.get(item.topic);
      if (current === undefined) {
        current = { name: item.topic, items: [] };
        groups.push(current);
        byTopic?.set(item.topic, current);
      }
    }
    current.items.push(map(item));
  }
  return groups;
}

/** Parses a `topic-partition` directory name; the topic itself may contain dashes. */
export function parseTpKey(name: string): TopicPartition | undefined {
  const i = name.lastIndexOf('-');
  if (i <= 0) return undefined;
  const p = name.slice(i + 1);
  if (!/^\d+$/.test(p)) return undefined;
  return { topic: name.slice(0, i), partition: Number(p) };
}

/** Kafka's legal topic names: 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'. */
export function topicNameProblem(topic: string): string | undefined {
  if (topic.length === 0) return 'Topic name is empty.';
  if (topic === '.' || topic === '..') return `Topic name cannot be '.' or '..'.`;
  if (topic.length > 249) return `Topic name '${topic.slice(0, 20)}...' is longer than 249 characters.`;
  if (!/^[a-zA-Z0-9._-]+$/.test(topic)) {
    return `Topic name '${topic}' is illegal: it contains characters other than ASCII alphanumerics, '.', '_' and '-'.`;
  }
  return undefined;
}
