import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_NAMESPACE, SERVICE_NAME } from './metric-names';

/**
 * One logger, one metrics instance and one tracer per function, as in Powertools' examples/app.
 * Their service name and namespace are set here, which wins over POWERTOOLS_SERVICE_NAME and
 * POWERTOOLS_METRICS_NAMESPACE: the alarms and dashboard query exactly these (metric-names.ts).
 * Every log line carries `onboardingId` as the correlation id across the three functions.
 * Only the functions' code imports this module: it creates its instances at import.
 */
export const logger = new Logger({ serviceName: SERVICE_NAME });

/**
 * X-Ray, where the function runs with active tracing (it turns itself off anywhere else, the local
 * runtime included). Handlers are traced without their responses, AWS clients and Graph calls by
 * operation and path only: no request body, no query string, so no token reaches a trace.
 */
export const tracer = new Tracer({ serviceName: SERVICE_NAME });

/**
 * Metrics' own diagnostics go through the structured logger. "No application metrics to publish"
 * is expected for invocations that record none (status reads), so it is demoted to debug.
 */
const metricsDiagnostics = {
  trace: (message: unknown) => logger.trace(String(message)),
  debug: (message: unknown) => logger.debug(String(message)),
  info: (message: unknown) => logger.info(String(message)),
  warn: (message: unknown) => (String(message).startsWith('No application metrics to publish') ? logger.debug(String(message)) : logger.warn(String(message))),
  error: (message: unknown) => logger.error(String(message)),
};

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, logger: metricsDiagnostics });
