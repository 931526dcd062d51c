import type { LifecycleSource, SolutionRecord } from '../records';
import type { LiveStatus, SolutionStatus } from '../solution-status';
import type { SameSecond } from '../transition-spec';
import type { TransitionWriter } from './transition-writer';

/** Lifecycle news: where it came from, and whether it goes further along than the status it replaces. */
export interface LifecycleWrite {
  /** A read's news holds for its whole second; a webhook's gives way to a read of the same second. */
  source: LifecycleSource;
  /** For a webhook: news of the same second as the record's wins only when further along. */
  furtherAlong: boolean;
  /** Entering PENDING_DEACTIVATION: the live status to go back to if the request is declined. */
  liveStatus?: LiveStatus;
}

/** Lifecycle news, and the reconciler's poll of live solutions. */
export function lifecycleRecords(writer: TransitionWriter) {
  return {
    /**
     * `record` moves from the status it was read in to `to`, noting `observedAt` as the time of the
     * newest news it shows; only if that news is newer than what the record shows already. From the
     * same second: a read's news always (it saw the state after anything that happened in that
     * second), a webhook's only when further along and the record's news is not a read's.
     */
    recordLifecycle(record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status'>, to: SolutionStatus, observedAt: Date, now: Date, news: LifecycleWrite): Promise<boolean> {
      const sameSecond: SameSecond = news.source === 'read' ? 'always' : news.furtherAlong ? 'unless-read' : 'never';
      return writer.applied(record, 'recordLifecycle', { now, from: record.status, to, observedAt, sameSecond, source: news.source, liveStatus: news.liveStatus });
    },
    /** A live solution whose read Graph refused, or whose news moved nothing: the next poll comes a whole poll period later. */
    deferLifecyclePoll: (record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status' | 'updatedAt'>, now: Date) =>
      writer.applied(record, 'deferLifecyclePoll', { now, from: record.status, seenUpdatedAt: record.updatedAt }),
  };
}
