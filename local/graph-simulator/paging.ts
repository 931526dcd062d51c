import { errors, type SimResponse } from './graph-errors';

/** docs/graph-api.md § Listing an app's solutions: `limit` defaults to 25 and goes up to 100. */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

/**
 * One page of a listing, paged as Graph pages: `limit` items at most (fewer when the simulator's
 * `maxPageSize` is smaller, which Graph also allows itself), `paging.cursors.before`/`after` on every
 * page that has items, and `paging.next`/`previous` links while there is more in that direction.
 * Cursors are opaque to clients; here they encode an offset.
 */
export function page(query: URLSearchParams, selfUrl: URL, items: readonly unknown[], maxPageSize: number): SimResponse {
  const rawLimit = query.get('limit');
  const limit = rawLimit === null ? DEFAULT_LIMIT : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1) return errors.badParameter('Param limit must be a positive integer');
  const size = Math.min(limit, MAX_LIMIT, maxPageSize);

  const after = query.get('after');
  const before = query.get('before');
  const cursor = after ?? before;
  const offset = cursor === null ? 0 : decodeCursor(cursor);
  if (offset === undefined) return errors.badParameter('Invalid cursor');
  const [start, end] = after === null && before !== null ? [Math.max(0, offset - size), offset] : [offset, offset + size];
  const data = items.slice(start, Math.min(end, items.length));
  if (data.length === 0) return { status: 200, body: { data } };

  const last = start + data.length;
  const link = (set: 'after' | 'before', at: number) => {
    const url = new URL(selfUrl);
    url.searchParams.delete('after');
    url.searchParams.delete('before');
    url.searchParams.set(set, encodeCursor(at));
    return url.toString();
  };
  return {
    status: 200,
    body: {
      data,
      paging: {
        cursors: { before: encodeCursor(start), after: encodeCursor(last) },
        ...(start > 0 ? { previous: link('before', start) } : {}),
        ...(last < items.length ? { next: link('after', last) } : {}),
      },
    },
  };
}

function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  return match ? Number(match[1]) : undefined;
}
