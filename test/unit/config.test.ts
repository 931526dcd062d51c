import { ConfigError, loadAcceptSolutionConfig, loadCreateSolutionConfig, loadIntakeConfig, loadOpsConfig, loadReconcileConfig, loadTimeScale, loadWebhookConfig } from '../../lambdas/config';
import { SCHEDULE, scaledSchedule } from '../../lambdas/schedule';

const BASE = { TABLE_NAME: 'mps', PARTNER_APP_ID: '1000000000000001' };
/** What only the stack knows: the create queue's redelivery and receives, and the app secret (for the checks intake defers to the queue). */
const CREATE_QUEUE = { CREATE_QUEUE_URL: 'https://sqs/q', CREATE_REDELIVERY_SECONDS: '180', CREATE_MAX_RECEIVE_COUNT: '12', APP_SECRET_ID: 'arn:secret' };

describe('config', () => {
  test('intake config applies the documented defaults', () => {
    const config = loadIntakeConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q', APP_SECRET_ID: 'arn:secret' });
    expect(config.graph).toEqual({ baseUrl: 'https://graph.facebook.com', version: 'v25.0', appListingPath: 'me/assigned_applications', timeoutMs: 10_000 });
    expect(config.onboarding).toEqual({ partnerAppId: '1000000000000001', partnerName: 'Solution Partner', solutionNameTemplate: '{partner} × {appName}' });
    expect(config.secretCacheTtlSeconds).toBe(300);
  });

  test('create-solution permissions default to owner none, partner MESSAGING, and parse lists', () => {
    expect(loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE }).solution).toMatchObject({ ownerPermissions: [], partnerPermissions: ['MESSAGING'] });
    const custom = loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE, OWNER_PERMISSIONS: 'messaging, manage', PARTNER_PERMISSIONS: 'MANAGE_TEMPLATES' }).solution;
    expect(custom).toMatchObject({ ownerPermissions: ['MESSAGING', 'MANAGE'], partnerPermissions: ['MANAGE_TEMPLATES'] });
  });

  test.each([
    ['both sides', { OWNER_PERMISSIONS: 'MESSAGING', PARTNER_PERMISSIONS: 'MESSAGING' }],
    ['neither side', { OWNER_PERMISSIONS: 'MANAGE', PARTNER_PERMISSIONS: 'MANAGE' }],
  ])('refuses MESSAGING on %s, as Graph would', (_, env) => {
    expect(() => loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE, ...env })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
  });

  test('the create worker knows its queue’s redelivery and receives from the stack, never from a default', () => {
    expect(loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE })).toMatchObject({ maxReceiveCount: 12, solution: { redeliveryMs: 180_000 } });
    expect(() => loadCreateSolutionConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q', APP_SECRET_ID: 'arn:secret' })).toThrow(/CREATE_REDELIVERY_SECONDS[\s\S]*CREATE_MAX_RECEIVE_COUNT/);
  });

  test('the create worker checks the tokens intake deferred as intake does: the app secret and the solutions’ naming', () => {
    expect(loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE, PARTNER_NAME: 'Acme' })).toMatchObject({
      appSecretId: 'arn:secret',
      onboarding: { partnerAppId: '1000000000000001', partnerName: 'Acme', solutionNameTemplate: '{partner} × {appName}' },
    });
    const { APP_SECRET_ID: _, ...withoutSecret } = CREATE_QUEUE;
    expect(() => loadCreateSolutionConfig({ ...BASE, ...withoutSecret })).toThrow(/APP_SECRET_ID/);
  });

  test('accepts are retried for a day by default, by the accept worker and the reconciler alike', () => {
    const secret = { SYSTEM_USER_TOKEN_SECRET_ID: 'arn:token', ACCEPT_LEASE_SECONDS: '60', ACCEPT_WAKE_QUEUE_URL: 'https://sqs/wake' };
    // The check before accepting compares the permissions solutions are created with; declining a mismatch is opt-in.
    const expected = { partnerAppId: '1000000000000001', ownerPermissions: [], partnerPermissions: ['MESSAGING'], rejectMismatched: false, acceptLeaseMs: 60_000, retryPeriodMs: 86_400_000, backoff: SCHEDULE.acceptBackoff };
    expect(loadAcceptSolutionConfig({ ...BASE, ...secret }).acceptance).toEqual(expected);
    const reconcile = loadReconcileConfig({ ...BASE, ...secret, CREATE_QUEUE_URL: 'https://sqs/q', ACCEPT_RETRY_PERIOD_SECONDS: '3600', GRAPH_TIMEOUT_MS: '5000' });
    expect(reconcile.acceptance).toEqual({ ...expected, retryPeriodMs: 3_600_000 });
    expect(reconcile.reconciliation).toEqual({
      partnerAppId: '1000000000000001',
      stalledAfterMs: 300_000,
      acceptHandoffMs: 120_000,
      shareHandoffMs: 120_000,
      lifecyclePollAfterMs: 86_400_000,
      maxItemsPerPass: 100,
      // Three Graph calls, each with its timeout and pacing wait, and the item's writes.
      minTimeLeftMs: 3 * (5_000 + SCHEDULE.graphPacing.maxWaitMs) + SCHEDULE.reconcileItemWritesMs,
    });
    expect(() => loadReconcileConfig({ ...BASE, ...secret, CREATE_QUEUE_URL: 'q', ACCEPT_RETRY_PERIOD_SECONDS: '0' })).toThrow(/ACCEPT_RETRY_PERIOD_SECONDS/);
    // Both wake the accept retries they schedule, on the accept worker's wake queue.
    expect([loadAcceptSolutionConfig({ ...BASE, ...secret }).acceptWakeQueueUrl, reconcile.acceptWakeQueueUrl]).toEqual(['https://sqs/wake', 'https://sqs/wake']);
    const { ACCEPT_WAKE_QUEUE_URL: _, ...noWakeQueue } = secret;
    expect(() => loadAcceptSolutionConfig({ ...BASE, ...noWakeQueue })).toThrow(/ACCEPT_WAKE_QUEUE_URL/);
  });

  test('the functions that accept take the creation permissions, with the same one-MESSAGING-side rule, and an explicit flag to decline mismatches', () => {
    const accepting = { ...BASE, SYSTEM_USER_TOKEN_SECRET_ID: 'arn:token', ACCEPT_LEASE_SECONDS: '60', ACCEPT_WAKE_QUEUE_URL: 'https://sqs/wake' };
    expect(loadAcceptSolutionConfig({ ...accepting, OWNER_PERMISSIONS: 'messaging', PARTNER_PERMISSIONS: '', REJECT_MISMATCHED_SOLUTIONS: 'true' }).acceptance).toMatchObject({
      ownerPermissions: ['MESSAGING'],
      partnerPermissions: [],
      rejectMismatched: true,
    });
    expect(() => loadAcceptSolutionConfig({ ...accepting, OWNER_PERMISSIONS: 'MESSAGING' })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
    expect(() => loadAcceptSolutionConfig({ ...accepting, REJECT_MISMATCHED_SOLUTIONS: 'yes' })).toThrow(/REJECT_MISMATCHED_SOLUTIONS/);
    expect(() => loadReconcileConfig({ ...accepting, CREATE_QUEUE_URL: 'q', LIFECYCLE_POLL_AFTER_SECONDS: '0' })).toThrow(/LIFECYCLE_POLL_AFTER_SECONDS/);
  });

  test('TIME_SCALE shortens the schedule’s waits, never what bounds work; absent, the deployed schedule', () => {
    expect(loadTimeScale({})).toBe(1);
    expect(scaledSchedule(1)).toBe(SCHEDULE);
    const scaled = scaledSchedule(loadTimeScale({ TIME_SCALE: '0.1' }));
    expect(scaled.createBackoff).toEqual({ baseSeconds: 1, maxSeconds: 90, throttledMinSeconds: 6, maxAskedSeconds: 90 });
    expect(scaled.acceptBackoff).toEqual({ baseSeconds: 1, maxSeconds: 90, throttledMinSeconds: 6, maxAskedSeconds: 360 });
    expect(scaled.unknownCreateSettleSeconds).toBe(6);
    expect(scaled.busyRetryMs).toBe(1_000);
    // Past the visibility timeout by the deployed margin (120 s), scaled.
    expect(scaled.reconciler).toEqual({ intervalSeconds: 6, stalledAfterSeconds: SCHEDULE.createQueue.visibilityTimeoutSeconds + 12, acceptHandoffSeconds: 12 });
    expect(scaled.acceptRetry.leaseSeconds).toBe(SCHEDULE.acceptRetry.leaseSeconds);
    expect(scaled.acceptRetry.periodHours).toBeCloseTo(2.4);
    expect(scaled.lifecyclePollAfterHours).toBeCloseTo(2.4);
    // Leases, timeouts, the queue's visibility and Graph's pacing are kept.
    expect(scaled).toMatchObject({ functionTimeoutSeconds: SCHEDULE.functionTimeoutSeconds, createLeaseSeconds: SCHEDULE.createLeaseSeconds, createQueue: SCHEDULE.createQueue, graphPacing: SCHEDULE.graphPacing });
    // The functions hold the scaled backoffs.
    const create = loadCreateSolutionConfig({ ...BASE, ...CREATE_QUEUE, TIME_SCALE: '0.1' });
    expect(create.solution).toMatchObject({ backoff: scaled.createBackoff, unknownCreateSettleSeconds: 6, busyRetryMs: 1_000 });
    expect(create.redelivery).toEqual({ backoff: scaled.createBackoff, busyDeferrals: SCHEDULE.busyDeferrals });
    expect(loadAcceptSolutionConfig({ ...BASE, SYSTEM_USER_TOKEN_SECRET_ID: 'arn:token', ACCEPT_LEASE_SECONDS: '60', ACCEPT_WAKE_QUEUE_URL: 'q', TIME_SCALE: '0.1' }).acceptance.backoff).toEqual(scaled.acceptBackoff);
    for (const bad of ['0', '-1', '2', 'fast']) expect(() => loadTimeScale({ TIME_SCALE: bad })).toThrow(/TIME_SCALE/);
  });

  test('the webhook needs the table, its two secrets and who we are (our app and business), nothing of Graph', () => {
    const webhook = { TABLE_NAME: 't', APP_SECRET_ID: 'arn:app', WEBHOOK_VERIFY_TOKEN_SECRET_ID: 'arn:verify', PARTNER_APP_ID: '1000000000000001', BUSINESS_ID: '2949482758682047' };
    expect(loadWebhookConfig(webhook)).toEqual({
      tableName: 't',
      secretCacheTtlSeconds: 300,
      appSecretId: 'arn:app',
      verifyTokenSecretId: 'arn:verify',
      weeklyClientLimit: 200,
      us: { partnerAppId: '1000000000000001', businessId: '2949482758682047' },
    });
    expect(() => loadWebhookConfig({ ...webhook, WEBHOOK_VERIFY_TOKEN_SECRET_ID: undefined })).toThrow(/WEBHOOK_VERIFY_TOKEN_SECRET_ID/);
    expect(() => loadWebhookConfig({ ...webhook, BUSINESS_ID: undefined })).toThrow(/BUSINESS_ID/);
  });

  test('lists every missing or malformed variable at once', () => {
    let error: unknown;
    try {
      loadAcceptSolutionConfig({ PARTNER_APP_ID: 'acme', GRAPH_API_VERSION: '25' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['TABLE_NAME', 'PARTNER_APP_ID', 'GRAPH_API_VERSION', 'SYSTEM_USER_TOKEN_SECRET_ID']) expect(message).toContain(name);
  });

  test('ops: BUSINESS_ID (for credit-line) may be absent; the weekly client limit is Meta\'s 200 unless WEEKLY_CLIENT_LIMIT says otherwise', () => {
    const ops = { TABLE_NAME: 't', SYSTEM_USER_TOKEN_SECRET_ID: 'su', CREATE_REDELIVERY_SECONDS: '60', ACCEPT_LEASE_SECONDS: '60' };
    expect(loadOpsConfig(ops)).toMatchObject({ businessId: undefined, weeklyClientLimit: SCHEDULE.clients.weeklyLimit });
    expect(loadOpsConfig({ ...ops, BUSINESS_ID: '2949482758682047', WEEKLY_CLIENT_LIMIT: '10' })).toMatchObject({ businessId: '2949482758682047', weeklyClientLimit: 10 });
    expect(() => loadOpsConfig({ ...ops, WEEKLY_CLIENT_LIMIT: 'many' })).toThrow(/WEEKLY_CLIENT_LIMIT/);
  });
});

describe('the clients’ configuration', () => {
  const shareEnv = {
    TABLE_NAME: 't',
    PARTNER_APP_ID: '1000000000000001',
    SYSTEM_USER_TOKEN_SECRET_ID: 's',
    BUSINESS_ID: '2949482758682047',
    SYSTEM_USER_ID: '61550000000001',
    SHARE_WAKE_QUEUE_URL: 'https://sqs/share-wake',
  };

  it('shares nothing without a credit line, and USD by default with one', async () => {
    const { loadShareCreditConfig } = await import('../../lambdas/config');
    expect(loadShareCreditConfig({ ...shareEnv, CREDIT_LINE_ID: '' }).sharing.creditLine).toBeUndefined();
    expect(loadShareCreditConfig({ ...shareEnv, CREDIT_LINE_ID: '1972385232742146' }).sharing.creditLine).toEqual({ id: '1972385232742146', currency: 'USD' });
  });

  it('refuses a currency Meta does not take, in one clear line', async () => {
    const { loadShareCreditConfig } = await import('../../lambdas/config');
    expect(() => loadShareCreditConfig({ ...shareEnv, CREDIT_LINE_ID: '1972385232742146', CREDIT_CURRENCY: 'JPY' })).toThrow(
      'CREDIT_CURRENCY: must be one of AUD, EUR, GBP, IDR, INR, USD (Meta\'s list), got "JPY"',
    );
  });

  it('needs our business and system user as numeric IDs', async () => {
    const { loadShareCreditConfig } = await import('../../lambdas/config');
    expect(() => loadShareCreditConfig({ ...shareEnv, BUSINESS_ID: 'acme' })).toThrow('BUSINESS_ID: a numeric business portfolio ID');
    expect(() => loadShareCreditConfig({ ...shareEnv, SYSTEM_USER_ID: undefined })).toThrow('SYSTEM_USER_ID');
  });
});
