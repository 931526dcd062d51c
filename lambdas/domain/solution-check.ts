import { SOLUTION_STATUS, type SolutionDetails } from '../graph/graph-client';
import type { SolutionDifference } from './records';

/** What the record asked Graph for: the solution we may accept. */
export interface ExpectedSolution {
  ownerAppId: string;
  partnerAppId: string;
  name: string;
  /** As configured (OWNER_PERMISSIONS, PARTNER_PERMISSIONS): exactly one side holds MESSAGING. */
  ownerPermissions: readonly string[];
  partnerPermissions: readonly string[];
}

const MESSAGING = 'MESSAGING';
/** Our status in the solution's `partners` edge once we accepted. */
const PARTNER_ACCEPTED = 'ACCEPTED';

/**
 * How the solution differs from what we asked for, status aside (docs/graph-api.md "Check before
 * accepting"): its owner app, our app among its partners, its name, and the permissions. Graph adds
 * a default set to both sides on its own and lets the creator choose only MESSAGING, so permissions
 * match when MESSAGING sits on the configured side alone and every configured permission is there;
 * permissions beyond those are Graph's defaults, which Meta may change, and are not judged.
 */
export function solutionDifferences(solution: SolutionDetails, expected: ExpectedSolution): SolutionDifference[] {
  const differences: SolutionDifference[] = [];
  const differ = (field: string, wanted: string, actual: string) => differences.push({ field, expected: wanted, actual });
  if (solution.ownerAppId !== expected.ownerAppId) differ('owner_app', expected.ownerAppId, solution.ownerAppId);
  if (solution.name !== expected.name) differ('name', expected.name, solution.name);
  const us = solution.partners.find((p) => p.appId === expected.partnerAppId);
  if (!us) differ('partners', `includes app ${expected.partnerAppId}`, listed(solution.partners.map((p) => p.appId)));
  const sides = [
    { field: 'owner_permissions', actual: solution.ownerPermissions, configured: expected.ownerPermissions },
    ...(us ? [{ field: 'partner_permissions', actual: us.permissions, configured: expected.partnerPermissions }] : []),
  ];
  for (const { field, actual = [], configured } of sides) {
    const messaging = configured.includes(MESSAGING);
    const missing = configured.filter((p) => p !== MESSAGING && !actual.includes(p));
    if (actual.includes(MESSAGING) !== messaging || missing.length > 0) {
      differ(field, `${messaging ? 'with' : 'without'} ${MESSAGING}${missing.length > 0 ? `, with ${listed(missing)}` : ''}`, listed(actual));
    }
  }
  return differences;
}

/** The one status in which a solution may be accepted. */
export function statusDifference(solution: SolutionDetails): SolutionDifference[] {
  return solution.status === SOLUTION_STATUS.initiated ? [] : [{ field: 'status', expected: SOLUTION_STATUS.initiated, actual: solution.status }];
}

/**
 * Whether our accept is already in: ACTIVE with us among its partners, or still INITIATED (other
 * partners pending) with our entry ACCEPTED. REJECTED or DEACTIVATED is not, whatever our entry says.
 */
export function acceptedBy(solution: SolutionDetails, partnerAppId: string): boolean {
  const us = solution.partners.find((p) => p.appId === partnerAppId);
  if (!us) return false;
  return solution.status === SOLUTION_STATUS.active || (solution.status === SOLUTION_STATUS.initiated && us.status === PARTNER_ACCEPTED);
}

/** One sentence naming each difference, for the record's error message and the page. */
export function describeDifferences(differences: readonly SolutionDifference[]): string {
  const each = differences.map((d) => `${d.field} is ${d.actual}, expected ${d.expected}`);
  return `The solution on Facebook is not the one we asked for, so it was not accepted: ${each.join('; ')}.`;
}

function listed(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(', ') : '(none)';
}
