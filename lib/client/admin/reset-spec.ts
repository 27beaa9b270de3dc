/**
 * What a consumer group's offset reset moves each partition to, as kafka-consumer-groups' --reset-offsets options
 * name it: the earliest or latest offset, the current commit, an offset, the commit shifted by n, or the first
 * offset at or after a timestamp. Planned by offset-reset.ts. Types only, importing nothing: the web console's
 * browser code shares it (lib/console/api-types.ts).
 */
export type ResetSpec =
  | { kind: 'earliest' }
  | { kind: 'latest' }
  | { kind: 'current' }
  | { kind: 'offset'; offset: number }
  | { kind: 'shift'; by: number }
  | { kind: 'timestamp'; timestampMs: number };
