import { jest } from '@jest/globals';
import { acceptSolution, type AcceptSolutionDeps } from '../../lambdas/domain/accept-solution';
import type { SolutionRecord } from '../../lambdas/domain/records';
import { GraphError } from '../../lambdas/graph/graph-error';

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
const notInitiated = () => new GraphError('permanent', { code: 100, message: 'The solution cannot be accepted in its current status ACTIVE', fbtraceId: 'T' }, 400);

function setup(current: SolutionRecord | undefined = CREATED, solutionStatus = 'INITIATED') {
  const store = {
    getSolution: jest.fn(async () => current),
    recordAccepted: jest.fn(async () => true),
    recordAcceptFailed: jest.fn(async () => true),
  };
  const graph = {
    acceptSolution: jest.fn(async (): Promise<void> => undefined),
    getSolution: jest.fn(async () => ({ id: 'sol-1', name: CREATED.solutionName, status: solutionStatus })),
  };
  const systemUserToken = jest.fn(async () => 'system-user-token');
  const deps: AcceptSolutionDeps = { store, graph, systemUserToken, clock: () => new Date('2026-11-27T08:00:00Z') };
  return { store, graph, systemUserToken, deps };
}

describe('acceptSolution', () => {
  test('accepts a CREATED solution with the system-user token and records it ACCEPTED', async () => {
    const { store, graph, deps } = setup();
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: false });
    expect(graph.acceptSolution).toHaveBeenCalledWith('sol-1', 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalledWith('ob-1', '111', expect.any(Date));
  });

  test('a duplicate stream record for a solution no longer CREATED does nothing', async () => {
    const { graph, systemUserToken, deps } = setup({ ...CREATED, status: 'ACCEPTED' });
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
    expect(graph.acceptSolution).not.toHaveBeenCalled();
    expect(systemUserToken).not.toHaveBeenCalled();
  });

  test('a solution Graph already shows ACTIVE is recorded ACCEPTED when the accept call is refused', async () => {
    const { store, graph, deps } = setup(CREATED, 'ACTIVE');
    graph.acceptSolution.mockRejectedValue(notInitiated());
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: true });
    expect(graph.getSolution).toHaveBeenCalledWith('sol-1', 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalled();
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
  });

  test('a permanent refusal of a solution that is not active ends in ACCEPT_FAILED with Graph’s error', async () => {
    const { store, graph, deps } = setup(CREATED, 'INITIATED');
    const error = new GraphError('permanent', { code: 200, message: '(#200) Only the invited partner app can accept this solution', fbtraceId: 'T9' }, 403);
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'failed', error: error.details });
    expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', error.details, expect.any(Date));
    expect(store.recordAccepted).not.toHaveBeenCalled();
  });

  test('a transient Graph error is rethrown so the stream retries the record', async () => {
    const { store, graph, deps } = setup();
    const error = new GraphError('transient', { code: 1, message: 'An unknown error occurred' }, 500);
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps)).rejects.toBe(error);
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
    expect(store.recordAccepted).not.toHaveBeenCalled();
  });

  test('a transient failure to confirm the solution’s state is retried, not recorded as a failed accept', async () => {
    const { store, graph, deps } = setup();
    graph.acceptSolution.mockRejectedValue(notInitiated());
    graph.getSolution.mockRejectedValue(new GraphError('transient', { code: 2, message: 'Service unavailable' }, 503));
    await expect(acceptSolution(ITEM, deps)).rejects.toBeInstanceOf(GraphError);
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
  });
});
