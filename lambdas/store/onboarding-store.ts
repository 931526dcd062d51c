import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { HISTORY_LIMIT, historyEntry, wholeSecond, type HistoryEntry, type Onboarding, type OnboardingRecord, type RecordedError, type SolutionRecord } from '../domain/records';
import { busyRetryInMs, canMove, foundLiveStatus, LIVE, UNDER_WAY, UNSETTLED, type FailureReason, type LiveStatus, type SolutionStatus } from '../domain/solution-status';
import { ENTITY, keys, TABLE_LAYOUT } from './table-layout';

/** DynamoDB allows 100 items per transaction: the token guard, the onboarding and one item per app. */
export const MAX_APPS_PER_ONBOARDING = 98;

/** How long a create attempt holds its item, and when its message comes back if the attempt dies. */
export interface CreateTiming {
  leaseMs: number;
  redeliveryMs: number;
}

export type CreateClaim =
  /**
   * This attempt may create the solution; `attempt` fences every later write of this attempt.
   * `tookOverGuard`: the app's guard was released from another onboarding's item that had failed,
   * whose solution may still be on Graph.
   */
  | { kind: 'claimed'; record: SolutionRecord; attempt: number; tookOverGuard: boolean }
  /** Another attempt holds this solution, or another onboarding is creating one for the same app; worth trying again in `retryInMs`. */
  | { kind: 'busy'; retryInMs: number }
  /** Nothing left to do: a duplicate delivery. */
  | { kind: 'settled'; record: SolutionRecord | undefined }
  /** Another onboarding already holds a live solution for this app: `holder` is its item. */
  | { kind: 'existing'; holder: LiveHolder };

/** The item of the onboarding that holds an app's live solution. */
export type LiveHolder = Pick<SolutionRecord, 'status' | 'lifecycleAt'> & { solutionId: string };

/** Lifecycle news: where it came from, and whether it goes further along than the status it replaces. */
export interface LifecycleWrite {
  /** A read's news holds for its whole second; a webhook's gives way to a read of the same second. */
  source: 'webhook' | 'read';
  /** For a webhook: news of the same second as the record's wins only when further along. */
  furtherAlong: boolean;
  /** Entering PENDING_DEACTIVATION: the live status to go back to if the request is declined. */
  liveStatus?: LiveStatus;
}

/** A live solution whose deactivation its owner requested returns to EXISTING if the request is declined. */
const existingSet = (deactivationPending: boolean) => (deactivationPending ? { liveStatus: 'EXISTING' } : {});
/** Whether news of the same second as the record's may replace it (see `recordLifecycle`). */
type SameSecond = 'always' | 'unless-read' | 'never';
const SAME_SECOND: Record<SameSecond, string> = {
  always: ' OR lifecycleAt = :newsAt',
  'unless-read': ' OR (lifecycleAt = :newsAt AND attribute_not_exists(lifecycleRead))',
  never: '',
};

/** Appends `:historyEntry` to the item's timeline (`#history` bound to `history`). */
const APPEND_HISTORY = '#history = list_append(if_not_exists(#history, :noHistory), :historyEntry)';
const historyValues = (entry: HistoryEntry) => ({ ':noHistory': [], ':historyEntry': [entry] });

/** What a transition adds to the timeline beyond its status and time. */
type HistoryDetail = Parameters<typeof historyEntry>[2];

/** Change times (ISO 8601) bounding a `byStatus` query, both ends included. */
type StatusWindow = { since?: string | undefined; until?: string | undefined };

/** A solution item that no attempt holds: PENDING, or CREATING with its lease run out. */
const CLAIMABLE = '#status = :pending OR (#status = :creating AND leaseExpiresAt < :nowMs)';
const claimableValues = (now: Date) => ({ ':pending': 'PENDING', ':creating': 'CREATING', ':nowMs': now.getTime() });
/** A transition's source that is not one status: an item no attempt holds (`CLAIMABLE`). */
const UNCLAIMED = 'unclaimed';

/** Try again once `holder` (the item, or the app's holder; unknown when absent) may have moved on. */
const busy = (holder: SolutionRecord | undefined, now: Date): CreateClaim => ({ kind: 'busy', retryInMs: busyRetryInMs(holder, now) });

/**
 * Records of onboardings and their solutions. Every status transition is a conditional write, so a
 * duplicate message or stream record can never apply a transition twice.
 */
export class OnboardingStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async findOnboardingIdByFingerprint(fingerprint: string): Promise<string | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.tokenGuard(fingerprint), ConsistentRead: true }));
    return Item?.onboardingId as string | undefined;
  }

  /** Writes the onboarding atomically; `duplicate` when the same token already started one. */
  async createOnboarding({ onboarding, solutions }: Onboarding): Promise<'created' | 'duplicate'> {
    if (solutions.length > MAX_APPS_PER_ONBOARDING) throw new RangeError(`at most ${MAX_APPS_PER_ONBOARDING} apps per onboarding`);
    const put = (Item: Record<string, unknown>) => ({
      Put: { TableName: this.tableName, Item, ConditionExpression: 'attribute_not_exists(pk)' },
    });
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            put({ ...keys.tokenGuard(onboarding.tokenFingerprint), entity: ENTITY.tokenGuard, onboardingId: onboarding.onboardingId, createdAt: onboarding.createdAt }),
            put({ ...keys.onboarding(onboarding.onboardingId), entity: ENTITY.onboarding, ...onboarding }),
            ...solutions.map((s) => put({ ...keys.solution(s.onboardingId, s.appId), entity: ENTITY.solution, ...s, history: [historyEntry(new Date(s.createdAt), s.status)] })),
          ],
        }),
      );
      return 'created';
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed') return 'duplicate';
      throw error;
    }
  }

  async getOnboarding(onboardingId: string): Promise<Onboarding | undefined> {
    const items = await this.queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.onboarding(onboardingId).pk }, ConsistentRead: true });
    const onboarding = items.find((i) => i.entity === ENTITY.onboarding);
    if (!onboarding) return undefined;
    return {
      onboarding: onboarding as unknown as OnboardingRecord,
      solutions: items.filter((i) => i.entity === ENTITY.solution) as unknown as SolutionRecord[],
    };
  }

  async markEnqueued(onboardingId: string, at: Date): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.onboarding(onboardingId),
        UpdateExpression: 'SET enqueuedAt = :at, updatedAt = :at',
        ExpressionAttributeValues: { ':at': at.toISOString() },
        ConditionExpression: 'attribute_exists(pk)',
      }),
    );
  }

  async getSolution(onboardingId: string, appId: string): Promise<SolutionRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.solution(onboardingId, appId), ConsistentRead: true }));
    return Item as SolutionRecord | undefined;
  }

  /**
   * Takes the right to create this app's solution for `leaseMs`, together with the app's guard: one
   * (Tech Provider app, partner app) pair has at most one onboarding creating or holding a solution.
   * A PENDING item is claimed; so is a CREATING item whose lease ran out (an attempt failed or died
   * mid-way), and the caller must then look on Graph for what that attempt may have created.
   * `nextAttemptAt` becomes the time this attempt's message comes back should the attempt die
   * (`redeliveryMs`, the queue's visibility timeout).
   */
  async claimForCreate(onboardingId: string, appId: string, now: Date, timing: CreateTiming, retried = false): Promise<CreateClaim> {
    requireMoves(['PENDING', 'CREATING'], 'CREATING');
    const refused = await this.updateWithAppGuard(onboardingId, appId, now, {
      update: `SET #status = :creating, attempts = attempts + :one, leaseExpiresAt = :lease, nextAttemptAt = :next, updatedAt = :now, ${APPEND_HISTORY}`,
      condition: CLAIMABLE,
      names: { '#status': 'status', '#history': 'history' },
      values: {
        ...claimableValues(now),
        // The attempt's number is only known once claimed: the entry says it took the item.
        ...historyValues(historyEntry(now, 'CREATING', { note: retried ? 'claimed, taking the app over from a failed onboarding' : 'claimed' })),
        ':one': 1,
        ':lease': now.getTime() + timing.leaseMs,
        ':next': new Date(now.getTime() + timing.redeliveryMs).toISOString(),
        ':now': now.toISOString(),
      },
    });
    if (refused === 'item') {
      const current = await this.getSolution(onboardingId, appId);
      return current && UNDER_WAY.has(current.status) ? busy(current, now) : { kind: 'settled', record: current };
    }
    if (refused === 'guard') return this.guardHeldElsewhere(onboardingId, appId, now, timing, retried);
    const record = await this.getSolution(onboardingId, appId);
    if (!record) throw new Error(`solution item ${onboardingId}/${appId} vanished after its claim`);
    await this.trimHistory(record);
    return { kind: 'claimed', record, attempt: record.attempts, tookOverGuard: retried };
  }

  /** The app's guard names another onboarding: defer to its live solution, wait, or take over a dead guard. */
  private async guardHeldElsewhere(onboardingId: string, appId: string, now: Date, timing: CreateTiming, retried: boolean): Promise<CreateClaim> {
    const { holderId, holder } = await this.appGuardHolder(appId);
    if (holder && LIVE.has(holder.status) && holder.solutionId) return { kind: 'existing', holder: { ...holder, solutionId: holder.solutionId } };
    // Not yet live: until the holder's solution is accepted (or fails), this one waits.
    if (holder && UNSETTLED.has(holder.status)) return busy(holder, now);
    // The holder failed or is gone: release its guard (only if still its) and claim once more.
    if (retried || !holderId) return busy(undefined, now);
    await this.releaseAppGuard(appId, holderId);
    return this.claimForCreate(onboardingId, appId, now, timing, true);
  }

  /** A transaction's write of the app's guard for `onboardingId`: unless another onboarding holds it. */
  private takeAppGuard(appId: string, onboardingId: string, now: Date) {
    return {
      Put: {
        TableName: this.tableName,
        Item: { ...keys.appGuard(appId), entity: ENTITY.appGuard, onboardingId, claimedAt: now.toISOString() },
        ConditionExpression: 'attribute_not_exists(pk) OR onboardingId = :mine',
        ExpressionAttributeValues: { ':mine': onboardingId },
      },
    };
  }

  /**
   * One conditional update of a solution item together with taking its app's guard, both or neither:
   * undefined when done, else which condition refused it (the item's, or the guard's: another onboarding holds it).
   */
  private async updateWithAppGuard(
    onboardingId: string,
    appId: string,
    now: Date,
    change: { update: string; condition: string; names: Record<string, string>; values: Record<string, unknown> },
  ): Promise<'item' | 'guard' | undefined> {
    try {
      await this.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.solution(onboardingId, appId),
                UpdateExpression: change.update,
                ConditionExpression: change.condition,
                ExpressionAttributeNames: change.names,
                ExpressionAttributeValues: change.values,
              },
            },
            this.takeAppGuard(appId, onboardingId, now),
          ],
        }),
      );
      return undefined;
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [item, guard] = error.CancellationReasons ?? [];
      if (item?.Code === 'ConditionalCheckFailed') return 'item';
      if (guard?.Code === 'ConditionalCheckFailed') return 'guard';
      throw error;
    }
  }

  /** The onboarding whose solution item holds the app's guard, and that item. */
  async appGuardHolder(appId: string): Promise<{ holderId?: string; holder?: SolutionRecord }> {
    const { Item: guard } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.appGuard(appId), ConsistentRead: true }));
    const holderId = guard?.onboardingId as string | undefined;
    return { holderId, holder: holderId ? await this.getSolution(holderId, appId) : undefined };
  }

  /** Removes the app's guard if `holderId` still holds it. */
  async releaseAppGuard(appId: string, holderId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.appGuard(appId),
          ConditionExpression: 'onboardingId = :holder',
          ExpressionAttributeValues: { ':holder': holderId },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Records the solution this attempt created or adopted; false when the attempt lost its claim. The
   * stream hands it to the accept worker; the reconciler takes over if none has tried by the handoff.
   */
  recordCreated(onboardingId: string, appId: string, attempt: number, solutionId: string, now: Date, adoptedName?: string): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATED', now, {
      // An adopted solution of ours keeps the name it was made with: the accept's check compares it.
      set: { solutionId, ...(adoptedName === undefined ? {} : { solutionName: adoptedName }) },
      remove: ['leaseExpiresAt', 'lastError', 'nextAttemptAt'],
      history: { attempt, note: adoptedName === undefined ? `solution ${solutionId}` : `adopted solution ${solutionId}` },
    });
  }

  /**
   * Records that this attempt found the app's live solution with us on Graph: EXISTING, or, if its
   * owner asked to deactivate it, PENDING_DEACTIVATION (news true at `now`) like the solution.
   */
  recordExistingFound(onboardingId: string, appId: string, attempt: number, solution: { id: string; deactivationPending: boolean }, now: Date): Promise<boolean> {
    const news = solution.deactivationPending ? { lifecycleAt: wholeSecond(now).toISOString(), lifecycleRead: true } : {};
    return this.transition(onboardingId, appId, { from: 'CREATING', attempt }, foundLiveStatus(solution.deactivationPending), now, {
      set: { solutionId: solution.id, ...existingSet(solution.deactivationPending), ...news },
      remove: ['leaseExpiresAt', 'lastError', 'nextAttemptAt'],
      history: { attempt, note: `live solution ${solution.id} found on Graph` },
    });
  }

  /** Records, without a claim, that another onboarding holds this app's live solution: the holder's live state, as EXISTING. */
  recordExistingElsewhere(onboardingId: string, appId: string, holder: LiveHolder, now: Date): Promise<boolean> {
    const pending = holder.status === 'PENDING_DEACTIVATION';
    return this.transition(onboardingId, appId, { from: UNCLAIMED }, foundLiveStatus(pending), now, {
      set: { solutionId: holder.solutionId, ...existingSet(pending), ...(pending && holder.lifecycleAt ? { lifecycleAt: holder.lifecycleAt } : {}) },
      remove: ['leaseExpiresAt', 'lastError', 'nextAttemptAt'],
      history: { note: `app's live solution ${holder.solutionId} is another onboarding's` },
    });
  }

  /** Ends this attempt in CREATE_FAILED and frees the app for a later onboarding. */
  async recordCreateFailed(onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date): Promise<boolean> {
    const applied = await this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATE_FAILED', now, {
      set: { lastError: error },
      remove: ['leaseExpiresAt', 'nextAttemptAt'],
      history: { attempt, error },
    });
    if (applied) await this.releaseAppGuard(appId, onboardingId);
    return applied;
  }

  /**
   * Ends in CREATE_FAILED an item that never got past PENDING (its message is gone): nothing of it
   * reached Graph, and it holds no app guard. Only while its next attempt time is still `seenNextAttemptAt`
   * (absent when none): a delivery noted since then means its message is alive.
   */
  recordNeverCreated(onboardingId: string, appId: string, error: RecordedError, now: Date, seenNextAttemptAt: string | undefined): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'PENDING', nextAttemptAt: seenNextAttemptAt ?? null }, 'CREATE_FAILED', now, {
      set: { lastError: error },
      remove: ['nextAttemptAt'],
      history: { error },
    });
  }

  /**
   * After a retryable failure: keep CREATING (the attempt may have reached Graph), let the next
   * attempt in at `notBefore` (epoch ms; now when 0), once whatever this attempt started has settled,
   * and note when its message comes back: `nextAttempt`, or none (the message's receives are used up).
   */
  async releaseCreateLease(
    onboardingId: string,
    appId: string,
    attempt: number,
    error: RecordedError,
    now: Date,
    retry: { notBefore: number; nextAttempt: Date | undefined },
  ): Promise<void> {
    await this.transition(onboardingId, appId, { from: 'CREATING', attempt }, 'CREATING', now, {
      set: { lastError: error, leaseExpiresAt: retry.notBefore, ...(retry.nextAttempt ? { nextAttemptAt: retry.nextAttempt.toISOString() } : {}) },
      remove: retry.nextAttempt ? [] : ['nextAttemptAt'],
      history: { attempt, error, note: retry.nextAttempt ? `retry at ${retry.nextAttempt.toISOString()}` : 'no delivery left: the reconciler settles it' },
    });
  }

  /** A PENDING item's message was put back to wait for the app's holder: it comes back at `at`. */
  async recordWaiting(onboardingId: string, appId: string, at: Date): Promise<void> {
    await this.conditionalUpdate(onboardingId, appId, { update: 'SET nextAttemptAt = :at', condition: '#status = :pending', values: { ':at': at.toISOString(), ':pending': 'PENDING' } });
  }

  /**
   * No delivery of this item's create message is coming any more (its receives are used up, or the
   * queue that held it is gone): the reconciler settles the item once no attempt holds it.
   */
  recordNoMoreDeliveries(onboardingId: string, appId: string, statuses: readonly SolutionStatus[] = [...UNDER_WAY]): Promise<boolean> {
    const values = Object.fromEntries(statuses.map((status, i) => [`:s${i}`, status]));
    return this.conditionalUpdate(onboardingId, appId, { update: 'REMOVE nextAttemptAt', condition: `#status IN (${Object.keys(values).join(', ')})`, values });
  }

  /**
   * Takes the right to accept a CREATED solution: the stream's first delivery (`first`), or the
   * reconciler once the item is due (its `nextAttemptAt` passed, or, for one that no attempt has
   * touched, `handoffBefore` passed its last update). The attempt holds it until `leaseMs` from now,
   * when another may take over if it died; the first attempt also fixes until when failures are retried.
   */
  async claimForAccept(
    onboardingId: string,
    appId: string,
    now: Date,
    opts: { first: boolean; leaseMs: number; retryPeriodMs: number; handoffBefore?: Date },
  ): Promise<{ record: SolutionRecord; attempt: number } | undefined> {
    const due = opts.first
      ? 'attribute_not_exists(acceptAttempts)'
      : '(nextAttemptAt <= :now OR (attribute_not_exists(nextAttemptAt) AND updatedAt <= :handoff))';
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(onboardingId, appId),
          UpdateExpression:
            'SET acceptAttempts = if_not_exists(acceptAttempts, :zero) + :one, nextAttemptAt = :lease, acceptRetryUntil = if_not_exists(acceptRetryUntil, :until), updatedAt = :now',
          ConditionExpression: `#status = :created AND ${due}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':created': 'CREATED',
            ':zero': 0,
            ':one': 1,
            ':now': now.toISOString(),
            ':lease': new Date(now.getTime() + opts.leaseMs).toISOString(),
            ':until': new Date(now.getTime() + opts.retryPeriodMs).toISOString(),
            ...(opts.first ? {} : { ':handoff': (opts.handoffBefore ?? now).toISOString() }),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      const record = Attributes as SolutionRecord;
      return { record, attempt: record.acceptAttempts ?? 1 };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }

  /** `attempt`: the accept attempt that saw it accepted, for the timeline. */
  recordAccepted(onboardingId: string, appId: string, now: Date, attempt?: number): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATED' }, 'ACCEPTED', now, { remove: ['lastError', 'nextAttemptAt'], history: { attempt } });
  }

  /** Ends the accept in ACCEPT_FAILED; only while accept attempt `attempt` still holds the item. */
  recordAcceptFailed(onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATED', acceptAttempt: attempt }, 'ACCEPT_FAILED', now, {
      set: { lastError: error },
      remove: ['nextAttemptAt'],
      history: { attempt, error },
    });
  }

  /** After a retryable accept failure: the next attempt is due at `nextAttempt`; false if this attempt no longer holds the item. */
  recordAcceptRetry(onboardingId: string, appId: string, attempt: number, error: RecordedError, now: Date, nextAttempt: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATED', acceptAttempt: attempt }, 'CREATED', now, {
      set: { lastError: error, nextAttemptAt: nextAttempt.toISOString() },
      history: { attempt, error, note: `accept retry at ${nextAttempt.toISOString()}` },
    });
  }

  /**
   * Lifecycle news (domain/solution-lifecycle.ts): `record` moves from the status it was read in to
   * `to`, and notes `observedAt` as the time of the newest news it shows; only if that news is newer
   * than what the record shows already. From the same second: a read's news always (it saw the state
   * after anything that happened in that second), a webhook's only when further along and the record's
   * news is not a read's. A solution past its accept has no attempt coming.
   */
  recordLifecycle(record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status'>, to: SolutionStatus, observedAt: Date, now: Date, news: LifecycleWrite): Promise<boolean> {
    const read = news.source === 'read';
    const sameSecond: SameSecond = read ? 'always' : news.furtherAlong ? 'unless-read' : 'never';
    return this.transition(record.onboardingId, record.appId, { from: record.status, newsBefore: { at: observedAt.toISOString(), sameSecond } }, to, now, {
      set: { lifecycleAt: observedAt.toISOString(), ...(read ? { lifecycleRead: true } : {}), ...(news.liveStatus ? { liveStatus: news.liveStatus } : {}) },
      remove: [
        'nextAttemptAt',
        'leaseExpiresAt',
        ...(read ? [] : ['lifecycleRead']),
        ...(news.liveStatus ? [] : ['liveStatus']),
        // A retrying accept's error is done with once Graph says it is accepted; any other error stays on record.
        ...(record.status === 'CREATED' && LIVE.has(to) ? ['lastError'] : []),
      ],
      // News that only confirms the status (a daily read, say) would crowd the timeline out.
      history: record.status === to ? false : { by: news.source, note: `news of ${observedAt.toISOString()}` },
    });
  }

  /** A live solution whose read Graph refused: the next poll comes a whole poll period later (its `updatedAt` moves on). */
  async deferLifecyclePoll(record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status' | 'updatedAt'>, now: Date): Promise<boolean> {
    return this.conditionalUpdate(record.onboardingId, record.appId, {
      update: 'SET updatedAt = :now',
      condition: '#status = :status AND updatedAt = :seen',
      values: { ':now': now.toISOString(), ':status': record.status, ':seen': record.updatedAt },
    });
  }

  /**
   * Ops' retry of an ACCEPT_FAILED solution: CREATED again as if just created, with a fresh retry
   * period, so the stream hands it to the accept worker as a first attempt (its check runs again).
   * Together with the app's guard, which a failed accept no longer defends: `app-taken` when another
   * onboarding of the app has taken it since (its own solution is on its way or live, and accepting
   * this one too would give the app two).
   */
  async reopenAccept(onboardingId: string, appId: string, now: Date): Promise<'reopened' | 'moved-on' | 'app-taken'> {
    requireMoves(['ACCEPT_FAILED'], 'CREATED');
    const reopened = changeExpression(
      { status: 'CREATED', updatedAt: now.toISOString() },
      ['acceptAttempts', 'acceptRetryUntil', 'nextAttemptAt', 'lastError'],
      historyEntry(now, 'CREATED', { by: 'ops', note: 'accept retried' }),
    );
    const refused = await this.updateWithAppGuard(onboardingId, appId, now, {
      update: reopened.update,
      condition: '#status = :failed',
      names: { '#status': 'status', ...reopened.names },
      values: { ...reopened.values, ':failed': 'ACCEPT_FAILED' },
    });
    if (refused === 'item') return 'moved-on';
    if (refused === 'guard') return 'app-taken';
    const record = await this.getSolution(onboardingId, appId);
    if (record) await this.trimHistory(record);
    return 'reopened';
  }

  /**
   * Ops' retry of a CREATED solution whose accept waits (a retry after a failure, or one the stream
   * missed): due now, with a fresh retry period, for the reconciler's next pass. Only as it was read
   * (`updatedAt`), and only if nothing claimed it within `leaseMs` (an attempt under way keeps its lease).
   */
  hurryAccept(record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'updatedAt'>, now: Date, leaseMs: number): Promise<boolean> {
    const updatedAt = { seen: record.updatedAt, changedBy: new Date(now.getTime() - leaseMs).toISOString() };
    return this.transition(record.onboardingId, record.appId, { from: 'CREATED', updatedAt }, 'CREATED', now, {
      set: { nextAttemptAt: now.toISOString() },
      remove: ['acceptRetryUntil'],
      history: { by: 'ops', note: 'accept due now' },
    });
  }

  /**
   * Before ops put an item's parked create message back: a delivery is coming by `at`, so that the
   * reconciler does not settle the item (and the message's token with it) meanwhile. Only as it was
   * read: status and attempt.
   */
  expectDelivery(record: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'status' | 'attempts'>, at: Date): Promise<boolean> {
    return this.conditionalUpdate(record.onboardingId, record.appId, {
      update: 'SET nextAttemptAt = :at',
      condition: '#status = :seen AND attempts = :attempts',
      values: { ':at': at.toISOString(), ':seen': record.status, ':attempts': record.attempts },
    });
  }

  /**
   * Ops' retry of a solution the reconciler abandoned (CREATE_ABANDONED: nothing of it on Graph), once
   * its create message, with the Tech Provider's token, is found: PENDING again, its message due by
   * `nextAttemptAt` (the reconciler leaves it alone until then). The attempt count goes on, so the
   * next attempt lists the app's solutions on Graph before it creates.
   */
  reopenCreate(onboardingId: string, appId: string, now: Date, nextAttemptAt: Date): Promise<boolean> {
    return this.transition(onboardingId, appId, { from: 'CREATE_FAILED', failedFor: 'CREATE_ABANDONED' }, 'PENDING', now, {
      set: { nextAttemptAt: nextAttemptAt.toISOString() },
      remove: ['lastError', 'leaseExpiresAt'],
      history: { by: 'ops', note: 'create retried' },
    });
  }

  /** Every solution item of a Tech Provider app, one per onboarding of it, through the `byAppId` index. */
  findByAppId(appId: string): Promise<SolutionRecord[]> {
    return this.queryAll<SolutionRecord>({
      IndexName: 'byAppId',
      KeyConditionExpression: '#appId = :appId',
      ExpressionAttributeNames: { '#appId': TABLE_LAYOUT.indexes.byAppId.partitionKey },
      ExpressionAttributeValues: { ':appId': appId },
    });
  }

  /**
   * Solution items in `status`, newest change first, through the `byStatus` index, changed within
   * [`since`, `until`]; page by page, as far as the reader goes.
   */
  async *newestInStatus(status: SolutionStatus, window: StatusWindow, pageSize: number): AsyncGenerator<SolutionRecord> {
    for await (const page of this.statusPages(status, window, { ScanIndexForward: false, Limit: pageSize })) yield* (page.Items ?? []) as SolutionRecord[];
  }

  /** How many solution items in `status` changed since `since` (all when absent): the index's count, no items read out. */
  async countInStatus(status: SolutionStatus, since?: string): Promise<number> {
    let count = 0;
    for await (const page of this.statusPages(status, { since }, { Select: 'COUNT' })) count += page.Count ?? 0;
    return count;
  }

  /** The pages of one `byStatus` query, its sort key (the change time) within the window. */
  private async *statusPages(status: SolutionStatus, window: StatusWindow, options: Pick<QueryCommandInput, 'ScanIndexForward' | 'Limit' | 'Select'>) {
    const { partitionKey, sortKey } = TABLE_LAYOUT.indexes.byStatus;
    const { since, until } = window;
    const range = since && until ? ' AND #updated BETWEEN :since AND :until' : since ? ' AND #updated >= :since' : until ? ' AND #updated <= :until' : '';
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byStatus',
          KeyConditionExpression: `#status = :status${range}`,
          ExpressionAttributeNames: { '#status': partitionKey, ...(range ? { '#updated': sortKey } : {}) },
          ExpressionAttributeValues: { ':status': status, ...(since ? { ':since': since } : {}), ...(until ? { ':until': until } : {}) },
          ...options,
          ExclusiveStartKey,
        }),
      );
      yield page;
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }

  /** Every solution item holding `solutionId` (the holder, and onboardings that found it EXISTING), through the `bySolutionId` index. */
  async findBySolutionId(solutionId: string): Promise<SolutionRecord[]> {
    return this.queryAll<SolutionRecord>({
      IndexName: 'bySolutionId',
      KeyConditionExpression: '#solutionId = :solutionId',
      ExpressionAttributeNames: { '#solutionId': TABLE_LAYOUT.indexes.bySolutionId.partitionKey },
      ExpressionAttributeValues: { ':solutionId': solutionId },
    });
  }

  /** Every item a query finds, all pages followed (one onboarding's items, one solution's records: a handful). */
  private async queryAll<T = Record<string, unknown>>(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<T[]> {
    const items: T[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey }));
      items.push(...((page.Items ?? []) as T[]));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  /**
   * Solution items in `status`, oldest change first, through the `byStatus` index (never a Scan),
   * changed before `updatedBefore`, filtered by `filter` (a condition on the item's other
   * attributes; `#status` is bound). At most
   * `limit` items, reading at most `maxPages` pages (of `pageSize` items, or 1 MB): a pass over a
   * large backlog stays bounded, and the next pass goes on.
   */
  async findByStatus(
    status: SolutionStatus,
    opts: { filter?: string; values?: Record<string, unknown>; updatedBefore?: Date; limit: number; maxPages?: number; pageSize?: number },
  ): Promise<SolutionRecord[]> {
    const { partitionKey, sortKey } = TABLE_LAYOUT.indexes.byStatus;
    const found: SolutionRecord[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    for (let page = 0; page < (opts.maxPages ?? 10); page++) {
      const result = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byStatus',
          // The index's sort key can only be matched here, never in the filter.
          KeyConditionExpression: opts.updatedBefore ? '#status = :status AND #updated <= :updatedBefore' : '#status = :status',
          ...(opts.filter ? { FilterExpression: opts.filter } : {}),
          ExpressionAttributeNames: { '#status': partitionKey, ...(opts.updatedBefore ? { '#updated': sortKey } : {}) },
          ExpressionAttributeValues: { ':status': status, ...opts.values, ...(opts.updatedBefore ? { ':updatedBefore': opts.updatedBefore.toISOString() } : {}) },
          ScanIndexForward: true,
          ...(opts.pageSize ? { Limit: opts.pageSize } : {}),
          ExclusiveStartKey,
        }),
      );
      found.push(...((result.Items ?? []) as SolutionRecord[]));
      ExclusiveStartKey = result.LastEvaluatedKey;
      if (!ExclusiveStartKey || found.length >= opts.limit) break;
    }
    return found.slice(0, opts.limit);
  }

  /** One conditional UpdateItem of a solution item (`#status` is bound); false when the condition did not hold. */
  private async conditionalUpdate(
    onboardingId: string,
    appId: string,
    expression: { update: string; condition: string; names?: Record<string, string>; values: Record<string, unknown> },
  ): Promise<boolean> {
    const appends = ':historyEntry' in expression.values;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(onboardingId, appId),
          UpdateExpression: expression.update,
          ConditionExpression: expression.condition,
          ExpressionAttributeNames: { '#status': 'status', ...expression.names },
          ExpressionAttributeValues: expression.values,
          ...(appends ? { ReturnValues: 'UPDATED_NEW' as const } : {}),
        }),
      );
      if (appends) await this.trimHistory({ onboardingId, appId, history: Attributes?.history as HistoryEntry[] | undefined });
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /**
   * Keeps a timeline within HISTORY_LIMIT entries: its first (how the item began) and the latest.
   * Only while it is as long as this writer saw it: one that appended meanwhile trims it itself.
   * Best effort, after the change it follows is written: whatever is left over, the next append trims.
   */
  private async trimHistory(item: Pick<SolutionRecord, 'onboardingId' | 'appId' | 'history'>): Promise<void> {
    const length = item.history?.length ?? 0;
    const excess = length - HISTORY_LIMIT;
    if (excess <= 0) return;
    const oldestAfterFirst = Array.from({ length: excess }, (_, i) => `#history[${i + 1}]`);
    await this.db
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.solution(item.onboardingId, item.appId),
          UpdateExpression: `REMOVE ${oldestAfterFirst.join(', ')} ADD historyDropped :dropped`,
          ConditionExpression: 'size(#history) = :length',
          ExpressionAttributeNames: { '#history': 'history' },
          ExpressionAttributeValues: { ':dropped': excess, ':length': length },
        }),
      )
      .catch(() => undefined);
  }

  /**
   * Applies `from → to` once, a move of the status machine (domain/solution-status.ts: any other
   * is a bug, and throws); false when the item was no longer in `from` (a duplicate delivery),
   * the attempt (`attempt` for creates, `acceptAttempt` for accepts) lost its claim, its next
   * attempt time is no longer the one it was seen with (`nextAttemptAt`; null: none), or it shows
   * lifecycle news at least as new (`newsBefore`).
   */
  private async transition(
    onboardingId: string,
    appId: string,
    source: {
      from: SolutionStatus | typeof UNCLAIMED;
      attempt?: number;
      acceptAttempt?: number;
      nextAttemptAt?: string | null;
      newsBefore?: { at: string; sameSecond: SameSecond };
      /** Its `updatedAt` as it was read (nothing wrote to it since), and no later than `changedBy`. */
      updatedAt?: { seen: string; changedBy?: string };
      /** Its last error is the pipeline's conclusion `failedFor`. */
      failedFor?: FailureReason;
    },
    to: SolutionStatus,
    now: Date,
    change: { set?: Record<string, unknown>; remove?: string[]; history?: HistoryDetail | false },
  ): Promise<boolean> {
    const unclaimed = source.from === UNCLAIMED;
    requireMoves(source.from === UNCLAIMED ? ['PENDING', 'CREATING'] : [source.from], to);
    const set = { status: to, updatedAt: now.toISOString(), ...change.set };
    const values: Record<string, unknown> = unclaimed ? claimableValues(now) : { ':from': source.from };
    const names: Record<string, string> = {};
    // The attempt number fences a claim: a stale attempt (its lease expired, another took over)
    // can no longer write.
    const condition = [unclaimed ? `(${CLAIMABLE})` : '#status = :from'];
    if (source.attempt !== undefined) {
      condition.push('attempts = :attempt');
      values[':attempt'] = source.attempt;
    }
    if (source.acceptAttempt !== undefined) {
      condition.push('acceptAttempts = :acceptAttempt');
      values[':acceptAttempt'] = source.acceptAttempt;
    }
    if (source.newsBefore) {
      // ISO 8601 times compare as strings.
      condition.push(`(attribute_not_exists(lifecycleAt) OR lifecycleAt < :newsAt${SAME_SECOND[source.newsBefore.sameSecond]})`);
      values[':newsAt'] = source.newsBefore.at;
    }
    if (source.nextAttemptAt === null) condition.push('attribute_not_exists(nextAttemptAt)');
    else if (source.nextAttemptAt !== undefined) {
      condition.push('nextAttemptAt = :seenNext');
      values[':seenNext'] = source.nextAttemptAt;
    }
    if (source.updatedAt) {
      condition.push('updatedAt = :seenUpdated');
      values[':seenUpdated'] = source.updatedAt.seen;
      if (source.updatedAt.changedBy !== undefined) {
        condition.push('updatedAt <= :changedBy');
        values[':changedBy'] = source.updatedAt.changedBy;
      }
    }
    if (source.failedFor) {
      condition.push('#lastError.#reason = :failedFor');
      Object.assign(names, { '#lastError': 'lastError', '#reason': 'reason' });
      values[':failedFor'] = source.failedFor;
    }
    const expression = changeExpression(set, change.remove ?? [], change.history === false ? undefined : historyEntry(now, to, change.history));
    return this.conditionalUpdate(onboardingId, appId, {
      ...expression,
      condition: condition.join(' AND '),
      names: { ...names, ...expression.names },
      values: { ...values, ...expression.values },
    });
  }
}

/** Every write of a status is a move of the status machine (domain/solution-status.ts): any other is a bug. */
function requireMoves(froms: readonly SolutionStatus[], to: SolutionStatus): void {
  const refused = froms.filter((from) => !canMove(from, to));
  if (refused.length > 0) throw new Error(`the solution status machine has no move ${refused.join(', ')} → ${to}`);
}

/** `SET` each of `set`, `REMOVE` each of `remove`, and append `entry` to the timeline, with placeholders for every name and value. */
function changeExpression(set: Record<string, unknown>, remove: readonly string[], entry: HistoryEntry | undefined) {
  const names: Record<string, string> = entry ? { '#history': 'history' } : {};
  const values: Record<string, unknown> = entry ? historyValues(entry) : {};
  const assignments = Object.entries(set).map(([name, value], i) => {
    names[`#s${i}`] = name;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  if (entry) assignments.push(APPEND_HISTORY);
  const removals = remove.map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  return { update: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`, names, values };
}
