import { type SolutionRecord } from '../../lambdas/domain/records';
import { SOLUTION_STATUSES, type SolutionStatus } from '../../lambdas/domain/solution-status';
import type { RecordStore } from '../../lambdas/domain/records/record-store';
import { EXIT, OpsError } from '../ops-error';
import { attemptsOf, errorText, solutionSummary, table, when, type CommandResult } from '../format';
import { mergeNewestFirst, newerFirst as newerFirstBy } from '../newest-first';

export interface ListOptions {
  statuses?: SolutionStatus[];
  appId?: string;
  onboardingId?: string;
  /** ISO 8601: items changed at or after it. */
  since?: string;
  limit: number;
  /** The `next` of the previous page. */
  after?: string;
}

/** Where a page ends: the last item's change time and key; the next page starts strictly after it. */
interface Cursor {
  updatedAt: string;
  key: string;
}

const keyOf = (s: SolutionRecord) => `${s.onboardingId}/${s.appId}`;
/** Newest change first; ties by key, so that every item has one place in the order. */
const newerFirst = newerFirstBy(keyOf);
const isAfter = (s: SolutionRecord, cursor: Cursor | undefined) => !cursor || s.updatedAt < cursor.updatedAt || (s.updatedAt === cursor.updatedAt && keyOf(s) < cursor.key);

const encodeCursor = (s: SolutionRecord) => Buffer.from(JSON.stringify({ updatedAt: s.updatedAt, key: keyOf(s) } satisfies Cursor)).toString('base64url');
function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  try {
    const cursor = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
    if (typeof cursor.updatedAt === 'string' && typeof cursor.key === 'string') return cursor;
  } catch {
    // reported below
  }
  throw OpsError.usage('--after: not a cursor this command printed');
}

/**
 * Solution items, newest change first, one page of `limit`. Each source is one Query: the onboarding's
 * partition, the app's `byAppId` entries (a few per app), or the `byStatus` index per status read
 * newest first and merged, page by page as far as the page needs (never a Scan).
 */
export async function listSolutions(store: RecordStore, options: ListOptions): Promise<{ items: SolutionRecord[]; next?: string }> {
  const cursor = decodeCursor(options.after);
  const wanted = (s: SolutionRecord) =>
    (!options.statuses || options.statuses.includes(s.status)) &&
    (!options.appId || s.appId === options.appId) &&
    (!options.since || s.updatedAt >= options.since) &&
    isAfter(s, cursor);

  let found: SolutionRecord[];
  if (options.onboardingId || options.appId) {
    const items = options.onboardingId ? ((await store.getOnboarding(options.onboardingId))?.solutions ?? []) : await store.findByAppId(options.appId!);
    found = items.filter(wanted).sort(newerFirst).slice(0, options.limit + 1);
  } else {
    found = await mergeNewestFirst(
      (options.statuses ?? SOLUTION_STATUSES).map((status) => store.newestInStatus(status, { since: options.since, until: cursor?.updatedAt }, options.limit + 1)),
      keyOf,
      wanted,
      options.limit + 1,
    );
  }
  const items = found.slice(0, options.limit);
  return { items, ...(found.length > options.limit ? { next: encodeCursor(items.at(-1)!) } : {}) };
}

/** Why an onboarding has no solution to list: its login is still being checked, or the check failed. */
async function withoutSolutions(store: RecordStore, onboardingId: string | undefined): Promise<string[]> {
  const onboarding = onboardingId ? (await store.getOnboarding(onboardingId))?.onboarding : undefined;
  if (onboarding?.status === 'VERIFYING') return [`Onboarding ${onboardingId} is VERIFYING: its login is checked once Graph allows, until ${when(onboarding.verifyBy)}; its solutions come then.`];
  if (onboarding?.status === 'VERIFY_FAILED') return [`Onboarding ${onboardingId} FAILED its login's check (${onboarding.verifyError?.code ?? '-'}): it has no solutions.`];
  return [];
}

export async function listCommand(store: RecordStore, options: ListOptions): Promise<CommandResult> {
  const { items, next } = await listSolutions(store, options);
  const lines =
    items.length === 0
      ? ['No solutions match.', ...(await withoutSolutions(store, options.onboardingId))]
      : table(
          ['UPDATED', 'STATUS', 'ONBOARDING', 'APP', 'SOLUTION', 'TRIES', 'ERROR'],
          items.map((s) => [when(s.updatedAt), s.status, s.onboardingId, `${s.appId} ${s.appName}`, s.solutionId ?? '-', attemptsOf(s), errorText(s.lastError)]),
        );
  if (next) lines.push('', `More: add --after ${next}`);
  return { data: { items: items.map(solutionSummary), ...(next ? { next } : {}) }, lines, exitCode: EXIT.ok };
}
