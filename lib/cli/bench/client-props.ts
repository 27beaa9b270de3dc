/**
 * The options by which mq-bench's commands take client configs under Kafka's names, as kafka-producer-perf-test
 * takes `--producer-props`: repeatable `key=value` arguments collected into one object (empty by default), which
 * the command passes to the Producer or Consumer it creates.
 */
import { Option } from 'commander';
import { propArg } from '../args.js';

/** `--producer-props key=value` (repeatable). */
export function producerPropsOption(): Option {
  return new Option('--producer-props <key=value>', "producer option under Kafka's name, e.g. acks=all (repeatable)")
    .argParser(propArg)
    .default({});
}

/** `--consumer-props key=value` (repeatable). */
export function consumerPropsOption(): Option {
  return new Option('--consumer-props <key=value>', "consumer option under Kafka's name (repeatable)")
    .argParser(propArg)
    .default({});
}
