import { SCHEDULE } from '../../lambdas/schedule';
import { functionEnvironments } from '../../lib/function-environment';

const PARTNER = { partnerAppId: '1000000000000001', businessId: '2949482758682047', systemUserId: '61550000000001' };
const RESOURCES = { tableName: 't', createQueueUrl: 'q', acceptWakeQueueUrl: 'aw', shareWakeQueueUrl: 'sw', appSecretId: 'a', systemUserTokenSecretId: 's', webhookVerifyTokenSecretId: 'w' };

describe('function environments and TIME_SCALE', () => {
  test('the stack’s (scale 1): the schedule’s values, and no TIME_SCALE', () => {
    const env = functionEnvironments(PARTNER, RESOURCES);
    for (const fn of Object.values(env)) expect(fn).not.toHaveProperty('TIME_SCALE');
    expect(env.reconcile).toMatchObject({
      RECONCILE_STALLED_AFTER_SECONDS: String(SCHEDULE.reconciler.stalledAfterSeconds),
      RECONCILE_ACCEPT_HANDOFF_SECONDS: String(SCHEDULE.reconciler.acceptHandoffSeconds),
      ACCEPT_RETRY_PERIOD_SECONDS: String(SCHEDULE.acceptRetry.periodHours * 3600),
      LIFECYCLE_POLL_AFTER_SECONDS: String(SCHEDULE.lifecyclePollAfterHours * 3600),
    });
  });

  test('scaled: the waits shortened, what bounds work kept, TIME_SCALE passed to the functions that hold waits in code; explicit context wins', () => {
    const env = functionEnvironments(PARTNER, RESOURCES, undefined, 0.1);
    expect(env.reconcile).toMatchObject({ RECONCILE_ACCEPT_HANDOFF_SECONDS: '12', ACCEPT_RETRY_PERIOD_SECONDS: '8640', LIFECYCLE_POLL_AFTER_SECONDS: '8640', TIME_SCALE: '0.1' });
    expect(env.createSolution).toMatchObject({ CREATE_LEASE_SECONDS: String(SCHEDULE.createLeaseSeconds), CREATE_REDELIVERY_SECONDS: String(SCHEDULE.createQueue.visibilityTimeoutSeconds), TIME_SCALE: '0.1' });
    expect(env.acceptSolution).toMatchObject({ ACCEPT_LEASE_SECONDS: String(SCHEDULE.acceptRetry.leaseSeconds), TIME_SCALE: '0.1' });
    expect(env.intake).toMatchObject({ INTAKE_DEADLINE_MS: String(SCHEDULE.intakeDeadlineMs) });
    expect(env.intake).not.toHaveProperty('TIME_SCALE');
    expect(functionEnvironments({ ...PARTNER, acceptRetryHours: '0.01' }, RESOURCES, undefined, 0.1).acceptSolution.ACCEPT_RETRY_PERIOD_SECONDS).toBe('36');
  });
});
