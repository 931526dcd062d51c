import { jest } from '@jest/globals';
import { acceptSolution, type AcceptSolutionDeps } from '../../lambdas/domain/accept-solution';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionDetails } from '../../lambdas/graph/graph-client';
import { GraphError } from '../../lambdas/graph/graph-error';
import { SCHEDULE } from '../../lambdas/schedule';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsWakeQueue } from '../../lambdas/queue/wake-queue';
import { memoryRecordStore } from '../support/memory-record-store';

const PARTNER = '1000000000000001';
const sqsMock = mockClient(SQSClient);

const CREATED: SolutionRecord = {
  onboardingId: 'ob-1',
  appId: '111',
  appName: 'media_monsoon_prod',
  solutionName: 'Acme × media_monsoon_prod · abc234',
  solutionId: 'sol-1',
  status: 'CREATED',
  attempts: 1,
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:00:00.000Z',
};
const ITEM = { onboardingId: 'ob-1', appId: '111' };
const NOW = new Date('2026-11-27T08:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();
const STREAM = { kind: 'stream' } as const;
const DAY_MS = 24 * 3600 * 1000;
/** As the claim returns it: the attempt's number, and until when failures are retried. */
const claimed = (attempt = 1, record: Partial<SolutionRecord> = {}) => ({
  record: { ...CREATED, acceptAttempts: attempt, acceptRetryUntil: at(24 * 3600), ...record },
  attempt,
});
const notInitiated = () => new GraphError('permanent', { code: 100, subcode: 2207051, message: 'Solution is not in INITIATED status', fbtraceId: 'T' }, 422);
/** What Graph gives both sides on top of the creator's choice. */
const DEFAULTS = ['MANAGE', 'DEVELOP', 'MANAGE_TEMPLATES', 'VIEW_INSIGHTS'];
/** Our invitation, as configured: MESSAGING on our side. */
const us = (status = 'NOTIFICATION_SENT', permissions = ['MESSAGING', ...DEFAULTS]) => ({ appId: PARTNER, status, permissions });
/** The solution as the record asked for it, awaiting our accept. */
const onGraph = (s: Partial<SolutionDetails> = {}): SolutionDetails => ({
  id: 'sol-1',
  name: CREATED.solutionName,
  status: 'INITIATED',
  ownerAppId: '111',
  ownerPermissions: DEFAULTS,
  partners: [us()],
  ...s,
});

/** `claim`: what claimForAccept returns, null when the item cannot be claimed. */
function setup(claim: ReturnType<typeof claimed> | null = claimed(), solution: SolutionDetails = onGraph(), current: SolutionRecord | undefined = claim?.record) {
  const store = {
    claimForAccept: jest.fn(async () => claim ?? undefined),
    getSolution: jest.fn(async () => current),
    recordAccepted: jest.fn(async () => true),
    recordAcceptFailed: jest.fn(async () => true),
    recordAcceptRetry: jest.fn(async () => true),
  };
  const graph = {
    acceptSolution: jest.fn(async (): Promise<void> => undefined),
    getSolution: jest.fn(async () => solution),
    rejectSolution: jest.fn(async (): Promise<void> => undefined),
  };
  const systemUserToken = jest.fn(async () => 'system-user-token');
  const wake = jest.fn(async (_item: { onboardingId: string; appId: string }, _at: Date): Promise<void> => undefined);
  const deps: AcceptSolutionDeps = {
    store,
    graph,
    settings: { partnerAppId: PARTNER, ownerPermissions: [], partnerPermissions: ['MESSAGING'], rejectMismatched: false, acceptLeaseMs: 60_000, retryPeriodMs: DAY_MS, backoff: SCHEDULE.acceptBackoff },
    systemUserToken,
    wake,
    clock: () => NOW,
    // The top of each jittered step: attempt n waits 10 × 2^(n-1) s.
    random: () => 0.999,
  };
  return { store, graph, systemUserToken, wake, deps };
}

describe('acceptSolution', () => {
  test('claims the CREATED solution, accepts it as our app with the system-user token and records it ACCEPTED', async () => {
    const { store, graph, deps } = setup();
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: false, attempt: 1 });
    expect(store.claimForAccept).toHaveBeenCalledWith('ob-1', '111', NOW, { first: true, leaseMs: 60_000, retryPeriodMs: DAY_MS, handoffBefore: undefined });
    expect(graph.acceptSolution).toHaveBeenCalledWith('sol-1', PARTNER, 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalledWith('ob-1', '111', NOW, 1);
  });

  test('the reconciler claims only a due solution, with its handoff time', async () => {
    const { store, deps } = setup(claimed(4));
    const handoffBefore = new Date('2026-11-27T07:58:00Z');
    await expect(acceptSolution(ITEM, deps, { kind: 'due', handoffBefore })).resolves.toMatchObject({ outcome: 'accepted', attempt: 4 });
    expect(store.claimForAccept).toHaveBeenCalledWith('ob-1', '111', NOW, { first: false, leaseMs: 60_000, retryPeriodMs: DAY_MS, handoffBefore });
  });

  test('a solution it cannot claim (no longer CREATED, or another attempt holds it) is left alone', async () => {
    const { graph, systemUserToken, deps } = setup(null, onGraph(), { ...CREATED, status: 'ACCEPTED' });
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
    expect(graph.acceptSolution).not.toHaveBeenCalled();
    expect(systemUserToken).not.toHaveBeenCalled();
  });

  const ACCEPTED_ALREADY = [
    ['ACTIVE, with us among its partners', onGraph({ status: 'ACTIVE', partners: [us('ACCEPTED')] })],
    ['still INITIATED, our partner entry ACCEPTED (another partner pending)', onGraph({ partners: [us('ACCEPTED'), { appId: '555', status: 'NOTIFICATION_SENT', permissions: DEFAULTS }] })],
  ] as const;

  test.each(ACCEPTED_ALREADY)('a solution read before the accept as %s (an earlier attempt’s accept went through) is recorded ACCEPTED without a second accept', async (_, solution) => {
    const { store, graph, deps } = setup(claimed(2), solution);
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: true, attempt: 2 });
    expect(graph.acceptSolution).not.toHaveBeenCalled();
    expect(store.recordAccepted).toHaveBeenCalled();
  });

  test.each(ACCEPTED_ALREADY)('a refused accept of a solution Graph then shows %s is recorded ACCEPTED', async (_, solution) => {
    const { store, graph, deps } = setup(claimed(), onGraph());
    graph.getSolution.mockResolvedValueOnce(onGraph()).mockResolvedValueOnce(solution);
    graph.acceptSolution.mockRejectedValue(notInitiated());
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: true, attempt: 1 });
    expect(graph.getSolution).toHaveBeenCalledTimes(2);
    expect(graph.getSolution).toHaveBeenCalledWith('sol-1', 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalled();
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
  });

  test.each([
    ['ACTIVE without us among its partners', onGraph({ status: 'ACTIVE', partners: [{ appId: '555', status: 'ACCEPTED' }] })],
    ['REJECTED, our invitation declined', onGraph({ status: 'REJECTED', partners: [us('REJECTED')] })],
    ['REJECTED by another partner after our accept', onGraph({ status: 'REJECTED', partners: [us('ACCEPTED'), { appId: '555', status: 'REJECTED' }] })],
    ['DEACTIVATED after our accept', onGraph({ status: 'DEACTIVATED', partners: [us('ACCEPTED')] })],
  ])('a refused accept of a solution Graph then shows %s ends ACCEPT_FAILED with the accept error', async (_, solution) => {
    const { store, graph, deps } = setup(claimed(), onGraph());
    graph.getSolution.mockResolvedValueOnce(onGraph()).mockResolvedValueOnce(solution);
    const error = notInitiated();
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'failed', error: error.details, gaveUp: false, attempt: 1 });
    expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', 1, error.details, expect.any(Date));
  });

  test('a permanent refusal of a solution that is not active ends in ACCEPT_FAILED with Graph’s error', async () => {
    const { store, graph, deps } = setup();
    const error = new GraphError('permanent', { code: 200, message: '(#200) Only the invited partner app can accept this solution', fbtraceId: 'T9' }, 403);
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'failed', error: error.details, gaveUp: false, attempt: 1 });
    expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', 1, error.details, expect.any(Date));
    expect(store.recordAccepted).not.toHaveBeenCalled();
  });

  test('a transient Graph error schedules the next attempt on the record with exponential backoff', async () => {
    const { store, graph, deps } = setup(claimed(3));
    const error = new GraphError('transient', { code: 1, message: 'An unknown error occurred' }, 500);
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'retrying', error: error.details, attempt: 3, nextAttemptAt: at(40) });
    expect(store.recordAcceptRetry).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, new Date(at(40)));
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
    expect(store.recordAccepted).not.toHaveBeenCalled();
  });

  test('a scheduled retry is woken at its next attempt time, once the record holds the retry', async () => {
    const { store, graph, wake, deps } = setup(claimed(2));
    graph.acceptSolution.mockRejectedValue(new GraphError('throttled', { code: 4, message: '(#4) Application request limit reached' }, 400, 7));
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', nextAttemptAt: at(20) });
    expect(wake).toHaveBeenCalledTimes(1);
    expect(wake).toHaveBeenCalledWith(ITEM, new Date(at(20)));
    expect(wake.mock.invocationCallOrder[0]).toBeGreaterThan(store.recordAcceptRetry.mock.invocationCallOrder[0]!);
  });

  test.each([
    ['Graph’s hold of 7 s', 7, 20],
    ['a hold past SQS’s longest delay (half an hour)', 1_800, 900],
  ])('through the wake queue: a message delayed until the next attempt (%s), at most 15 minutes', async (_, askedSeconds, delaySeconds) => {
    sqsMock.reset();
    sqsMock.on(SendMessageCommand).resolves({});
    const { graph, deps } = setup(claimed(2));
    const queue = new SqsWakeQueue(new SQSClient({ region: 'us-east-1' }), 'https://sqs/accept-wake', 'accept', () => NOW);
    graph.acceptSolution.mockRejectedValue(new GraphError('throttled', { code: 80007, message: 'Rate limit' }, 400, askedSeconds));
    const outcome = await acceptSolution(ITEM, { ...deps, wake: queue.wake }, STREAM);
    expect(outcome).toMatchObject({ outcome: 'retrying', nextAttemptAt: at(Math.max(20, askedSeconds)) });
    const [call, ...more] = sqsMock.commandCalls(SendMessageCommand);
    expect(more).toEqual([]);
    expect(call!.args[0].input.DelaySeconds).toBe(delaySeconds);
    expect(JSON.parse(call!.args[0].input.MessageBody!)).toEqual({ kind: 'accept', ...ITEM, dueAt: at(Math.max(20, askedSeconds)) });
  });

  test('a wake-up that cannot be sent leaves the retry on the record for the reconciler, and says so', async () => {
    const { store, graph, wake, deps } = setup(claimed(1));
    graph.acceptSolution.mockRejectedValue(new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 503));
    wake.mockRejectedValue(new Error('SQS is down'));
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', nextAttemptAt: at(10), wakeFailed: 'Error: SQS is down' });
    expect(store.recordAcceptRetry).toHaveBeenCalled();
  });

  test('no wake-up when the retry could not be written (another attempt moved the item on), nor for an accepted or failed one', async () => {
    const refused = setup(claimed(1));
    refused.graph.acceptSolution.mockRejectedValue(new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 503));
    refused.store.recordAcceptRetry.mockResolvedValue(false);
    await expect(acceptSolution(ITEM, refused.deps, STREAM)).resolves.toMatchObject({ outcome: 'skipped' });
    const accepted = setup(claimed(1));
    await acceptSolution(ITEM, accepted.deps, STREAM);
    const failed = setup(claimed(1));
    failed.graph.acceptSolution.mockRejectedValue(new GraphError('permanent', { code: 100, message: 'Invalid parameter' }, 400));
    await acceptSolution(ITEM, failed.deps, STREAM);
    for (const { wake } of [refused, accepted, failed]) expect(wake).not.toHaveBeenCalled();
  });

  test('a throttled accept waits what Graph asks, even past the backoff’s cap', async () => {
    const { store, graph, deps } = setup(claimed(1));
    graph.acceptSolution.mockRejectedValue(new GraphError('throttled', { code: 80007, message: 'Rate limit' }, 400, 1_800));
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', nextAttemptAt: at(1_800) });
    expect(store.recordAcceptRetry).toHaveBeenCalledWith('ob-1', '111', 1, expect.anything(), NOW, new Date(at(1_800)));
  });

  test('past its retry period, a failing accept gives up: ACCEPT_FAILED with Graph’s error and the reason', async () => {
    const { store, graph, deps } = setup(claimed(40, { acceptRetryUntil: at(60) }));
    const error = new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 503);
    graph.acceptSolution.mockRejectedValue(error);
    const gaveUp = { ...error.details, reason: 'RETRY_PERIOD_OVER' };
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'failed', error: gaveUp, gaveUp: true, attempt: 40 });
    expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', 40, gaveUp, NOW);
    expect(store.recordAcceptRetry).not.toHaveBeenCalled();
  });

  test('a refusal as no longer INITIATED that a read contradicts (INITIATED, our invitation pending) is retried, not recorded', async () => {
    const { store, graph, deps } = setup(claimed(), onGraph());
    graph.acceptSolution.mockRejectedValue(notInitiated());
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', error: { code: -1, message: expect.stringMatching(/reads it INITIATED/) } });
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
    expect(store.recordAccepted).not.toHaveBeenCalled();
  });

  test('a transient failure to confirm the solution’s state is retried, not recorded as a failed accept', async () => {
    const { store, graph, deps } = setup();
    graph.acceptSolution.mockRejectedValue(notInitiated());
    graph.getSolution.mockResolvedValueOnce(onGraph()).mockRejectedValueOnce(new GraphError('transient', { code: 2, message: 'Service unavailable' }, 503));
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', error: { code: 2 } });
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
  });

  test('an attempt whose write is refused (another attempt or a person moved the item on) reports what the item is now', async () => {
    const { store, graph, deps } = setup(claimed(2), onGraph(), { ...CREATED, status: 'ACCEPTED' });
    graph.acceptSolution.mockRejectedValue(new GraphError('transient', { code: 2, message: 'down' }, 503));
    store.recordAcceptRetry.mockResolvedValue(false);
    await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
  });

  describe('the check before accepting (an accept cannot be undone)', () => {
    const OTHER_APP = '999';
    test.each([
      ['another owner app', onGraph({ ownerAppId: OTHER_APP }), [{ field: 'owner_app', expected: '111', actual: OTHER_APP }]],
      ['another name', onGraph({ name: 'Someone else × media_monsoon_prod' }), [{ field: 'name', expected: CREATED.solutionName, actual: 'Someone else × media_monsoon_prod' }]],
      ['no invitation of our app', onGraph({ partners: [{ appId: '555', status: 'NOTIFICATION_SENT', permissions: ['MESSAGING'] }] }), [{ field: 'partners', expected: `includes app ${PARTNER}`, actual: '555' }]],
      [
        'MESSAGING on the owner’s side (as measured: owner [MESSAGING, MANAGE], partner [VIEW_INSIGHTS])',
        onGraph({ ownerPermissions: ['MESSAGING', 'MANAGE'], partners: [us('NOTIFICATION_SENT', ['VIEW_INSIGHTS'])] }),
        [
          { field: 'owner_permissions', expected: 'without MESSAGING', actual: 'MESSAGING, MANAGE' },
          { field: 'partner_permissions', expected: 'with MESSAGING', actual: 'VIEW_INSIGHTS' },
        ],
      ],
      ['MESSAGING on both sides', onGraph({ ownerPermissions: ['MESSAGING', ...DEFAULTS] }), [{ field: 'owner_permissions', expected: 'without MESSAGING', actual: ['MESSAGING', ...DEFAULTS].join(', ') }]],
      ['not INITIATED (a draft)', onGraph({ status: 'DRAFT' }), [{ field: 'status', expected: 'INITIATED', actual: 'DRAFT' }]],
      ['REJECTED already', onGraph({ status: 'REJECTED', partners: [us('REJECTED')] }), [{ field: 'status', expected: 'INITIATED', actual: 'REJECTED' }]],
    ])('%s: not accepted; ACCEPT_FAILED with SOLUTION_MISMATCH naming each difference', async (_, solution, differences) => {
      const { store, graph, deps } = setup(claimed(), solution);
      const result = await acceptSolution(ITEM, deps, STREAM);
      expect(result).toEqual({ outcome: 'mismatch', attempt: 1, error: { code: -1, reason: 'SOLUTION_MISMATCH', differences, message: expect.stringContaining(differences[0]!.field) } });
      expect(graph.acceptSolution).not.toHaveBeenCalled();
      expect(graph.rejectSolution).not.toHaveBeenCalled();
      expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', 1, (result as { error: unknown }).error, NOW);
      expect(store.recordAccepted).not.toHaveBeenCalled();
    });

    test('a solution whose accept is already ours is recorded ACCEPTED even if it differs (it cannot be undone), the differences reported', async () => {
      const { store, graph, deps } = setup(claimed(2), onGraph({ status: 'ACTIVE', ownerPermissions: ['MESSAGING', ...DEFAULTS], partners: [us('ACCEPTED')] }));
      await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toEqual({
        outcome: 'accepted',
        alreadyAccepted: true,
        attempt: 2,
        differences: [{ field: 'owner_permissions', expected: 'without MESSAGING', actual: ['MESSAGING', ...DEFAULTS].join(', ') }],
      });
      expect(store.recordAccepted).toHaveBeenCalled();
      expect(store.recordAcceptFailed).not.toHaveBeenCalled();
      expect(graph.acceptSolution).not.toHaveBeenCalled();
    });

    test('our partner entry without its permissions is an answer to read again, not a mismatch', async () => {
      const { store, graph, deps } = setup(claimed(), onGraph({ partners: [{ appId: PARTNER, status: 'NOTIFICATION_SENT' }] }));
      await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying', error: { code: -1, message: expect.stringContaining('partner_permissions') } });
      expect(store.recordAcceptFailed).not.toHaveBeenCalled();
      expect(graph.acceptSolution).not.toHaveBeenCalled();
    });

    test('a configured permission besides MESSAGING must be there too', async () => {
      const { deps } = setup(claimed(), onGraph({ ownerPermissions: ['MANAGE'] }));
      deps.settings.ownerPermissions = ['MANAGE_PHONE', 'VIEW_COST'];
      await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({
        outcome: 'mismatch',
        error: { differences: [{ field: 'owner_permissions', expected: 'without MESSAGING, with MANAGE_PHONE, VIEW_COST', actual: 'MANAGE' }] },
      });
    });

    test('permissions beyond the configured ones (Graph’s defaults, or new ones) are not judged', async () => {
      const { graph, deps } = setup(claimed(), onGraph({ ownerPermissions: [...DEFAULTS, 'VIEW_COST'], partners: [us('NOTIFICATION_SENT', ['MESSAGING', 'MANAGE_PHONE'])] }));
      await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'accepted' });
      expect(graph.acceptSolution).toHaveBeenCalled();
    });

    test('with rejectMismatched on, a mismatched solution awaiting our answer is declined on Graph after the record says why', async () => {
      const { store, graph, deps } = setup(claimed(), onGraph({ ownerAppId: OTHER_APP }));
      deps.settings.rejectMismatched = true;
      const order: string[] = [];
      store.recordAcceptFailed.mockImplementation(async () => (order.push('recorded'), true));
      graph.rejectSolution.mockImplementation(async () => void order.push('declined'));
      await expect(acceptSolution(ITEM, deps, STREAM)).resolves.toMatchObject({ outcome: 'mismatch', declined: { ok: true } });
      expect(graph.rejectSolution).toHaveBeenCalledWith('sol-1', 'system-user-token');
      expect(order).toEqual(['recorded', 'declined']);
    });

    test('declining is never tried on a solution past INITIATED, nor when the record was moved on meanwhile; its failure is reported, the record kept', async () => {
      const past = setup(claimed(), onGraph({ status: 'DEACTIVATED', ownerAppId: OTHER_APP, partners: [us('ACCEPTED')] }));
      past.deps.settings.rejectMismatched = true;
      await expect(acceptSolution(ITEM, past.deps, STREAM)).resolves.toMatchObject({ outcome: 'mismatch' });
      expect(past.graph.rejectSolution).not.toHaveBeenCalled();

      const movedOn = setup(claimed(), onGraph({ ownerAppId: OTHER_APP }), { ...CREATED, status: 'ACCEPT_FAILED' });
      movedOn.deps.settings.rejectMismatched = true;
      movedOn.store.recordAcceptFailed.mockResolvedValue(false);
      await expect(acceptSolution(ITEM, movedOn.deps, STREAM)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPT_FAILED' });
      expect(movedOn.graph.rejectSolution).not.toHaveBeenCalled();

      const refused = setup(claimed(), onGraph({ ownerAppId: OTHER_APP }));
      refused.deps.settings.rejectMismatched = true;
      refused.graph.rejectSolution.mockRejectedValue(new GraphError('permanent', { code: 10, message: 'Permission denied' }, 403));
      await expect(acceptSolution(ITEM, refused.deps, STREAM)).resolves.toMatchObject({ outcome: 'mismatch', declined: { ok: false, error: { code: 10 } } });
    });

    test('a solution Graph does not know (a record written by hand, say) ends ACCEPT_FAILED with Graph’s error; a read that fails for now is retried', async () => {
      const unknown = setup();
      const error = new GraphError('permanent', { code: 803, message: '(#803) Some of the aliases you requested do not exist: sol-1' }, 404);
      unknown.graph.getSolution.mockRejectedValue(error);
      await expect(acceptSolution(ITEM, unknown.deps, STREAM)).resolves.toEqual({ outcome: 'failed', error: error.details, gaveUp: false, attempt: 1 });
      expect(unknown.graph.acceptSolution).not.toHaveBeenCalled();

      const blip = setup();
      blip.graph.getSolution.mockRejectedValue(new GraphError('transient', { code: 2, message: 'down' }, 503));
      await expect(acceptSolution(ITEM, blip.deps, STREAM)).resolves.toMatchObject({ outcome: 'retrying' });
      expect(blip.graph.acceptSolution).not.toHaveBeenCalled();
    });
  });

  test('a failure of the store keeps the claim and is thrown, for the stream (or the reconciler, after the lease) to retry', async () => {
    const { store, deps } = setup();
    store.recordAccepted.mockRejectedValue(new Error('DynamoDB unavailable'));
    await expect(acceptSolution(ITEM, deps, STREAM)).rejects.toThrow('DynamoDB unavailable');
    expect(store.recordAcceptRetry).not.toHaveBeenCalled();
  });
});

describe('a wake-up’s attempt (the due trigger at its due time), on the record store’s own claim', () => {
  const DUE_AT = at(-5);
  /** A retry scheduled for DUE_AT, as recordAcceptRetry leaves it, unless `record` says otherwise. */
  async function woken(record: Partial<SolutionRecord>) {
    const { store, ports } = memoryRecordStore();
    await ports.seed({ ...CREATED, acceptAttempts: 1, acceptRetryUntil: at(24 * 3600), nextAttemptAt: DUE_AT, updatedAt: at(-20), ...record });
    const { graph, deps } = setup();
    const outcome = await acceptSolution(ITEM, { ...deps, store }, { kind: 'due', handoffBefore: new Date(DUE_AT) });
    return { outcome, graph, record: await store.getSolution(ITEM.onboardingId, ITEM.appId) };
  }

  test('takes a retry that is due: accepted, as the second attempt', async () => {
    const { outcome, graph, record } = await woken({});
    expect(outcome).toMatchObject({ outcome: 'accepted', attempt: 2 });
    expect(graph.acceptSolution).toHaveBeenCalledTimes(1);
    expect(record).toMatchObject({ status: 'ACCEPTED', acceptAttempts: 2 });
  });

  test.each([
    ['not yet due (rescheduled later since)', { nextAttemptAt: at(30) }, 'CREATED'],
    ['already accepted', { status: 'ACCEPTED', nextAttemptAt: undefined }, 'ACCEPTED'],
    ['claimed by another attempt (its lease running)', { acceptAttempts: 2, nextAttemptAt: at(40) }, 'CREATED'],
    ['failed for good', { status: 'ACCEPT_FAILED', nextAttemptAt: undefined }, 'ACCEPT_FAILED'],
  ] as const)('a solution %s is left alone: no Graph call, nothing written', async (_, record, status) => {
    const before = { ...record, updatedAt: at(-20) } as Partial<SolutionRecord>;
    const { outcome, graph, record: after } = await woken(before);
    expect(outcome).toEqual({ outcome: 'skipped', status });
    expect(graph.getSolution).not.toHaveBeenCalled();
    expect(graph.acceptSolution).not.toHaveBeenCalled();
    expect(after).toMatchObject({ status, updatedAt: at(-20) });
  });
});
