import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { loadIntakeConfig } from '../config';
import { onboardingAccepted, onboardingStatusView } from '../domain/onboarding-view';
import { startOnboarding, type Deadline, type StartOnboardingDeps } from '../domain/start-onboarding';
import { GraphClient } from '../graph/graph-client';
import { SqsCreateSolutionQueue } from '../queue/create-solution-queue';
import { SCHEDULE } from '../schedule';
import { dynamoClientStore, dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient, sqs } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { HttpError, httpErrors, json, type HttpResult } from '../commons/http';
import { METRIC } from '../commons/metric-names';
import { logger, metrics, tracer } from '../commons/observability';
import { intakeErrorMapper } from './intake-errors';
import { parseOnboardingId, parseStartOnboarding } from './intake-request';

const config = loadIntakeConfig();
const store = dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const clients = dynamoClientStore(dynamoDocumentClient(), config.tableName);
const deps: StartOnboardingDeps = {
  store,
  graph: new GraphClient(config.graph),
  queue: new SqsCreateSolutionQueue(sqs(), config.createQueueUrl),
  appSecret: cachedSecret(config.appSecretId, config.secretCacheTtlSeconds),
  settings: config.onboarding,
  newOnboardingId: randomUUID,
  clock: () => new Date(),
};

const statusUrl = (onboardingId: string) => `/api/onboardings/${onboardingId}`;

/** Intake's deadline for this request: its configured one, and never past the function's timeout. */
function deadlineOf(context: Context): Deadline {
  const endsAt = Date.now() + Math.min(config.deadlineMs, context.getRemainingTimeInMillis() - SCHEDULE.intakeAnswerMarginMs);
  return { signal: AbortSignal.timeout(Math.max(0, endsAt - Date.now())), timeLeftMs: () => endsAt - Date.now() };
}

async function postOnboarding(event: APIGatewayProxyEventV2, context: Context): Promise<HttpResult> {
  const { created, onboarding } = await startOnboarding(parseStartOnboarding(event), deps, deadlineOf(context));
  const { onboardingId, status, verifyBy } = onboarding.onboarding;
  logger.appendKeys({ onboardingId });
  if (created) {
    metrics.addMetric(METRIC.onboardingStarted, MetricUnit.Count, 1);
    if (status === 'VERIFYING') {
      metrics.addMetric(METRIC.onboardingVerificationDeferred, MetricUnit.Count, 1);
      logger.info('onboarding taken; its token is checked when Graph allows', { verifyBy });
    } else logger.info('onboarding started', { apps: onboarding.solutions.length });
  } else {
    logger.info('onboarding already started for this token');
  }
  return json(created ? 202 : 200, onboardingAccepted(onboarding, statusUrl(onboardingId)), { location: statusUrl(onboardingId) });
}

async function getOnboarding(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const onboardingId = parseOnboardingId(event);
  const onboarding = onboardingId ? await store.getOnboarding(onboardingId) : undefined;
  if (!onboarding) throw new HttpError(404, 'ONBOARDING_NOT_FOUND', 'There is no onboarding with this ID.');
  return json(200, await onboardingStatusView(onboarding, clients.countJoined));
}

// Intake keeps its own, earlier deadline: middy's early timeout would answer while the work went on.
export const handler = middy<APIGatewayProxyEventV2, HttpResult>({ timeoutEarlyInMillis: 0 })
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  // The POST body holds the Tech Provider's token: never log the event, whatever the environment says.
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  .use(httpErrors(intakeErrorMapper))
  .handler(
    httpRouterHandler<APIGatewayProxyEventV2, HttpResult>([
      { method: 'POST', path: '/api/onboardings', handler: postOnboarding },
      { method: 'GET', path: '/api/onboardings/{onboardingId}', handler: getOnboarding },
    ]),
  );
