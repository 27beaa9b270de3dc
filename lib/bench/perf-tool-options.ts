/**
 * What `mq-bench produce` and `mq-bench consume` share, as Kafka's kafka-producer-perf-test and
 * kafka-consumer-perf-test do: the cluster and topic they run against, and how they report — a line every
 * reporting interval, the final summary as text or as one JSON object, each line handed to `print`, and the count
 * of records done so far handed to `onProgress` (a progress bar).
 */

export interface PerfToolOptions {
  bootstrapServers: string;
  topic: string;
  /** Time between the interval lines. Unit: ms. @default 5000 */
  reportingIntervalMs?: number;
  /** Print the final summary as one JSON object. @default false */
  json?: boolean;
  /** Receives the output lines. @default console.log */
  print?: (line: string) => void;
  /** Told the count of records done so far (acknowledged, or read) after each one, for a progress bar. */
  onProgress?: (records: number) => void;
}

/** The reporting options with their defaults filled in. */
export function perfToolReporting(options: PerfToolOptions): {
  reportingIntervalMs: number;
  print: (line: string) => void;
} {
  return {
    reportingIntervalMs: options.reportingIntervalMs ?? 5000,
    print: options.print ?? ((line: string) => console.log(line)),
  };
}
