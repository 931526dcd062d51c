import { solutionName, SOLUTION_NAME_MAX_LENGTH } from '../../lambdas/domain/solution-name';

describe('solution name', () => {
  test('renders the template and appends the given suffix', () => {
    expect(solutionName('{partner} × {appName} ({appId})', { partner: 'Acme', appName: 'prod', appId: '42' }, 'abc234')).toBe('Acme × prod (42) · abc234');
  });

  test('differs between two solutions for the same pair', () => {
    const values = { partner: 'Acme', appName: 'prod', appId: '42' };
    expect(solutionName('{partner} × {appName}', values)).not.toBe(solutionName('{partner} × {appName}', values));
  });

  test('stays within the length limit and keeps the suffix', () => {
    const name = solutionName('{partner} × {appName}', { partner: 'Acme', appName: 'x'.repeat(300), appId: '1' }, 'abc234');
    expect(name.length).toBeLessThanOrEqual(SOLUTION_NAME_MAX_LENGTH);
    expect(name.endsWith(' · abc234')).toBe(true);
  });
});
