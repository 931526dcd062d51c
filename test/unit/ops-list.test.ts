import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { listSolutions } from '../../ops/commands/list';

/**
 * `list`'s paging over the `byStatus` index, on a store that orders items changed at the same moment
 * against their keys (an index promises no order among equal sort keys).
 */
const at = (second: number) => new Date(Date.UTC(2026, 10, 28, 12, 0, second)).toISOString();
const item = (onboardingId: string, appId: string, status: SolutionStatus, updatedAt: string) =>
  ({ onboardingId, appId, appName: appId, solutionName: appId, status, attempts: 1, createdAt: at(0), updatedAt }) as SolutionRecord;

const ITEMS = [
  item('ob-a', '1', 'PENDING', at(5)),
  item('ob-a', '2', 'PENDING', at(5)),
  item('ob-a', '3', 'PENDING', at(5)),
  item('ob-b', '1', 'ACCEPTED', at(5)),
  item('ob-b', '2', 'ACCEPTED', at(9)),
  item('ob-c', '1', 'CREATE_FAILED', at(1)),
];

const store = {
  async *newestInStatus(status: SolutionStatus, window: { since?: string; until?: string }) {
    const inWindow = ITEMS.filter((i) => i.status === status && (!window.since || i.updatedAt >= window.since) && (!window.until || i.updatedAt <= window.until));
    // Newest first; ties in ascending key order, the opposite of the list's.
    yield* inWindow.sort((a, b) => (a.updatedAt === b.updatedAt ? (`${a.onboardingId}/${a.appId}` < `${b.onboardingId}/${b.appId}` ? -1 : 1) : a.updatedAt < b.updatedAt ? 1 : -1));
  },
} as unknown as RecordStore;

async function everyPage(limit: number, options: { statuses?: SolutionStatus[]; since?: string } = {}) {
  const pages: string[][] = [];
  let after: string | undefined;
  do {
    const page = await listSolutions(store, { ...options, limit, ...(after ? { after } : {}) });
    pages.push(page.items.map((i) => `${i.onboardingId}/${i.appId}`));
    after = page.next;
  } while (after && pages.length < 20);
  return pages;
}

describe('list pages', () => {
  test('every solution once, newest change first, ties in one order, whatever the page size', async () => {
    const expected = ['ob-b/2', 'ob-b/1', 'ob-a/3', 'ob-a/2', 'ob-a/1', 'ob-c/1'];
    for (const limit of [1, 2, 4, 6, 10]) expect((await everyPage(limit)).flat()).toEqual(expected);
    expect(await everyPage(2)).toEqual([['ob-b/2', 'ob-b/1'], ['ob-a/3', 'ob-a/2'], ['ob-a/1', 'ob-c/1']]);
  });

  test('statuses and --since narrow it; the last page has no cursor', async () => {
    expect((await everyPage(1, { statuses: ['PENDING'] })).flat()).toEqual(['ob-a/3', 'ob-a/2', 'ob-a/1']);
    expect(await everyPage(10, { since: at(5) })).toEqual([['ob-b/2', 'ob-b/1', 'ob-a/3', 'ob-a/2', 'ob-a/1']]);
  });
});
