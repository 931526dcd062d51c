import { ConfigError, loadAcceptSolutionConfig, loadCreateSolutionConfig, loadIntakeConfig } from '../../lambdas/config';

const BASE = { TABLE_NAME: 'mps', PARTNER_APP_ID: '1000000000000001' };

describe('config', () => {
  test('intake config applies the documented defaults', () => {
    const config = loadIntakeConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q', APP_SECRET_ID: 'arn:secret' });
    expect(config.graph).toEqual({ baseUrl: 'https://graph.facebook.com', version: 'v25.0', appListingPath: 'me/assigned_applications', timeoutMs: 10_000 });
    expect(config.onboarding).toEqual({ partnerAppId: '1000000000000001', partnerName: 'Solution Partner', solutionNameTemplate: '{partner} × {appName}' });
    expect(config.secretCacheTtlSeconds).toBe(300);
  });

  test('create-solution permissions default to owner none, partner MESSAGING, and parse lists', () => {
    expect(loadCreateSolutionConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q' }).solution).toMatchObject({ ownerPermissions: [], partnerPermissions: ['MESSAGING'] });
    const custom = loadCreateSolutionConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q', OWNER_PERMISSIONS: 'messaging, manage', PARTNER_PERMISSIONS: 'MANAGE_TEMPLATES' }).solution;
    expect(custom).toMatchObject({ ownerPermissions: ['MESSAGING', 'MANAGE'], partnerPermissions: ['MANAGE_TEMPLATES'] });
  });

  test.each([
    ['both sides', { OWNER_PERMISSIONS: 'MESSAGING', PARTNER_PERMISSIONS: 'MESSAGING' }],
    ['neither side', { OWNER_PERMISSIONS: 'MANAGE', PARTNER_PERMISSIONS: 'MANAGE' }],
  ])('refuses MESSAGING on %s, as Graph would', (_, env) => {
    expect(() => loadCreateSolutionConfig({ ...BASE, CREATE_QUEUE_URL: 'https://sqs/q', ...env })).toThrow(/exactly one of OWNER_PERMISSIONS and PARTNER_PERMISSIONS/);
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
