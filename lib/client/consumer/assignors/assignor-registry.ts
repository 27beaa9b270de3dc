/**
 * partition.assignment.strategy's names (short names or Kafka's Java class names) → the assignors: range, roundrobin,
 * sticky and cooperative-sticky.
 */
import { InvalidArgumentError } from '../../../common/errors.js';
import type { PartitionAssignor } from './partition-assignor.js';
import { rangeAssignor } from './range-assignor.js';
import { roundRobinAssignor } from './round-robin-assignor.js';
import { cooperativeStickyAssignor, stickyAssignor } from './sticky-assignor.js';

const BY_NAME = new Map<string, PartitionAssignor>([
  ['range', rangeAssignor],
  ['org.apache.kafka.clients.consumer.RangeAssignor', rangeAssignor],
  ['roundrobin', roundRobinAssignor],
  ['org.apache.kafka.clients.consumer.RoundRobinAssignor', roundRobinAssignor],
  ['sticky', stickyAssignor],
  ['org.apache.kafka.clients.consumer.StickyAssignor', stickyAssignor],
  ['cooperative-sticky', cooperativeStickyAssignor],
  ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', cooperativeStickyAssignor],
]);

/** The assignors named by partition.assignment.strategy, in preference order. */
export function assignorsByName(names: readonly string[]): PartitionAssignor[] {
  if (names.length === 0)
    throw new InvalidArgumentError('partition.assignment.strategy must name at least one assignor, e.g. range.');
  return names.map((name) => {
    const assignor = BY_NAME.get(name);
    if (!assignor) {
      throw new InvalidArgumentError(
        `Unknown partition.assignment.strategy '${name}'; available: range, roundrobin, ` +
          'sticky, cooperative-sticky (or their Kafka class names).',
      );
    }
    return assignor;
  });
}
