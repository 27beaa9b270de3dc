/**
 * Small helpers over Map that the code base needs in many places (Kafka's `Pool.getAndMaybePut`). Pure.
 */

/** The value of `key` in `map`, first storing `create()` there when the key is absent (Java's computeIfAbsent). */
export function computeIfAbsent<K, V>(map: Map<K, V>, key: K, create: () => V): V {
  let value = map.get(key);
  if (value === undefined) map.set(key, (value = create()));
  return value;
}
