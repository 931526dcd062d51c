import { jest } from '@jest/globals';
import { createSolution, type CreateRetry, type CreateSolutionDeps, type CreateSolutionOutcome } from '../../lambdas/domain/create-solution';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionDetails } from '../../lambdas/graph/graph-client';
import { GraphError, unexpectedAnswerGraphError } from '../../lambdas/graph/graph-error';
import type { CreateClaim } from '../../lambdas/domain/records/create-records';
import { SCHEDULE } from '../../lambdas/schedule';

const UNKNOWN_CREATE_SETTLE_SECONDS = SCHEDULE.unknownCreateSettleSeconds;

/** The attempt's outcome, which must be a scheduled retry. */
async function retryOf(outcome: Promise<CreateSolutionOutcome>): Promise<CreateRetry> {
  const result = await outcome;
  if (result.outcome !== 'retry') throw new Error(`expected a scheduled retry, got ${JSON.stringify(result)}`);
  return result;
}

const PARTNER = '1000000000000001';
const MESSAGE = { onboardingId: 'ob-1', appId: '111', accessToken: 'tp-token' };
const RECORD: SolutionRecord = {
  onboardingId: 'ob-1',
  appId: '111',
  appName: 'media_monsoon_prod',
  solutionName: 'Acme × media_monsoon_prod · abc234',
  status: 'CREATING',
  attempts: 3,
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:00:00.000Z',
};
const NOW = new Date('2026-11-27T08:00:00Z');
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000);
const CLAIMED: CreateClaim = { kind: 'claimed', record: RECORD, attempt: 3, tookOverGuard: false };
const onGraph = (s: Partial<SolutionDetails>): SolutionDetails => ({ id: 'sol-x', name: 'other', status: 'ACTIVE', ownerAppId: '111', partners: [{ appId: PARTNER }], ...s });

/** `held`: the solution IDs that some record of ours holds. */
function setup(claim: CreateClaim = CLAIMED, solutionsOnGraph: SolutionDetails[] = [], held: string[] = []) {
  const store = {
    findBySolutionId: jest.fn(async (id: string): Promise<SolutionRecord[]> => (held.includes(id) ? [{ ...RECORD, onboardingId: 'ob-earlier', status: 'ACCEPT_FAILED', solutionId: id }] : [])),
    claimForCreate: jest.fn(async () => claim),
    recordCreated: jest.fn(async () => true),
    recordExistingFound: jest.fn(async () => true),
    recordExistingElsewhere: jest.fn(async () => true),
    recordCreateFailed: jest.fn(async () => true),
    releaseCreateLease: jest.fn(async () => undefined),
  };
  const graph = {
    createSolution: jest.fn(async (): Promise<string> => 'sol-new'),
    listAppSolutions: jest.fn(async () => solutionsOnGraph),
  };
  const deps: CreateSolutionDeps = {
    store,
    graph,
    settings: { partnerAppId: PARTNER, ownerPermissions: [], partnerPermissions: ['MESSAGING'], createLeaseMs: 30_000, redeliveryMs: 180_000, busyRetryMs: 10_000, listBeforeFirstCreate: false, backoff: SCHEDULE.createBackoff, unknownCreateSettleSeconds: UNKNOWN_CREATE_SETTLE_SECONDS },
    clock: () => NOW,
    // The top of each jittered step: attempt 3's backoff is 2 × 2² = 8 s.
    random: () => 0.999,
  };
  return { store, graph, deps };
}

describe('createSolution', () => {
  test('looks on Graph first, then creates with the configured body and the TP token, and records CREATED under its claim', async () => {
    const { store, graph, deps } = setup();

    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-new', how: 'created' });

    expect(store.claimForCreate).toHaveBeenCalledWith('ob-1', '111', expect.any(Date), { leaseMs: 30_000, redeliveryMs: 180_000, busyRetryMs: 10_000 });
    expect(graph.listAppSolutions).toHaveBeenCalledWith('111', 'OWNER', 'tp-token');
    expect(graph.createSolution).toHaveBeenCalledWith(
      '111',
      { ownerPermissions: [], partnerAppId: PARTNER, partnerPermissions: ['MESSAGING'], solutionName: RECORD.solutionName },
      'tp-token',
    );
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 3, 'sol-new', expect.any(Date), undefined);
  });

  test('a fresh item’s first attempt creates at once: nothing of ours can be on Graph yet', async () => {
    const { store, graph, deps } = setup({ ...CLAIMED, attempt: 1 }, [onGraph({ id: 'sol-dashboard', status: 'ACTIVE' })]);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-new', how: 'created' });
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 1, 'sol-new', expect.any(Date), undefined);
  });

  test.each([
    ['the app was taken over from another onboarding’s failed item', { ...CLAIMED, attempt: 1, tookOverGuard: true }, false],
    ['listBeforeFirstCreate is on', { ...CLAIMED, attempt: 1 }, true],
  ] as const)('a first attempt still looks on Graph when %s', async (_, claim, listBeforeFirstCreate) => {
    const { graph, deps } = setup(claim, [onGraph({ id: 'sol-dashboard', status: 'ACTIVE' })]);
    deps.settings.listBeforeFirstCreate = listBeforeFirstCreate;
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'existing', solutionId: 'sol-dashboard' });
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test.each([2, 3])('a later attempt (%i) lists the app’s solutions before it creates: an earlier one may have made it', async (attempt) => {
    const { graph, deps } = setup({ ...CLAIMED, attempt });
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-new', how: 'created' });
    expect(graph.listAppSolutions).toHaveBeenCalledWith('111', 'OWNER', 'tp-token');
    expect(graph.listAppSolutions.mock.invocationCallOrder[0]).toBeLessThan(graph.createSolution.mock.invocationCallOrder[0]!);
  });

  test('a duplicate message for a settled solution calls nothing on Graph', async () => {
    const { graph, deps } = setup({ kind: 'settled', record: { ...RECORD, status: 'ACCEPTED', solutionId: 's' } });
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a message whose solution another attempt holds is retried once the holder may have moved on, not processed in parallel', async () => {
    const { graph, deps } = setup({ kind: 'busy', retryInMs: 12_300 });
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'busy', retryAfterSeconds: 13 });
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('an app whose live solution another onboarding holds is recorded from that holder, without a Graph call', async () => {
    const holder = { status: 'ACCEPTED' as const, solutionId: 'sol-live' };
    const { store, graph, deps } = setup({ kind: 'existing', holder });
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'existing', solutionId: 'sol-live' });
    expect(store.recordExistingElsewhere).toHaveBeenCalledWith('ob-1', '111', holder, expect.any(Date));
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('adopts the solution an earlier attempt created (our partner app, exact name) instead of creating a second one', async () => {
    const { store, graph, deps } = setup(CLAIMED, [
      onGraph({ id: 'other-partner', name: RECORD.solutionName, status: 'INITIATED', partners: [{ appId: '555' }] }),
      onGraph({ id: 'sol-earlier', name: RECORD.solutionName, status: 'INITIATED' }),
    ]);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-earlier', how: 'adopted' });
    expect(graph.createSolution).not.toHaveBeenCalled();
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 3, 'sol-earlier', expect.any(Date), undefined);
  });

  test('an app with an ACTIVE solution with us (made elsewhere) is EXISTING, or pending deactivation if its owner asked: nothing is created', async () => {
    const { store, graph, deps } = setup(CLAIMED, [onGraph({ id: 'sol-dashboard', name: 'made in the dashboard', status: 'ACTIVE', statusForPendingRequest: 'NONE' })]);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'existing', solutionId: 'sol-dashboard' });
    expect(store.recordExistingFound).toHaveBeenCalledWith('ob-1', '111', 3, { id: 'sol-dashboard', deactivationPending: false }, expect.any(Date));
    expect(graph.createSolution).not.toHaveBeenCalled();

    const ending = setup(CLAIMED, [onGraph({ id: 'sol-ending', name: 'made in the dashboard', status: 'ACTIVE', statusForPendingRequest: 'PENDING_DEACTIVATION' })]);
    await expect(createSolution(MESSAGE, ending.deps)).resolves.toEqual({ outcome: 'existing', solutionId: 'sol-ending' });
    expect(ending.store.recordExistingFound).toHaveBeenCalledWith('ob-1', '111', 3, { id: 'sol-ending', deactivationPending: true }, expect.any(Date));
  });

  test('our own solution (exact name), ACTIVE on Graph already, is adopted as CREATED, not recorded as another’s EXISTING: the accept step confirms it', async () => {
    const { store, graph, deps } = setup(CLAIMED, [onGraph({ id: 'sol-ours', name: RECORD.solutionName, status: 'ACTIVE', statusForPendingRequest: 'NONE' })]);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-ours', how: 'adopted' });
    expect(store.recordExistingFound).not.toHaveBeenCalled();
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 3, 'sol-ours', expect.any(Date), undefined);
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a solution with us awaiting our accept that another onboarding of ours made (its accept failed) is adopted under its own name, for the check before accepting', async () => {
    const { store, graph, deps } = setup(CLAIMED, [onGraph({ id: 'sol-waiting', name: 'Acme × media_monsoon_prod · zzz999', status: 'INITIATED' })], ['sol-waiting']);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-waiting', how: 'adopted' });
    expect(store.findBySolutionId).toHaveBeenCalledWith('sol-waiting');
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 3, 'sol-waiting', expect.any(Date), 'Acme × media_monsoon_prod · zzz999');
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a solution with us awaiting our accept that no record of ours holds (made in Meta’s dashboard) is left alone: a new one is created', async () => {
    const { store, graph, deps } = setup(CLAIMED, [onGraph({ id: 'sol-dashboard', name: 'made in the dashboard', status: 'INITIATED' })]);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-new', how: 'created' });
    expect(store.findBySolutionId).toHaveBeenCalledWith('sol-dashboard');
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 3, 'sol-new', expect.any(Date), undefined);
  });

  test('solutions with other partners, drafts, or ones no longer live do not stop a new one', async () => {
    const { graph, deps } = setup(CLAIMED, [
      onGraph({ partners: [{ appId: '555', status: 'ACCEPTED' }] }),
      onGraph({ ownerAppId: '222' }),
      onGraph({ status: 'DRAFT', partners: [] }),
      onGraph({ status: 'DEACTIVATED' }),
      onGraph({ status: 'REJECTED' }),
    ]);
    await expect(createSolution(MESSAGE, deps)).resolves.toMatchObject({ outcome: 'created', how: 'created' });
    expect(graph.createSolution).toHaveBeenCalledTimes(1);
  });

  test.each<[string, Partial<SolutionDetails>]>([
    ['no partner at all', { partners: [] }],
    ['only another partner', { partners: [{ appId: '555' }] }],
    ['another app as its owner', { ownerAppId: '222' }],
  ])('a solution bearing this item’s name but with %s is an answer to retry, not a reason to create a second one', async (_, odd) => {
    const { store, graph, deps } = setup(CLAIMED, [onGraph({ id: 'sol-namesake', name: RECORD.solutionName, status: 'INITIATED', ...odd })]);

    const { graphError: error } = await retryOf(createSolution(MESSAGE, deps));

    expect(error).toMatchObject({ errorClass: 'transient', details: { message: expect.stringContaining('sol-namesake') } });
    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, { notBefore: 0, nextAttempt: at(8) });
    expect(graph.createSolution).not.toHaveBeenCalled();
    expect(store.recordCreated).not.toHaveBeenCalled();
  });

  test('an attempt that lost its claim reports the solution it made as orphaned', async () => {
    const { store, deps } = setup();
    store.recordCreated.mockResolvedValue(false);
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'orphaned', solutionId: 'sol-new' });
  });

  test('a throttled create (Graph refused it, made nothing) releases the lease, keeps the error and schedules the retry when Graph says', async () => {
    const { store, graph, deps } = setup();
    const error = new GraphError('throttled', { code: 80007, message: 'Rate limit hit', fbtraceId: 'T1' }, 400, 120);
    graph.createSolution.mockRejectedValue(error);

    const retry = await retryOf(createSolution(MESSAGE, deps));

    expect(retry).toMatchObject({ graphError: error, delaySeconds: 120, outcomeUnknown: false, lastDelivery: false });
    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, { notBefore: 0, nextAttempt: at(120) });
    expect(store.recordCreateFailed).not.toHaveBeenCalled();
  });

  test('on the message’s last delivery a failed attempt says that no retry is coming, for the reconciler to settle it', async () => {
    const { store, graph, deps } = setup();
    const error = new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 503);
    graph.listAppSolutions.mockRejectedValue(error);

    const retry = await retryOf(createSolution(MESSAGE, deps, { final: true }));

    expect(retry.lastDelivery).toBe(true);
    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, { notBefore: 0, nextAttempt: undefined });
  });

  test.each([
    ['no answer (timeout or reset)', new GraphError('transient', { code: -1, message: 'timed out after 10000 ms' }, 0)],
    ['a 5xx', new GraphError('transient', { code: -1, message: 'Graph API answered HTTP 502 without a JSON error body' }, 502)],
    ['a success whose body cannot be read', unexpectedAnswerGraphError('Graph answered POST whatsapp_business_solution in an unexpected shape (solution_id: …)')],
    ['an error Graph calls transient', new GraphError('transient', { code: 2, message: 'Service temporarily unavailable' }, 400)],
  ])('a create call that ended with %s may have made the solution: the next attempt waits for it to settle', async (_, error) => {
    const { store, graph, deps } = setup();
    graph.createSolution.mockRejectedValue(error);

    const retry = await retryOf(createSolution(MESSAGE, deps));

    expect(retry).toMatchObject({ delaySeconds: UNKNOWN_CREATE_SETTLE_SECONDS, outcomeUnknown: true, graphError: error });
    const settled = at(UNKNOWN_CREATE_SETTLE_SECONDS);
    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, { notBefore: settled.getTime(), nextAttempt: settled });
  });

  test('a transient failure before the create call was sent lets the next attempt in at once', async () => {
    const { store, graph, deps } = setup();
    const error = new GraphError('transient', { code: -1, message: 'timed out' }, 0);
    graph.listAppSolutions.mockRejectedValue(error);
    await expect(createSolution(MESSAGE, deps)).resolves.toMatchObject({ outcome: 'retry', graphError: error, delaySeconds: 8, outcomeUnknown: false });
    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', 3, error.details, NOW, { notBefore: 0, nextAttempt: at(8) });
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a permanent Graph error ends in CREATE_FAILED with Graph’s error kept, without retry', async () => {
    const { store, graph, deps } = setup();
    const details = { code: 190, subcode: 463, message: 'Session has expired', fbtraceId: 'T2' };
    graph.listAppSolutions.mockRejectedValue(new GraphError('permanent', details, 400));

    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'failed', error: details });

    expect(store.recordCreateFailed).toHaveBeenCalledWith('ob-1', '111', 3, details, expect.any(Date));
    expect(store.releaseCreateLease).not.toHaveBeenCalled();
  });
});
