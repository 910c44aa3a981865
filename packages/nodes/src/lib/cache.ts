/** A memo of `make(key)` holding at most `limit` entries (the oldest goes first), for parsed templates, expressions and schemas. */
export function boundedMemo<K, V>(limit: number, make: (key: K) => V): (key: K) => V {
  const entries = new Map<K, V>();
  return (key) => {
    if (entries.has(key)) return entries.get(key)!;
    const value = make(key); // a throw caches nothing
    if (entries.size >= limit) entries.delete(entries.keys().next().value!);
    entries.set(key, value);
    return value;
  };
}
