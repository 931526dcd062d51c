import { jest } from '@jest/globals';
import { createSolution, SolutionBusyError, type CreateSolutionDeps } from '../../lambdas/domain/create-solution';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { GraphError } from '../../lambdas/graph/graph-error';
import type { CreateClaim } from '../../lambdas/store/onboarding-store';

const MESSAGE = { onboardingId: 'ob-1', appId: '111', accessToken: 'tp-token' };
const RECORD: SolutionRecord = {
  onboardingId: 'ob-1',
  appId: '111',
  appName: 'media_monsoon_prod',
  solutionName: 'Acme × media_monsoon_prod · abc234',
  status: 'CREATING',
  attempts: 1,
  createdAt: '2026-11-27T08:00:00.000Z',
  updatedAt: '2026-11-27T08:00:00.000Z',
};

function setup(claim: CreateClaim) {
  const store = {
    claimForCreate: jest.fn(async () => claim),
    recordCreated: jest.fn(async () => true),
    recordCreateFailed: jest.fn(async () => true),
    releaseCreateLease: jest.fn(async () => undefined),
  };
  const graph = {
    createSolution: jest.fn(async (): Promise<string> => 'sol-new'),
    listAppSolutions: jest.fn(async () => [] as Awaited<ReturnType<CreateSolutionDeps['graph']['listAppSolutions']>>),
  };
  const deps: CreateSolutionDeps = {
    store,
    graph,
    settings: { partnerAppId: '1000000000000001', ownerPermissions: [], partnerPermissions: ['MESSAGING'], createLeaseMs: 30_000 },
    clock: () => new Date('2026-11-27T08:00:00Z'),
  };
  return { store, graph, deps };
}

describe('createSolution', () => {
  test('creates the solution with the configured body and the TP token, then records it CREATED', async () => {
    const { store, graph, deps } = setup({ kind: 'claimed', record: RECORD, resumed: false });

    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-new', recovered: false });

    expect(store.claimForCreate).toHaveBeenCalledWith('ob-1', '111', expect.any(Date), 30_000);
    expect(graph.createSolution).toHaveBeenCalledWith(
      '111',
      { ownerPermissions: [], partnerAppId: '1000000000000001', partnerPermissions: ['MESSAGING'], solutionName: RECORD.solutionName },
      'tp-token',
    );
    expect(graph.listAppSolutions).not.toHaveBeenCalled();
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 'sol-new', expect.any(Date));
  });

  test('a duplicate message for a settled solution calls nothing on Graph', async () => {
    const { graph, deps } = setup({ kind: 'settled', record: { ...RECORD, status: 'ACCEPTED', solutionId: 's' } });
    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a message whose solution another attempt holds is retried later, not processed in parallel', async () => {
    const { graph, deps } = setup({ kind: 'busy', record: RECORD });
    await expect(createSolution(MESSAGE, deps)).rejects.toBeInstanceOf(SolutionBusyError);
    expect(graph.createSolution).not.toHaveBeenCalled();
  });

  test('a resumed attempt adopts the solution an earlier attempt created instead of creating a second one', async () => {
    const { store, graph, deps } = setup({ kind: 'claimed', record: RECORD, resumed: true });
    graph.listAppSolutions.mockResolvedValue([
      { id: 'other-partner', name: RECORD.solutionName, status: 'INITIATED', ownerAppId: '111', partnerAppId: '555' },
      { id: 'sol-earlier', name: RECORD.solutionName, status: 'INITIATED', ownerAppId: '111', partnerAppId: '1000000000000001' },
    ]);

    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'created', solutionId: 'sol-earlier', recovered: true });

    expect(graph.listAppSolutions).toHaveBeenCalledWith('111', 'OWNER', 'tp-token');
    expect(graph.createSolution).not.toHaveBeenCalled();
    expect(store.recordCreated).toHaveBeenCalledWith('ob-1', '111', 'sol-earlier', expect.any(Date));
  });

  test('a resumed attempt that finds nothing on Graph creates the solution', async () => {
    const { graph, deps } = setup({ kind: 'claimed', record: RECORD, resumed: true });
    await expect(createSolution(MESSAGE, deps)).resolves.toMatchObject({ outcome: 'created', solutionId: 'sol-new', recovered: false });
    expect(graph.createSolution).toHaveBeenCalledTimes(1);
  });

  test('a transient Graph error releases the lease, keeps the error and rethrows for redelivery', async () => {
    const { store, graph, deps } = setup({ kind: 'claimed', record: RECORD, resumed: false });
    const error = new GraphError('transient', { code: 2, message: 'Service temporarily unavailable', fbtraceId: 'T1' }, 503);
    graph.createSolution.mockRejectedValue(error);

    await expect(createSolution(MESSAGE, deps)).rejects.toBe(error);

    expect(store.releaseCreateLease).toHaveBeenCalledWith('ob-1', '111', error.details, expect.any(Date));
    expect(store.recordCreateFailed).not.toHaveBeenCalled();
  });

  test('a permanent Graph error ends in CREATE_FAILED with Graph’s error kept, without retry', async () => {
    const { store, graph, deps } = setup({ kind: 'claimed', record: RECORD, resumed: false });
    const details = { code: 190, subcode: 463, message: 'Session has expired', fbtraceId: 'T2' };
    graph.createSolution.mockRejectedValue(new GraphError('permanent', details, 400));

    await expect(createSolution(MESSAGE, deps)).resolves.toEqual({ outcome: 'failed', error: details });

    expect(store.recordCreateFailed).toHaveBeenCalledWith('ob-1', '111', details, expect.any(Date));
    expect(store.releaseCreateLease).not.toHaveBeenCalled();
  });
});
