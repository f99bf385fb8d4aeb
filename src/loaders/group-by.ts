/** Groups rows by key in the order of `keys` (the DataLoader contract); missing keys get []. */
export function groupByKey<T>(keys: readonly string[], rows: readonly T[], key: (r: T) => string): T[][] {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = by.get(k);
    if (list) list.push(r);
    else by.set(k, [r]);
  }
  return keys.map((k) => by.get(k) ?? []);
}
