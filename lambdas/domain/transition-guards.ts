import { when, type Condition } from './item-move';
import type { GuardName, SameSecond, TransitionRequest } from './transition-spec';

/** Each guard of the transition table (solution-transitions.ts), as a condition on the item. */

const need = <T>(value: T | undefined, guard: GuardName, field: string): T => {
  if (value === undefined) throw new Error(`guard ${guard} needs ${field}`);
  return value;
};

/** Same second as the record's news: a read's news always wins; a webhook's only when further along, and not over a read's. */
const SAME_SECOND: Record<SameSecond, (at: string) => Condition[]> = {
  always: (at) => [when.eq('lifecycleAt', at)],
  'unless-read': (at) => [when.all(when.eq('lifecycleAt', at), when.absent('lifecycleRead'))],
  never: () => [],
};

export const GUARDS: Record<GuardName, (r: TransitionRequest<string>) => Condition> = {
  // Only CREATING carries a lease (a claim sets it; nothing leads to PENDING with one), so a PENDING item is always unclaimed.
  unclaimed: (r) => when.any(when.absent('leaseExpiresAt'), when.lt('leaseExpiresAt', r.now.getTime())),
  createAttempt: (r) => when.eq('attempts', need(r.attempt, 'createAttempt', 'attempt')),
  acceptAttempt: (r) => when.eq('acceptAttempts', need(r.attempt, 'acceptAttempt', 'attempt')),
  acceptDue: (r) =>
    need(r.first, 'acceptDue', 'first')
      ? when.absent('acceptAttempts')
      : when.any(when.le('nextAttemptAt', r.now.toISOString()), when.all(when.absent('nextAttemptAt'), when.le('updatedAt', (r.handoffBefore ?? r.now).toISOString()))),
  shareAttempt: (r) => when.eq('shareAttempts', need(r.attempt, 'shareAttempt', 'attempt')),
  leftBefore: (r) => when.lt('removedAt', need(r.observedAt, 'leftBefore', 'observedAt').toISOString()),
  newerNews: (r) => {
    const at = need(r.observedAt, 'newerNews', 'observedAt').toISOString();
    return when.any(when.absent('lifecycleAt'), when.lt('lifecycleAt', at), ...SAME_SECOND[need(r.sameSecond, 'newerNews', 'sameSecond')](at));
  },
  nextAttemptSeen: (r) => {
    const seen = need(r.seenNextAttemptAt, 'nextAttemptSeen', 'seenNextAttemptAt');
    return seen === null ? when.absent('nextAttemptAt') : when.eq('nextAttemptAt', seen);
  },
  updatedAtSeen: (r) => {
    const seen = when.eq('updatedAt', need(r.seenUpdatedAt, 'updatedAtSeen', 'seenUpdatedAt'));
    return r.changedBy === undefined ? seen : when.all(seen, when.le('updatedAt', r.changedBy));
  },
  attemptsSeen: (r) => when.eq('attempts', need(r.seenAttempts, 'attemptsSeen', 'seenAttempts')),
  failedFor: (r) => when.eq('lastError.reason', need(r.failedFor, 'failedFor', 'failedFor')),
};
