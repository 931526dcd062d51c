import { Annotations, App } from 'aws-cdk-lib';
import { MpsOnboardingStack } from '../lib/mps-onboarding-stack';
import { readDeploymentSettings, SAMPLE_PARTNER_APP_ID } from '../lib/partner-context';

// Environment-agnostic on purpose: no account/region, no lookups, so synth needs no credentials.
const app = new App();
const settings = readDeploymentSettings(app.node);
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
