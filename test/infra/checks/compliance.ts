import { type PolicyViolation, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { compliancePacks } from '../../../lib/mps-onboarding-app';
import { FULL_CONTEXT, synthApp } from '../app-under-test';

const { stack } = synthApp(FULL_CONTEXT);

const describeViolations = (violations: PolicyViolation[]) =>
  violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description.slice(0, 120)}`));

/** Runs the packs as if nothing were acknowledged (cdk-nag reads acknowledgements under this metadata key). */
function findingsWithoutAcknowledgements(scope: IConstruct): PolicyViolation[] {
  const key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY;
  Object.defineProperty(Validations, 'ACKNOWLEDGED_RULES_METADATA_KEY', { value: 'acknowledgements-ignored', configurable: true });
  try {
    return compliancePacks().flatMap((pack) => pack.validateScope(scope).violations);
  } finally {
    Object.defineProperty(Validations, 'ACKNOWLEDGED_RULES_METADATA_KEY', { value: key, configurable: true });
  }
}

/** Every acknowledgement in the stack: where, which finding, why. */
function acknowledgements(scope: IConstruct) {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^annotation::/i, ''), reason })),
  );
}

describe('cdk-nag', () => {
  it.each(compliancePacks().map((pack) => [pack.readPackName, pack] as const))('%s: no unacknowledged finding, error or warning', (_name, pack) => {
    expect(describeViolations(pack.validateScope(stack).violations)).toEqual([]);
  });

  it('each acknowledgement names a reason and still answers a finding on its construct', () => {
    const findings = findingsWithoutAcknowledgements(stack);
    const acks = acknowledgements(stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect({ ...ack, reason: ack.reason.length >= 60 }).toEqual({ ...ack, reason: true });
      const answered = findings.some(
        (f) => f.ruleName === ack.id && f.violatingResources.some((r) => r.constructPath === ack.path || r.constructPath?.startsWith(`${ack.path}/`)),
      );
      expect({ ...ack, answered }).toEqual({ ...ack, answered: true });
    }
  });
});
