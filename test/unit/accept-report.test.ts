import { jest } from '@jest/globals';
import { reportAcceptOutcome } from '../../lambdas/handlers/accept-report';
import { metrics } from '../../lambdas/commons/observability';

/** The metric behind the failed-accept alarm, counted from the outcomes of the stream's and the reconciler's accepts. */
const addMetric = jest.spyOn(metrics, 'addMetric');
const error = { code: 200, message: '(#200) Permissions error' };

beforeEach(() => addMetric.mockClear());

test.each([
  ['refused for good', { outcome: 'failed', error, attempt: 1, gaveUp: false }, ['SolutionAcceptFailed']],
  ['retried for the whole period', { outcome: 'failed', error, attempt: 9, gaveUp: true }, ['SolutionAcceptFailed']],
  ['not the solution we asked for', { outcome: 'mismatch', error, attempt: 1 }, ['SolutionMismatch', 'SolutionAcceptFailed']],
  ['retrying', { outcome: 'retrying', error, attempt: 1, nextAttemptAt: '2026-11-28T10:00:00.000Z' }, ['AcceptAttemptFailed']],
  ['accepted', { outcome: 'accepted', alreadyAccepted: false, attempt: 1 }, ['SolutionAccepted']],
] as const)('an accept %s counts %j', (_, outcome, expected) => {
  reportAcceptOutcome(outcome as Parameters<typeof reportAcceptOutcome>[0]);
  expect(addMetric.mock.calls.map(([name]) => name)).toEqual(expected);
});
