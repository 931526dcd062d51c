import { Annotations, type App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { MpsOnboardingStack } from './mps-onboarding-stack';
import { readDeploymentSettings, SAMPLE_PARTNER_APP_ID } from './partner-context';

/** The cdk-nag packs the stack must pass; every finding is fixed or acknowledged where it arises. */
export function compliancePacks() {
  const props = { verbose: true };
  return [new AwsSolutionsChecks(undefined, props), new ServerlessChecks(undefined, props)];
}

/**
 * The CDK app (bin/app.ts): the stack from CDK context, checked by cdk-nag on every synth, so an
 * unacknowledged finding fails `cdk synth` and `cdk deploy` before anything reaches AWS.
 */
export function defineApp(app: App): MpsOnboardingStack {
  const settings = readDeploymentSettings((key) => app.node.tryGetContext(key));
  // Environment-agnostic on purpose: no account/region, no lookups, so synth needs no credentials.
  const stack = new MpsOnboardingStack(app, 'MpsOnboarding', {
    description: 'WhatsApp Multi-Partner Solutions onboarding pipeline',
    ...settings,
  });
  if (settings.partner.partnerAppId === SAMPLE_PARTNER_APP_ID) {
    Annotations.of(stack).addWarningV2(
      'mps-onboarding:samplePartnerAppId',
      `partnerAppId is the sample value ${SAMPLE_PARTNER_APP_ID} from cdk.json: deploy with -c partnerAppId=<your Solution Partner app ID>`,
    );
  }
  Validations.of(app).addPlugins(...compliancePacks());
  return stack;
}
