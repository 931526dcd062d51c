import { FAILURE_REASONS, SOLUTION_STATUSES } from '../../lambdas/domain/solution-status';
import { TECH_PROVIDER_ERROR_CODES } from '../../lambdas/commons/api-error-codes';
import { EXPLAINED_ERROR_CODES, EXPLAINED_REASONS, EXPLAINED_STATUSES } from '../../web/messages.js';
import { NO_LONGER_ACTIVE, SHOWN_STATUSES } from '../../web/status-view.js';

/**
 * The page names the server's statuses, error codes and failure reasons by hand (it is plain
 * JavaScript, served as it is): a name that drifts on either side would fall back to a generic text
 * without any other test noticing.
 */
describe('the onboarding page speaks the API’s names', () => {
  test('it shows every solution status, and no other', () => {
    expect([...SHOWN_STATUSES].sort()).toEqual([...SOLUTION_STATUSES].sort());
  });

  test('the statuses it explains by name are the server’s', () => {
    for (const status of [...EXPLAINED_STATUSES, ...NO_LONGER_ACTIVE]) expect(SOLUTION_STATUSES).toContain(status);
  });

  test('it explains every failure reason, and no other', () => {
    expect([...EXPLAINED_REASONS].sort()).toEqual([...FAILURE_REASONS].sort());
  });

  test('it explains every error a Tech Provider can meet, besides its own two (API Gateway’s 429, no network), and no other', () => {
    const pageOwn = ['HTTP_429', 'NETWORK_ERROR'];
    expect(EXPLAINED_ERROR_CODES.filter((code) => !pageOwn.includes(code)).sort()).toEqual([...TECH_PROVIDER_ERROR_CODES].sort());
  });
});
