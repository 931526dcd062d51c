import { HttpApi, HttpMethod, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface OnboardingApiProps {
  intake: lambda.IFunction;
}

/** The public contract's API (DESIGN.md §3): both routes go to the intake function. */
export class OnboardingApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);
    const integration = new HttpLambdaIntegration('Intake', props.intake, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'MPS onboarding: start an onboarding, read its status',
    });
    this.api.addRoutes({ path: '/api/onboardings', methods: [HttpMethod.POST], integration });
    this.api.addRoutes({ path: '/api/onboardings/{onboardingId}', methods: [HttpMethod.GET], integration });
  }
}
