import { jest } from '@jest/globals';
import { acceptSolution, type AcceptSolutionDeps } from '../../lambdas/domain/accept-solution';
import type { SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionDetails } from '../../lambdas/graph/graph-client';
import { GraphError } from '../../lambdas/graph/graph-error';
import { rejectionOf } from '../support/rejection';

const PARTNER = '1000000000000001';

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
const notInitiated = () => new GraphError('permanent', { code: 100, subcode: 2207051, message: 'Solution is not in INITIATED status', fbtraceId: 'T' }, 422);
const onGraph = (s: Partial<SolutionDetails> = {}): SolutionDetails => ({
  id: 'sol-1',
  name: CREATED.solutionName,
  status: 'INITIATED',
  ownerAppId: '111',
  partners: [{ appId: PARTNER, status: 'NOTIFICATION_SENT' }],
  ...s,
});

function setup(current: SolutionRecord | undefined = CREATED, solution: SolutionDetails = onGraph()) {
  const store = {
    getSolution: jest.fn(async () => current),
    recordAccepted: jest.fn(async () => true),
    recordAcceptFailed: jest.fn(async () => true),
  };
  const graph = {
    acceptSolution: jest.fn(async (): Promise<void> => undefined),
    getSolution: jest.fn(async () => solution),
  };
  const systemUserToken = jest.fn(async () => 'system-user-token');
  const deps: AcceptSolutionDeps = { store, graph, settings: { partnerAppId: PARTNER }, systemUserToken, clock: () => new Date('2026-11-27T08:00:00Z') };
  return { store, graph, systemUserToken, deps };
}

describe('acceptSolution', () => {
  test('accepts a CREATED solution as our app with the system-user token and records it ACCEPTED', async () => {
    const { store, graph, deps } = setup();
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: false });
    expect(graph.acceptSolution).toHaveBeenCalledWith('sol-1', PARTNER, 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalledWith('ob-1', '111', expect.any(Date));
  });

  test('a duplicate stream record for a solution no longer CREATED does nothing', async () => {
    const { graph, systemUserToken, deps } = setup({ ...CREATED, status: 'ACCEPTED' });
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'skipped', status: 'ACCEPTED' });
    expect(graph.acceptSolution).not.toHaveBeenCalled();
    expect(systemUserToken).not.toHaveBeenCalled();
  });

  test.each([
    ['ACTIVE, with us among its partners', onGraph({ status: 'ACTIVE', partners: [{ appId: PARTNER }] })],
    ['still INITIATED, our partner entry ACCEPTED (another partner pending)', onGraph({ partners: [{ appId: PARTNER, status: 'ACCEPTED' }, { appId: '555', status: 'NOTIFICATION_SENT' }] })],
  ])('a refused accept of a solution Graph shows %s is recorded ACCEPTED', async (_, solution) => {
    const { store, graph, deps } = setup(CREATED, solution);
    graph.acceptSolution.mockRejectedValue(notInitiated());
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'accepted', alreadyAccepted: true });
    expect(graph.getSolution).toHaveBeenCalledWith('sol-1', 'system-user-token');
    expect(store.recordAccepted).toHaveBeenCalled();
    expect(store.recordAcceptFailed).not.toHaveBeenCalled();
  });

  test.each([
    ['ACTIVE without us among its partners', onGraph({ status: 'ACTIVE', partners: [{ appId: '555', status: 'ACCEPTED' }] })],
    ['REJECTED, our invitation declined', onGraph({ status: 'REJECTED', partners: [{ appId: PARTNER, status: 'REJECTED' }] })],
    ['REJECTED by another partner after our accept', onGraph({ status: 'REJECTED', partners: [{ appId: PARTNER, status: 'ACCEPTED' }, { appId: '555', status: 'REJECTED' }] })],
    ['DEACTIVATED after our accept', onGraph({ status: 'DEACTIVATED', partners: [{ appId: PARTNER, status: 'ACCEPTED' }] })],
  ])('a refused accept of a solution Graph shows %s ends ACCEPT_FAILED with the accept error', async (_, solution) => {
    const { store, graph, deps } = setup(CREATED, solution);
    const error = notInitiated();
    graph.acceptSolution.mockRejectedValue(error);
    await expect(acceptSolution(ITEM, deps)).resolves.toEqual({ outcome: 'failed', error: error.details });
    expect(store.recordAcceptFailed).toHaveBeenCalledWith('ob-1', '111', error.details, expect.any(Date));
  });

  test('a permanent refusal of a solution that is not active ends in ACCEPT_FAILED with Graph’s error', async () => {
    const { store, graph, deps } = setup();
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

  test('a refusal as no longer INITIATED that a read contradicts (INITIATED, our invitation pending) is retried, not recorded', async () => {
    const { store, graph, deps } = setup(CREATED, onGraph({ status: 'INITIATED', partners: [{ appId: PARTNER, status: 'NOTIFICATION_SENT' }] }));
    graph.acceptSolution.mockRejectedValue(notInitiated());
    await expect(rejectionOf(acceptSolution(ITEM, deps), GraphError)).resolves.toMatchObject({ errorClass: 'transient', details: { message: expect.stringMatching(/reads it INITIATED/) } });
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
