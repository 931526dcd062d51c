import { jest } from '@jest/globals';
import { TransitionRefusedError } from '../../lambdas/domain/item-move';
import { reportRefusedTransition } from '../../lambdas/handlers/transition-report';
import { logger, metrics } from '../../lambdas/commons/observability';
import { memoryRecordStore } from '../support/memory-record-store';

const T0 = new Date('2026-12-01T10:00:00Z');

describe('a transition the table does not have', () => {
  test('is refused with a typed error naming both statuses, reported, and writes nothing', async () => {
    const reported = jest.fn();
    const { store, ports } = memoryRecordStore(reported);
    const record = { onboardingId: 'ob-1', appId: '111', appName: 'a', solutionName: 'n', status: 'DEACTIVATED' as const, solutionId: 's', attempts: 1, createdAt: 't', updatedAt: 't' };
    await ports.seed(record);

    const refusal = store.recordLifecycle(record, 'ACCEPTED', T0, T0, { source: 'read', furtherAlong: false });

    await expect(refusal).rejects.toBeInstanceOf(TransitionRefusedError);
    await expect(refusal).rejects.toMatchObject({ transition: 'recordLifecycle', from: 'DEACTIVATED', to: 'ACCEPTED', message: expect.stringContaining('DEACTIVATED → ACCEPTED') });
    expect(reported).toHaveBeenCalledTimes(1);
    expect(reported).toHaveBeenCalledWith(expect.any(TransitionRefusedError), { onboardingId: 'ob-1', appId: '111' });
    await expect(store.getSolution('ob-1', '111')).resolves.toEqual(record);
  });

  test('is logged as an error with the item and both statuses, and counted', () => {
    const addMetric = jest.spyOn(metrics, 'addMetric').mockImplementation(() => metrics);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);

    reportRefusedTransition(new TransitionRefusedError('recordLifecycle', 'DEACTIVATED', 'ACCEPTED'), { onboardingId: 'ob-1', appId: '111' });

    expect(addMetric).toHaveBeenCalledWith('TransitionRefused', 'Count', 1);
    expect(error).toHaveBeenCalledWith(expect.any(String), { onboardingId: 'ob-1', appId: '111', transition: 'recordLifecycle', from: 'DEACTIVATED', to: 'ACCEPTED' });
  });
});
