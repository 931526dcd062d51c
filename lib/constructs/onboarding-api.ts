import { Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CfnStage, HttpApi, type HttpStage, HttpMethod, LogGroupLogDestination, PayloadFormatVersion } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_BASE_PATH, WEBHOOK_PATH } from '../page-config';
import { HTTP_API_THROTTLE, LOG_RETENTION_DAYS, WEBHOOK_THROTTLE } from '../pipeline-settings';

export interface OnboardingApiProps {
  intake: lambda.IFunction;
  /** Meta's webhook calls. */
  webhook: lambda.IFunction;
}

/**
 * One JSON line per request, from the HTTP API's own variables. Never the body: it holds the
 * Tech Provider's token. The path holds only the onboarding ID.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    time: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    route: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latencyMs: '$context.responseLatency',
    integrationLatencyMs: '$context.integration.latency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

/** The public contract's API (docs/design.md §3): the onboarding routes go to intake, Meta's webhook to its own function. */
export class OnboardingApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  /** The execute-api host that CloudFront forwards the API paths to. */
  readonly domainName: string;

  constructor(scope: Construct, id: string, props: OnboardingApiProps) {
    super(scope, id);
    const integration = new HttpLambdaIntegration('Intake', props.intake, {
      payloadFormatVersion: PayloadFormatVersion.VERSION_2_0,
    });
    // The default stage is declared below, where it gets its throttle and access log.
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'MPS onboarding: start an onboarding, read its status',
      createDefaultStage: false,
    });
    const routes = [
      ...this.api.addRoutes({ path: `${API_BASE_PATH}/onboardings`, methods: [HttpMethod.POST], integration }),
      ...this.api.addRoutes({ path: `${API_BASE_PATH}/onboardings/{onboardingId}`, methods: [HttpMethod.GET], integration }),
      // Every other path and method under /api reaches intake too, whose router answers 404/405 in
      // the contract's error shape (API Gateway's own would be {"message":"Not Found"}).
      ...this.api.addRoutes({ path: `${API_BASE_PATH}/{proxy+}`, methods: [HttpMethod.ANY], integration }),
    ];
    for (const route of routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Public by contract (docs/design.md §3): Tech Providers have no AWS identity. Intake authenticates each POST by checking the Facebook token with Graph (app, expiry, permission); a status read needs the unguessable onboarding ID. The execute-api endpoint stays reachable because CloudFront forwards to it (HTTP APIs take no resource policy); it serves the same JSON, throttled.",
      });
    }
    // More specific than `/api/{proxy+}`, so API Gateway sends these here and not to intake.
    const webhookMethods = [HttpMethod.GET, HttpMethod.POST];
    const webhookRoutes = this.api.addRoutes({
      path: WEBHOOK_PATH,
      methods: webhookMethods,
      integration: new HttpLambdaIntegration('Webhook', props.webhook, { payloadFormatVersion: PayloadFormatVersion.VERSION_2_0 }),
    });
    for (const route of webhookRoutes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          "Meta calls it and has no AWS identity: the function authenticates every call itself, the handshake by our verify token (Secrets Manager), each delivery by its X-Hub-Signature-256 HMAC with our app secret, checked in constant time before the body is read.",
      });
    }

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: LOG_RETENTION_DAYS });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: HTTP_API_THROTTLE.rateLimit, burstLimit: HTTP_API_THROTTLE.burstLimit },
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: ACCESS_LOG_FORMAT },
    });
    // RouteSettings is untyped JSON in CloudFormation's schema: CDK passes its keys through as written.
    const webhookLimits = { ThrottlingRateLimit: WEBHOOK_THROTTLE.rateLimit, ThrottlingBurstLimit: WEBHOOK_THROTTLE.burstLimit };
    (this.stage.node.defaultChild as CfnStage).routeSettings = Object.fromEntries(webhookMethods.map((method) => [`${method} ${WEBHOOK_PATH}`, webhookLimits]));
    // A stage's route settings name routes that must exist when it deploys.
    for (const route of webhookRoutes) this.stage.node.addDependency(route);
    const stack = Stack.of(this);
    this.domainName = `${this.api.apiId}.execute-api.${stack.region}.${stack.urlSuffix}`;
  }
}
