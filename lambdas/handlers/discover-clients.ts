import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { loadDiscoverClientsConfig } from '../config';
import { discoverClients } from '../domain/clients/discover-clients';
import { ClientGraphClient } from '../graph/client-graph-client';
import { dynamoDiscoveryCursor } from '../store/client-store';
import { DynamoTable } from '../store/dynamo-table';
import { dynamoClientStore, dynamoRecordStore } from '../store/dynamo-record-store';
import { reportRefusedTransition } from './transition-report';
import { dynamoDocumentClient } from '../commons/aws-clients';
import { cachedSecret } from '../commons/cached-secret';
import { METRIC } from '../commons/metric-names';
import { logger, metrics } from '../commons/observability';
import { pipelineFunction } from './function-middleware';
import { reportClientNews } from './client-report';

const config = loadDiscoverClientsConfig();
const db = dynamoDocumentClient();
const clients = dynamoClientStore(db, config.tableName, reportRefusedTransition);
const solutions = dynamoRecordStore(db, config.tableName, reportRefusedTransition);
const cursor = dynamoDiscoveryCursor(new DynamoTable(db, config.tableName));
const graph = new ClientGraphClient(config.graph);
const systemUserToken = cachedSecret(config.systemUserTokenSecretId, config.secretCacheTtlSeconds);

/** The daily pass: clients Meta shared with us that no webhook told of, recorded as if it had. */
async function discoveryPass() {
  const pass = await discoverClients({ clients, solutions, graph, cursor, systemUserToken, settings: config.discovery, clock: () => new Date() });
  for (const { wabaId, outcome } of pass.found) {
    if (outcome.kind === 'recorded') metrics.addMetric(METRIC.clientDiscovered, MetricUnit.Count, 1);
    reportClientNews({ event: 'DAILY_PASS', wabaId, solutionId: outcome.kind === 'not-ours' ? outcome.solutionId : 'client' in outcome ? outcome.client.solutionId : undefined }, outcome, config.discovery.weeklyClientLimit);
  }
  if (pass.refused.length > 0) logger.warn("Graph refused to list some client WABAs' solutions; the next pass asks again", { refused: pass.refused });
  if (pass.withoutOwner.length > 0) logger.warn('client WABAs listed without their owner business; not recorded', { wabaIds: pass.withoutOwner });
  const recorded = pass.found.filter((f) => f.outcome.kind === 'recorded').length;
  logger.info('client discovery pass', { read: pass.read, recorded, bound: config.discovery.maxWabasPerPass, listingReadToItsEnd: pass.complete });
  return { read: pass.read, recorded, complete: pass.complete };
}

export const handler = pipelineFunction(discoveryPass);
