import { onboardingStatus, SOLUTION_STATUSES, type SolutionStatus } from '../../lambdas/domain/solution-status';
import { canMove, SOLUTION_MOVES } from '../../lambdas/domain/status-sets';

describe('the solution status machine', () => {
  test('names a list of moves for every status, each to a status it knows', () => {
    expect(Object.keys(SOLUTION_MOVES).sort()).toEqual([...SOLUTION_STATUSES].sort());
    for (const targets of Object.values(SOLUTION_MOVES)) for (const to of targets) expect(SOLUTION_STATUSES).toContain(to);
  });

  test('has exactly these moves, derived from the transition table', () => {
    expect(SOLUTION_MOVES).toEqual({
      PENDING: ['CREATING', 'CREATE_FAILED', 'EXISTING', 'PENDING_DEACTIVATION'],
      CREATING: ['CREATED', 'CREATE_FAILED', 'EXISTING', 'PENDING_DEACTIVATION'],
      CREATED: ['ACCEPTED', 'ACCEPT_FAILED', 'REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED'],
      ACCEPTED: ['REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED'],
      CREATE_FAILED: ['PENDING'],
      ACCEPT_FAILED: ['CREATED', 'ACCEPTED', 'REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED'],
      EXISTING: ['REJECTED', 'PENDING_DEACTIVATION', 'DEACTIVATED'],
      REJECTED: [],
      PENDING_DEACTIVATION: ['ACCEPTED', 'EXISTING', 'REJECTED', 'DEACTIVATED'],
      DEACTIVATED: [],
    });
  });

  test.each<[SolutionStatus, SolutionStatus]>([
    ['PENDING', 'CREATING'],
    ['CREATING', 'CREATED'],
    ['CREATED', 'ACCEPTED'],
    ['CREATED', 'ACCEPT_FAILED'],
    ['ACCEPT_FAILED', 'CREATED'],
    ['CREATE_FAILED', 'PENDING'],
    ['PENDING_DEACTIVATION', 'EXISTING'],
    ['CREATING', 'CREATING'],
  ])('%s → %s is a move', (from, to) => expect(canMove(from, to)).toBe(true));

  test.each<[SolutionStatus, SolutionStatus]>([
    // An accept cannot be undone, nor a solution created twice.
    ['ACCEPTED', 'CREATED'],
    ['ACCEPTED', 'CREATING'],
    ['CREATED', 'CREATING'],
    // Only a create the reconciler abandoned goes back, and only to PENDING.
    ['CREATE_FAILED', 'CREATING'],
    // Final on Graph.
    ['REJECTED', 'ACCEPTED'],
    ['DEACTIVATED', 'PENDING_DEACTIVATION'],
    ['PENDING', 'ACCEPTED'],
  ])('%s → %s is not', (from, to) => expect(canMove(from, to)).toBe(false));
});

describe('onboarding status', () => {
  test.each([
    [['PENDING', 'ACCEPTED'], 'IN_PROGRESS'],
    [['CREATED', 'CREATE_FAILED'], 'IN_PROGRESS'],
    [['ACCEPTED', 'EXISTING'], 'COMPLETED'],
    [['ACCEPTED', 'ACCEPT_FAILED'], 'PARTIAL'],
    [['CREATE_FAILED', 'ACCEPT_FAILED'], 'FAILED'],
  ] as [SolutionStatus[], string][])('%j → %s', (statuses, expected) => {
    expect(onboardingStatus(statuses.map((status) => ({ status })))).toBe(expected);
  });
});
