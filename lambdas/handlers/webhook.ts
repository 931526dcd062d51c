import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import httpRouterHandler from '@middy/http-router';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { loadWebhookConfig } from '../config';
import { takeClientNews, type ClientNewsDeps } from '../domain/clients/client-news';
import { takeLifecycleNews, type LifecycleDeps } from '../domain/solution-lifecycle';
import { dynamoClientStore, dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { WEBHOOK_PATH } from '../commons/api-paths';
import { HttpError, httpErrors, json, type HttpResult } from '../commons/http';
import { METRIC } from '../commons/metric-names';
import { logger, metrics, tracer } from '../commons/observability';
import { handshakeChallenge, isSignedByMeta } from '../webhook/meta-authentication';
import { readDelivery, WEBHOOK_OBJECT } from '../webhook/partner-solutions';
import { SCHEDULE } from '../schedule';
import { reportLifecycleOutcome } from './lifecycle-report';
import { reportClientNews } from './client-report';

const config = loadWebhookConfig();
const store = dynamoRecordStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition);
const deps: LifecycleDeps = { store, clock: () => new Date() };
const clientDeps: ClientNewsDeps = { clients: dynamoClientStore(dynamoDocumentClient(), config.tableName, reportRefusedTransition), solutions: store, clock: () => new Date() };
const appSecret = cachedSecret(config.appSecretId, config.secretCacheTtlSeconds);
const verifyToken = cachedSecret(config.verifyTokenSecretId, config.secretCacheTtlSeconds);


/** Meta's subscription handshake: the challenge back as plain text, or 403. */
async function subscribe(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const challenge = handshakeChallenge(event.queryStringParameters ?? {}, await verifyToken());
  if (challenge === undefined) throw new HttpError(403, 'HANDSHAKE_REFUSED', 'The subscription handshake did not present our verify token.');
  logger.info('webhook subscription handshake answered');
  return { statusCode: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }, body: challenge };
}

/**
 * A signed delivery: verified over the raw bytes before anything is parsed, then each
 * `partner_solutions` change is applied to the records of its solution, and each `account_update`
 * change about a client to the client's records (of our solutions only). A store failure answers
 * 500, so that Meta delivers it again; news that matches nothing, or fields and objects we do not
 * use, never do. A delivery over `webhookMaxChanges` is refused 413 before anything is written.
 */
async function deliver(event: APIGatewayProxyEventV2): Promise<HttpResult> {
  const raw = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  if (!isSignedByMeta(raw, event.headers['x-hub-signature-256'], await appSecret())) {
    metrics.addMetric(METRIC.webhookSignatureInvalid, MetricUnit.Count, 1);
    throw new HttpError(401, 'INVALID_SIGNATURE', 'X-Hub-Signature-256 is missing or does not sign this body.');
  }
  const delivery = readDelivery(raw.toString('utf8'), new Date(), SCHEDULE.webhookMaxChanges);
  if (!delivery) throw new HttpError(400, 'MALFORMED_PAYLOAD', 'The body is not a webhook envelope.');
  if (delivery === 'too-large') {
    metrics.addMetric(METRIC.webhookDeliveryTooLarge, MetricUnit.Count, 1);
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `A delivery may carry at most ${SCHEDULE.webhookMaxChanges} changes.`);
  }
  if (delivery.object !== WEBHOOK_OBJECT) metrics.addMetric(METRIC.webhookObjectIgnored, MetricUnit.Count, 1);
  for (const news of delivery.news) {
    const result = await takeLifecycleNews(news, deps);
    reportLifecycleOutcome({ solutionId: news.solutionId, status: news.state.status, source: 'webhook' }, result);
  }
  for (const client of delivery.clients) {
    reportClientNews(client, await takeClientNews(client, clientDeps, config.us), config.weeklyClientLimit);
  }
  if (delivery.clientsMalformed > 0) {
    metrics.addMetric(METRIC.clientNewsMalformed, MetricUnit.Count, delivery.clientsMalformed);
    logger.warn('account_update client events without a usable waba_info; ignored', { malformed: delivery.clientsMalformed });
  }
  if (delivery.malformed > 0) {
    metrics.addMetric(METRIC.lifecycleNewsUnmatched, MetricUnit.Count, delivery.malformed);
    logger.warn('partner_solutions changes without a solution id or status; ignored', { malformed: delivery.malformed });
  }
  return json(200, { received: delivery.news.length + delivery.clients.length, ignored: delivery.ignored + delivery.malformed + delivery.clientsMalformed });
}

// The request and its body are never logged: a delivery is only trusted once its signature is checked.
export const handler = middy<APIGatewayProxyEventV2, HttpResult>({ timeoutEarlyInMillis: 0 })
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
  .use(logMetrics(metrics))
  .use(httpErrors(() => undefined))
  .handler(
    httpRouterHandler<APIGatewayProxyEventV2, HttpResult>([
      { method: 'GET', path: WEBHOOK_PATH, handler: subscribe },
      { method: 'POST', path: WEBHOOK_PATH, handler: deliver },
    ]),
  );
