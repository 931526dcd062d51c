/**
 * Items newest change first, read from several newest-first sources (the `byStatus` index, one
 * query per status): solution items (`list`) and client items (`clients`) alike. Ties in change time
 * are ordered by the item's key, so that every item has one place in the order (an index promises
 * no order among equal sort keys).
 */
export interface Changed {
  updatedAt: string;
}

export type KeyOf<T> = (item: T) => string;

/** Newest change first; ties by key, descending. */
export const newerFirst =
  <T extends Changed>(keyOf: KeyOf<T>) =>
  (a: T, b: T): number =>
    a.updatedAt === b.updatedAt ? (keyOf(a) < keyOf(b) ? 1 : keyOf(a) > keyOf(b) ? -1 : 0) : a.updatedAt < b.updatedAt ? 1 : -1;

/** An index orders by its sort key only: items changed in the same millisecond come in any order. Each run of them in key order. */
export async function* tiesInKeyOrder<T extends Changed>(source: AsyncGenerator<T>, keyOf: KeyOf<T>): AsyncGenerator<T> {
  const order = newerFirst(keyOf);
  let run: T[] = [];
  for await (const item of source) {
    if (run.length > 0 && run[0]!.updatedAt !== item.updatedAt) {
      yield* run.sort(order);
      run = [];
    }
    run.push(item);
  }
  yield* run.sort(order);
}

/** The first `count` wanted items of several newest-first sources, in one newest-first order; each source read only as far as needed. */
export async function mergeNewestFirst<T extends Changed>(sources: AsyncGenerator<T>[], keyOf: KeyOf<T>, wanted: (item: T) => boolean, count: number): Promise<T[]> {
  const order = newerFirst(keyOf);
  const ordered = sources.map((source) => tiesInKeyOrder(source, keyOf));
  const heads = await Promise.all(ordered.map(async (source) => ({ source, head: (await source.next()).value as T | undefined })));
  const merged: T[] = [];
  while (merged.length < count) {
    const live = heads.filter((h) => h.head);
    if (live.length === 0) break;
    const newest = live.reduce((a, b) => (order(a.head!, b.head!) <= 0 ? a : b));
    if (wanted(newest.head!)) merged.push(newest.head!);
    newest.head = (await newest.source.next()).value as T | undefined;
  }
  await Promise.all(ordered.map((s) => s.return(undefined)));
  return merged;
}
