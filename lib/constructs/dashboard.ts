import { Duration, Stack } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARMS } from '../pipeline-settings';
import { CLIENTS, CREDIT_SHARING, FUNNEL, funnelMetric, LIFECYCLE_CHANGES, RETRIES } from './funnel-metrics';
import type { PipelineFunctionName } from './pipeline-function';

export interface OperationsDashboardProps {
  functions: Record<PipelineFunctionName, lambda.IFunction>;
  createQueue: sqs.IQueue;
  createDlq: sqs.IQueue;
  acceptFailureQueue: sqs.IQueue;
  shareFailureQueue: sqs.IQueue;
  wakeDlq: sqs.IQueue;
  api: IHttpApi;
  alarms: cloudwatch.IAlarm[];
  /** Where WeeklyClientAllowanceAlarm fires: drawn on the weekly count. */
  weeklyClientsWarning: number;
}

/** One page for ops: the funnel first (is work flowing through?), then the alarms, then where it is stuck. */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** The dashboard in the CloudWatch console. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const period = Duration.seconds(ALARMS.periodSeconds);
    const functions = Object.entries(props.functions) as [PipelineFunctionName, lambda.IFunction][];
    const perFunction = (metric: (fn: lambda.IFunction, options: cloudwatch.MetricOptions) => cloudwatch.IMetric, statistic: string) =>
      functions.map(([name, fn]) => metric(fn, { label: name, statistic, period }));
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8, right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6 });
    const queueDepth = (queue: sqs.IQueue, label: string) =>
      queue.metricApproximateNumberOfMessagesVisible({ label, statistic: cloudwatch.Stats.MAXIMUM, period });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new cloudwatch.SingleValueWidget({
            title: 'Funnel (totals over the time range)',
            metrics: FUNNEL.map(([name, label]) => funnelMetric(name, { label })),
            setPeriodToTimeRange: true,
            width: 24,
            height: 4,
          }),
        ],
        [
          graph('Funnel per period', FUNNEL.map(([name, label]) => funnelMetric(name, { label })), 16),
          graph('Retries and reconciliation per period', RETRIES.map(([name, label]) => funnelMetric(name, { label }))),
        ],
        [graph('After the accept: lifecycle changes, mismatches, webhook news per period', LIFECYCLE_CHANGES.map(([name, label]) => funnelMetric(name, { label })), 24)],
        [
          graph('Clients per period', CLIENTS.map(([name, label]) => funnelMetric(name, { label }))),
          graph('Credit line on clients’ WABAs per period', CREDIT_SHARING.map(([name, label]) => funnelMetric(name, { label }))),
          new cloudwatch.GraphWidget({
            title: 'New clients in 7 days, busiest Tech Provider app',
            left: [funnelMetric('weeklyClients', { label: 'weekly clients (max over apps)', statistic: cloudwatch.Stats.MAXIMUM })],
            leftAnnotations: [{ value: props.weeklyClientsWarning, label: 'WeeklyClientAllowanceAlarm', color: cloudwatch.Color.RED }],
            width: 8,
            height: 6,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: props.alarms, width: 24, height: 4 })],
        [
          graph('Function errors', perFunction((fn, o) => fn.metricErrors(o), cloudwatch.Stats.SUM)),
          graph('Function throttles', perFunction((fn, o) => fn.metricThrottles(o), cloudwatch.Stats.SUM)),
          graph('Function duration p99 (ms)', perFunction((fn, o) => fn.metricDuration(o), cloudwatch.Stats.p(99))),
        ],
        [
          graph(
            'Create queue: waiting, oldest (s)',
            [queueDepth(props.createQueue, 'waiting')],
            8,
            [props.createQueue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)', statistic: cloudwatch.Stats.MAXIMUM, period })],
          ),
          graph('Parked: create DLQ, accept and share on-failure queues, wake DLQ', [
            queueDepth(props.createDlq, 'create DLQ'),
            queueDepth(props.acceptFailureQueue, 'accept on-failure'),
            queueDepth(props.shareFailureQueue, 'share on-failure'),
            queueDepth(props.wakeDlq, 'wake DLQ'),
          ]),
          graph('Accept stream iterator age (ms)', [props.functions.acceptSolution.metric('IteratorAge', { label: 'iterator age', statistic: cloudwatch.Stats.MAXIMUM, period })]),
        ],
        [
          graph(
            'API requests, 4xx, 5xx',
            [props.api.metricCount({ label: 'requests', period })],
            12,
            [props.api.metricClientError({ label: '4xx', period }), props.api.metricServerError({ label: '5xx', period })],
          ),
          graph('API latency p95 (ms)', [props.api.metricLatency({ label: 'latency', statistic: cloudwatch.Stats.p(95), period })], 12),
        ],
      ],
    });
    const { region } = Stack.of(this);
    this.url = `https://console.aws.amazon.com/cloudwatch/home?region=${region}#dashboards:name=${this.dashboard.dashboardName}`;
  }
}
