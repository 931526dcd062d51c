/**
 * Every delay, cap, lease and deadline of the pipeline, in one place: the CDK stack
 * (lib/pipeline-settings.ts, lib/function-environment.ts), the functions (through lambdas/config.ts)
 * and the local runtime all read them from here. SCHEDULE holds the deployed values.
 *
 * One override, TIME_SCALE (validated in lambdas/config.ts): `scaledSchedule(timeScale)` multiplies
 * every wait (backoffs, settling times, the reconciler's period and thresholds, the retry and poll
 * periods) so that local runs and tests see hours as minutes and minutes as seconds. It leaves alone
 * what bounds work rather than waits for it (function and Graph timeouts, leases, the queue's
 * visibility timeout, intake's deadline): this machine does not run faster, and a lease shorter than
 * the work it guards would let a second attempt in. What Graph asks for (pacing holds) and what the
 * public contract answers (Retry-After) are not ours to scale either.
 */

/** How one step retries: capped exponential backoff with jitter, never sooner than Graph asks (domain/retry-policy.ts). */
export interface RetryPolicy {
  /** The first retry's step; each later one doubles it. */
  baseSeconds: number;
  /** Where the doubling stops. */
  maxSeconds: number;
  /**
   * A throttle that asks no wait at all: at least this long. The Graph client always gives one
   * (Graph's estimate, or its pacer's hold), so this holds for a throttled error made elsewhere.
   */
  throttledMinSeconds: number;
  /** The longest wait honoured from Graph's own estimate (Retry-After, usage headers) or a settling create. */
  maxAskedSeconds: number;
}

/** How one function instance paces its Graph calls (graph/graph-pacer.ts). */
export interface PacingSettings {
  /** Below this usage (percent), calls go out as they come, unless usage rises faster than `approachMs` allows. */
  slowDownAtPercent: number;
  /** Where usage levels off: the instances' rates are scaled so that it settles here. */
  targetPercent: number;
  /**
   * Usage may rise toward the target no faster than would reach it in this time. Graph's hour may be
   * short (the bench's sped-up simulator) or an hour: either way a burst is spread out before it
   * fills the allowance, not after, when every instance would have to stop until the hour rolls on.
   */
  approachMs: number;
  /**
   * The longest a call waits: for its turn (then it goes), or for a hold to end (a longer hold
   * fails it, unsent). Short: a function's Graph calls, each with its wait, must still fit its
   * timeout.
   */
  maxWaitMs: number;
  /** A throttle without Graph's estimate (or an answer reading 100 %) holds this long, doubling while they repeat... */
  firstHoldMs: number;
  /** ...up to this. */
  maxHoldMs: number;
}

const FUNCTION_TIMEOUT_SECONDS = {
  /** Far below the HTTP API's 30 s integration timeout and CloudFront's 30 s origin timeout. */
  intake: 15,
  /** One message per invocation: a listing and a create, each with its Graph timeout and pacing wait. */
  createSolution: 30,
  /** Three Graph calls at most per record (read to check, accept, read again after a refusal). */
  acceptSolution: 40,
  /** One pass a minute; a pass stops starting items well before its timeout (`minTimeLeftMs`, lambdas/config.ts). */
  reconcile: 60,
  /** Meta's webhook calls: no Graph, a few table writes; Meta wants an answer fast. */
  webhook: 10,
  /** One client's credit line: at most seven Graph calls (business token, funding, allocations, assignment, share, verify), each with its timeout and pacing wait. */
  shareCredit: 120,
  /** Once a day: the client WABAs shared with us, paged, and each unrecorded one's solutions. */
  discoverClients: 300,
};

/** How long a create-queue message (and the Tech Provider's token in it) may wait at most. */
const CREATE_MESSAGE_RETENTION_SECONDS = 24 * 3600;

/** SQS's longest message delay (DelaySeconds). */
const SQS_MAX_DELAY_SECONDS = 900;

/**
 * Graph's own rate limit. Calls wait 3 s at most: the longest wait that keeps every function's Graph
 * calls, each with its timeout, within its function's timeout (the accept's three: 3 × (10 + 3) s of
 * 40 s), so that the instances' calls, many at once in a burst, can be spread out. Usage levels off
 * at 90 %, approached over 5 s at the fastest; throttles hold up to a minute.
 */
const GRAPH_PACING: PacingSettings = { slowDownAtPercent: 80, targetPercent: 90, approachMs: 5_000, maxWaitMs: 3_000, firstHoldMs: 1_000, maxHoldMs: 60_000 };

/** The deployed values. */
export const SCHEDULE = {
  functionTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
  /**
   * Each Graph call's timeout: intake makes up to four in a row (debug_token, listing pages) within
   * its deadline; the workers' calls, each with its pacing wait, fit their function's timeout.
   */
  graphTimeoutMs: { intake: 3_000, createSolution: 10_000, acceptSolution: 10_000, reconcile: 10_000, shareCredit: 10_000, discoverClients: 10_000 },
  /** Intake answers within this: below its function's timeout. */
  intakeDeadlineMs: 10_000,
  /**
   * What intake keeps of its deadline for its writes: its Graph calls are cut off this long before it,
   * and a check they could not finish is deferred (a VERIFYING onboarding, its verify message).
   */
  intakeWriteReserveMs: 3_000,
  /** What intake keeps of its function's remaining time to send its answer. */
  intakeAnswerMarginMs: 1_000,
  /** What a reconciler pass keeps per item beside its Graph calls: the item's writes. */
  reconcileItemWritesMs: 5_000,
  /** How long a warm function keeps a secret before reading it again: a replaced secret is picked up within this. */
  secretCacheSeconds: 300,
  /**
   * The most changes (in all its entries) one webhook delivery may carry; more is refused `413`
   * before anything is written. Our bound: Meta's Webhooks guide is known for batches of up to 1000
   * updates (not stated in the copy of its pages we read), and each change we act on costs a few table
   * calls, which must fit the webhook function's timeout: taken in part, a body would time out and be
   * delivered again for ever.
   */
  webhookMaxChanges: 1000,
  graphPacing: GRAPH_PACING,

  /**
   * Create attempts ride on their SQS message (its visibility, which may be set up to 12 hours): the
   * message's receives bound them (createQueue.maxReceiveCount), so that the Tech Provider's token,
   * which expires within hours, is used while it lasts.
   */
  createBackoff: { baseSeconds: 2, maxSeconds: 900, throttledMinSeconds: 60, maxAskedSeconds: 900 } satisfies RetryPolicy,
  /**
   * Accept attempts are scheduled on the record (`nextAttemptAt`) and picked up by the reconciler for
   * the whole retry period: the doubling stops at a quarter of an hour, and a throttle's estimate is
   * honoured up to an hour.
   */
  acceptBackoff: { baseSeconds: 10, maxSeconds: 900, throttledMinSeconds: 60, maxAskedSeconds: 3600 } satisfies RetryPolicy,
  /**
   * A retry scheduled on the record (an accept's, a credit share's) is woken when it is due by a
   * delayed message on its function's wake queue, not at the reconciler's next pass (which stays the
   * net for a wake that is lost). A wait past SQS's longest delay is reached in steps: a message that
   * comes before its due time is sent again for the rest.
   */
  wakeQueues: {
    maxDelaySeconds: SQS_MAX_DELAY_SECONDS,
    /** Lambda's guidance, as for the create queue: at least 6× the consumer's timeout. */
    visibilityTimeoutSeconds: { acceptSolution: 6 * FUNCTION_TIMEOUT_SECONDS.acceptSolution, shareCredit: 6 * FUNCTION_TIMEOUT_SECONDS.shareCredit },
    /** Receives of a wake that keeps failing (the table, not Graph: Graph's failures are the record's) before the wake DLQ takes it. */
    maxReceiveCount: 5,
    /** Past a day the reconciler has long done a lost wake's work. */
    retentionSeconds: 24 * 3600,
  },
  /** How long a create call that ended without an answer may still take on Graph's side: the next attempt looks for it after that. */
  unknownCreateSettleSeconds: 60,
  /** How long until asking a busy holder again: a working attempt is usually done in seconds (at the latest when its create lease ends). */
  busyRetryMs: 10_000,
  /** A message for a busy solution goes back as a new one: this many times (about 45 min in all), each delayed at most SQS's maximum. */
  busyDeferrals: { max: 12, maxDelaySeconds: SQS_MAX_DELAY_SECONDS },
  /** Lifecycle news for a record that changed between its read and its write is judged again, this many times at most: a race is rare, three in a row a bug. */
  lifecycleRereads: 3,

  createQueue: {
    /** Lambda's guidance: at least 6× the consumer's timeout, so a slow batch is not redelivered mid-flight. */
    visibilityTimeoutSeconds: 6 * FUNCTION_TIMEOUT_SECONDS.createSolution,
    /**
     * Receives before a message is parked in the DLQ (transient Graph failures retry until then): with
     * the create backoff (2 s doubling, capped at 15 minutes), 24 to 47 minutes of Graph failures.
     */
    maxReceiveCount: 12,
    /** The message holds the TP token: keep it no longer than a retry window needs. */
    retentionSeconds: CREATE_MESSAGE_RETENTION_SECONDS,
    dlqRetentionSeconds: 14 * 24 * 3600,
  },
  /** One attempt may hold its solution for as long as the create worker may run. */
  createLeaseSeconds: FUNCTION_TIMEOUT_SECONDS.createSolution,
  acceptRetry: {
    /** Accepts are retried for a day by default (context `acceptRetryHours`). */
    periodHours: 24,
    /** An attempt holds its solution for as long as a function that accepts may run. */
    leaseSeconds: Math.max(FUNCTION_TIMEOUT_SECONDS.acceptSolution, FUNCTION_TIMEOUT_SECONDS.reconcile),
  },
  /**
   * Credit sharing retries as accepts do (acceptBackoff, acceptRetry.periodHours: the same machinery):
   * an attempt holds its client for as long as the share worker may run.
   */
  shareLeaseSeconds: FUNCTION_TIMEOUT_SECONDS.shareCredit,
  clients: {
    /** The daily pass over the client WABAs shared with us (Meta's fallback when webhooks fail). */
    discoveryIntervalHours: 24,
    /** WABAs one pass reads at most (pages of 100); the next pass goes on from where it stopped (its cursor is kept). */
    maxWabasPerPass: 1000,
    /** A NEW client no worker took for this long was missed by the stream. */
    shareHandoffSeconds: 120,
    /** Meta's allowance: new clients per Tech Provider in any `allowanceDays` days; the alarm warns at `warnAtPercent` of it. */
    weeklyLimit: 200,
    allowanceDays: 7,
    warnAtPercent: 80,
  },
  reconciler: {
    /** EventBridge Scheduler runs it this often, the local runtime on a timer of the same period. */
    intervalSeconds: 60,
    /**
     * An unsettled item this long past its next attempt time, with no create message waiting, has lost
     * its message: longer than the visibility timeout, after which even a message whose backoff could
     * not be set comes back.
     */
    stalledAfterSeconds: 300,
    /** A CREATED solution that no accept attempt touched for this long was missed by the stream. */
    acceptHandoffSeconds: 120,
  },
  /**
   * A live solution with no lifecycle news (webhook) for this long (context `lifecyclePollHours`) is
   * read again on Graph by the reconciler, Meta's recommended fallback when webhooks fail.
   */
  lifecyclePollAfterHours: 24,
  /**
   * An onboarding whose token intake could not check in time (Graph throttling, failing or slow) waits
   * VERIFYING for its verify message, until the token's lifetime ends at the latest: what the POST says
   * (FB.login's `expiresIn`) until debug_token's `expires_at` is known. Meta's user tokens from the
   * login dialog are short-lived, about one to two hours: a POST that says nothing gets the shorter.
   * No lifetime counts for longer than the create queue keeps the message that holds the token.
   * Not scaled: the token's lifetime is Meta's, not ours.
   */
  verification: { defaultTokenLifetimeSeconds: 3600, maxTokenLifetimeSeconds: CREATE_MESSAGE_RETENTION_SECONDS },
  /** What intake's Retry-After tells a browser (the public contract): a throttle without Graph's estimate, and an outage. */
  intakeRetryAfterSeconds: { throttled: 60, unavailable: 5 },
};

export type Schedule = typeof SCHEDULE;

/** Scaled waits in whole seconds (what SQS, the environment and the records take), never below one. */
const seconds = (value: number, timeScale: number) => Math.max(1, Math.round(value * timeScale));
const backoff = (policy: RetryPolicy, timeScale: number): RetryPolicy => ({
  baseSeconds: seconds(policy.baseSeconds, timeScale),
  maxSeconds: seconds(policy.maxSeconds, timeScale),
  throttledMinSeconds: seconds(policy.throttledMinSeconds, timeScale),
  maxAskedSeconds: seconds(policy.maxAskedSeconds, timeScale),
});

/** SCHEDULE with every wait multiplied by `timeScale` (1: the deployed values); what bounds work is kept (see above). */
export function scaledSchedule(timeScale: number): Schedule {
  if (timeScale === 1) return SCHEDULE;
  return {
    ...SCHEDULE,
    createBackoff: backoff(SCHEDULE.createBackoff, timeScale),
    acceptBackoff: backoff(SCHEDULE.acceptBackoff, timeScale),
    unknownCreateSettleSeconds: seconds(SCHEDULE.unknownCreateSettleSeconds, timeScale),
    busyRetryMs: seconds(SCHEDULE.busyRetryMs / 1000, timeScale) * 1000,
    reconciler: {
      intervalSeconds: seconds(SCHEDULE.reconciler.intervalSeconds, timeScale),
      // Still longer than the visibility timeout (not scaled), for the reason above, by the deployed
      // margin scaled: a message received just before its worker died (the local runtime killed)
      // comes back a visibility timeout after its receive, before its item counts as stalled.
      stalledAfterSeconds: SCHEDULE.createQueue.visibilityTimeoutSeconds + seconds(SCHEDULE.reconciler.stalledAfterSeconds - SCHEDULE.createQueue.visibilityTimeoutSeconds, timeScale),
      acceptHandoffSeconds: seconds(SCHEDULE.reconciler.acceptHandoffSeconds, timeScale),
    },
    acceptRetry: { ...SCHEDULE.acceptRetry, periodHours: SCHEDULE.acceptRetry.periodHours * timeScale },
    lifecyclePollAfterHours: SCHEDULE.lifecyclePollAfterHours * timeScale,
    clients: {
      ...SCHEDULE.clients,
      discoveryIntervalHours: SCHEDULE.clients.discoveryIntervalHours * timeScale,
      shareHandoffSeconds: seconds(SCHEDULE.clients.shareHandoffSeconds, timeScale),
    },
  };
}
