/** What spec/helpers/transactional-copier-child.ts is started with, and what it makes of an input value. */
export interface CopierConfig {
  bootstrapServers: string;
  groupId: string;
  transactionalId: string;
  input: string;
  output: string;
  /** Per input partition, its end offset: done when the group committed all of them. */
  inputEnds: number[];
  recordsPerTransaction: number;
  /** Pause after sending a transaction's records, before its offsets and commit (keeps transactions open). */
  pauseBeforeCommitMs: number;
  transactionTimeoutMs: number;
}

/** What the copier writes for an input value. */
export const transformed = (value: string): string => `copied:${value}`;
