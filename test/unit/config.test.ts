import { ConfigError, loadAcceptSolutionConfig, loadCreateSolutionConfig, loadIntakeConfig, loadReconcileConfig, loadWebhookConfig } from '../../lambdas/config';

const BASE = { TABLE_NAME: 'mps', PARTNER_APP_ID: '1000000000000001' };
/** What only the stack knows: the create queue's redelivery and receives. */
const CREATE_QUEUE = { CREATE_QUEUE_URL: 'https://sqs/q', CREATE_REDELIVERY_SECONDS: '180', CREATE_MAX_RECEIVE_COUNT: '12' };

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
    expect(() => loadCreateSolutionConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q' })).toThrow(/CREATE_REDELIVERY_SECONDS[\s\S]*CREATE_MAX_RECEIVE_COUNT/);
  });

  test('accepts are retried for a day by default, by the accept worker and the reconciler alike', () => {
    const secret = { SYSTEM_USER_TOKEN_SECRET_ID: 'arn:token', ACCEPT_LEASE_SECONDS: '60' };
    // The check before accepting compares the permissions solutions are created with; declining a mismatch is opt-in.
    const expected = { partnerAppId: '1000000000000001', ownerPermissions: [], partnerPermissions: ['MESSAGING'], rejectMismatched: false, acceptLeaseMs: 60_000, retryPeriodMs: 86_400_000 };
    expect(loadAcceptSolutionConfig({ ...BASE, ...secret }).acceptance).toEqual(expected);
    const reconcile = loadReconcileConfig({ ...BASE, ...secret, CREATE_QUEUE_URL: 'https://sqs/q', ACCEPT_RETRY_PERIOD_SECONDS: '3600', GRAPH_TIMEOUT_MS: '5000' });
    expect(reconcile.acceptance).toEqual({ ...expected, retryPeriodMs: 3_600_000 });
    expect(reconcile.reconciliation).toEqual({
      partnerAppId: '1000000000000001',
      stalledAfterMs: 300_000,
      acceptHandoffMs: 120_000,
      lifecyclePollAfterMs: 86_400_000,
      maxItemsPerPass: 100,
      minTimeLeftMs: 26_000,
    });
    expect(() => loadReconcileConfig({ ...BASE, ...secret, CREATE_QUEUE_URL: 'q', ACCEPT_RETRY_PERIOD_SECONDS: '0' })).toThrow(/ACCEPT_RETRY_PERIOD_SECONDS/);
  });

  test('the functions that accept take the creation permissions, with the same one-MESSAGING-side rule, and an explicit flag to decline mismatches', () => {
    const accepting = { ...BASE, SYSTEM_USER_TOKEN_SECRET_ID: 'arn:token', ACCEPT_LEASE_SECONDS: '60' };
    expect(loadAcceptSolutionConfig({ ...accepting, OWNER_PERMISSIONS: 'messaging', PARTNER_PERMISSIONS: '', REJECT_MISMATCHED_SOLUTIONS: 'true' }).acceptance).toMatchObject({
      ownerPermissions: ['MESSAGING'],
      partnerPermissions: [],
      rejectMismatched: true,
    });
    expect(() => loadAcceptSolutionConfig({ ...accepting, OWNER_PERMISSIONS: 'MESSAGING' })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
    expect(() => loadAcceptSolutionConfig({ ...accepting, REJECT_MISMATCHED_SOLUTIONS: 'yes' })).toThrow(/REJECT_MISMATCHED_SOLUTIONS/);
    expect(() => loadReconcileConfig({ ...accepting, CREATE_QUEUE_URL: 'q', LIFECYCLE_POLL_AFTER_SECONDS: '0' })).toThrow(/LIFECYCLE_POLL_AFTER_SECONDS/);
  });

  test('the webhook needs the table and its two secrets, nothing of Graph', () => {
    expect(loadWebhookConfig({ TABLE_NAME: 't', APP_SECRET_ID: 'arn:app', WEBHOOK_VERIFY_TOKEN_SECRET_ID: 'arn:verify' })).toEqual({
      tableName: 't',
      secretCacheTtlSeconds: 300,
      appSecretId: 'arn:app',
      verifyTokenSecretId: 'arn:verify',
    });
    expect(() => loadWebhookConfig({ TABLE_NAME: 't', APP_SECRET_ID: 'arn:app' })).toThrow(/WEBHOOK_VERIFY_TOKEN_SECRET_ID/);
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
});
