/**
 * A bit-at-a-time CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), written from the definition. Specs
 * use it as an independent oracle for the native implementation and for golden batch bytes.
 */
export function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
