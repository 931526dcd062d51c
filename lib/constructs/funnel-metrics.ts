import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/commons/metric-names';
import { ALARMS } from '../pipeline-settings';

/** The pipeline's funnel, in order, with the names the dashboard shows. */
export const FUNNEL = [
  ['onboardingStarted', 'Onboardings received'],
  ['solutionCreated', 'Solutions created'],
  ['solutionExisting', 'Already connected'],
  ['solutionAccepted', 'Solutions accepted'],
  ['solutionCreateFailed', 'Create failed'],
  ['solutionAcceptFailed', 'Accept failed'],
] as const satisfies readonly (readonly [keyof typeof METRIC, string])[];

/** Attempts that failed and were scheduled again, and what the reconciler settled: the pipeline healing itself. */
export const RETRIES = [
  ['createAttemptFailed', 'Create attempts failed'],
  ['acceptAttemptFailed', 'Accept attempts failed'],
  ['wakeNotSent', 'Retries not woken (the reconciler’s)'],
  ['solutionAdopted', 'Adopted from Graph'],
  ['solutionCreateAbandoned', 'Abandoned (CREATE_ABANDONED)'],
] as const satisfies readonly (readonly [keyof typeof METRIC, string])[];

/** After the accept: what Meta's webhook (or the reconciler's read) changed, and what matched nothing. */
export const LIFECYCLE_CHANGES = [
  ['solutionActive', 'Active again (or accepted on Graph)'],
  ['solutionDeactivationRequested', 'Deactivation requested'],
  ['solutionDeactivated', 'Deactivated'],
  ['solutionRejected', 'Rejected'],
  ['solutionMismatch', 'Not accepted: mismatch'],
  ['lifecycleNewsUnmatched', 'News matching no record'],
  ['webhookSignatureInvalid', 'Webhook signature invalid'],
  ['webhookObjectIgnored', 'Webhook of another object (ignored)'],
  ['webhookDeliveryTooLarge', 'Webhook delivery too large (413)'],
] as const satisfies readonly (readonly [keyof typeof METRIC, string])[];

/** Clients through our solutions (docs/design.md §7): who told us of them, and what was not ours to record. */
export const CLIENTS = [
  ['clientRecorded', 'Clients recorded'],
  ['clientDiscovered', 'Found by the daily pass'],
  ['clientNotOurs', 'News of clients not ours'],
  ['clientNewsMalformed', 'Malformed client news'],
  ['clientRemoved', 'Clients removed'],
] as const satisfies readonly (readonly [keyof typeof METRIC, string])[];

/** Our credit line on the clients' WABAs. */
export const CREDIT_SHARING = [
  ['creditShared', 'Credit shared'],
  ['creditShareFailed', 'Credit sharing failed'],
  ['creditShareAttemptFailed', 'Sharing attempts failed'],
] as const satisfies readonly (readonly [keyof typeof METRIC, string])[];

/** A custom EMF metric of the functions: Powertools adds the service name as the `service` dimension. */
export function funnelMetric(name: keyof typeof METRIC, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: METRIC[name],
    dimensionsMap: { service: SERVICE_NAME },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.seconds(ALARMS.periodSeconds),
    ...options,
  });
}
