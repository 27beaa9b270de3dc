/**
 * Which __consumer_offsets partition coordinates a group: abs(javaStringHashCode(groupId)) % partitionCount,
 * exactly as Kafka's GroupMetadataManager.partitionFor (Utils.abs maps Integer.MIN_VALUE to 0).
 */

/** Java's String.hashCode over UTF-16 code units: s[0]*31^(n-1) + ... + s[n-1], in 32-bit two's complement. */
export function javaStringHashCode(s: string): number {
  let hash = 0;
  for (let i = 0; i < s.length; i++) hash = (Math.imul(hash, 31) + s.charCodeAt(i)) | 0;
  return hash;
}

/** The __consumer_offsets partition for `groupId` among `offsetsTopicPartitionCount` partitions. */
export function partitionForGroup(groupId: string, offsetsTopicPartitionCount: number): number {
  const hash = javaStringHashCode(groupId);
  const absHash = hash === -2147483648 ? 0 : Math.abs(hash);
  return absHash % offsetsTopicPartitionCount;
}
