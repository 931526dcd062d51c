import { onboardingStatusView } from '../../lambdas/domain/onboarding-view';
import type { Onboarding, SolutionRecord } from '../../lambdas/domain/records';
import type { SolutionStatus } from '../../lambdas/domain/solution-status';

/** `GET /api/onboardings/{id}`: each solution with an ID says how many businesses joined through it. */
const AT = '2026-11-28T12:00:00.000Z';
const solution = (appId: string, status: SolutionStatus, solutionId?: string) =>
  ({ onboardingId: 'ob-1', appId, appName: `app ${appId}`, solutionName: `SP × app ${appId}`, status, attempts: 1, ...(solutionId ? { solutionId } : {}), createdAt: AT, updatedAt: AT }) as SolutionRecord;

const onboarding = (solutions: SolutionRecord[]): Onboarding => ({
  onboarding: { onboardingId: 'ob-1', apps: solutions.map((s) => ({ appId: s.appId, name: s.appName })), tokenFingerprint: 'fp', createdAt: AT, updatedAt: AT },
  solutions,
});

describe('the status view counts the businesses that joined each solution', () => {
  test('a solution with an ID carries `clients` (0 when none joined); one without an ID carries none and is not counted', async () => {
    const asked: string[] = [];
    const joined: Record<string, number> = { '9001': 3 };
    const view = await onboardingStatusView(onboarding([solution('1', 'ACCEPTED', '9001'), solution('2', 'EXISTING', '9002'), solution('3', 'PENDING')]), async (solutionId) => {
      asked.push(solutionId);
      return joined[solutionId] ?? 0;
    });
    expect(view.solutions.map((s) => ({ appId: s.appId, clients: 'clients' in s ? s.clients : 'absent' }))).toEqual([
      { appId: '1', clients: 3 },
      { appId: '2', clients: 0 },
      { appId: '3', clients: 'absent' },
    ]);
    expect(asked.sort()).toEqual(['9001', '9002']);
  });

  test('the contract’s other fields are as before: only `clients` is added', async () => {
    const view = await onboardingStatusView(onboarding([solution('1', 'ACCEPTED', '9001')]), async () => 1);
    expect(view).toEqual({
      onboardingId: 'ob-1',
      status: 'COMPLETED',
      createdAt: AT,
      solutions: [{ appId: '1', appName: 'app 1', solutionName: 'SP × app 1', solutionId: '9001', clients: 1, status: 'ACCEPTED' }],
    });
  });

  test('a count that cannot be read fails the view rather than saying 0', async () => {
    await expect(onboardingStatusView(onboarding([solution('1', 'ACCEPTED', '9001')]), () => Promise.reject(new Error('table unavailable')))).rejects.toThrow('table unavailable');
  });
});
