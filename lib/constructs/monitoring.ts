import { Duration, Validations } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ALARMS } from '../pipeline-settings';
import { OperationsDashboard } from './dashboard';
import { funnelMetric } from './funnel-metrics';
import type { PipelineFunctionName } from './pipeline-function';

/** Counts of events (Lambda, API, EMF): no datapoint means nothing happened. */
const NOTHING_HAPPENED = cloudwatch.TreatMissingData.NOT_BREACHING;
/**
 * SQS gauges: SQS stops publishing for a queue idle six hours, which says nothing about what the
 * queue holds. Keep the last state, so a parked message keeps alarming until someone empties the queue.
 */
const KEEP_LAST_STATE = cloudwatch.TreatMissingData.IGNORE;

export interface MonitoringProps {
  functions: Record<PipelineFunctionName, lambda.IFunction>;
  createQueue: sqs.IQueue;
  createDlq: sqs.IQueue;
  acceptFailureQueue: sqs.IQueue;
  shareFailureQueue: sqs.IQueue;
  wakeDlq: sqs.IQueue;
  api: IHttpApi;
  /** The deployment's weekly allowance of new clients per Tech Provider (WEEKLY_CLIENT_LIMIT): its alarm warns before it. */
  weeklyClientLimit: number;
  alarmEmail?: string;
}

/** The weekly count per app at which the allowance alarm fires: ALARMS.weeklyClientsWarnAtPercent of the limit (160 of Meta's 200). */
export function weeklyClientsWarning(limit: number): number {
  return Math.ceil((limit * ALARMS.weeklyClientsWarnAtPercent) / 100);
}

interface AlarmSpec {
  description: string;
  metric: cloudwatch.IMetric;
  /** Alarms at this value or above. */
  threshold: number;
  missingData: cloudwatch.TreatMissingData;
}

/** Alarms on what needs a human, all notifying one SNS topic, and the operations dashboard. */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: OperationsDashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MPS onboarding alarms', enforceSSL: true });
    if (props.alarmEmail) {
      const subscription = this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason: 'Alarm e-mails only: an undelivered one leaves the alarm in ALARM in CloudWatch and on the dashboard; a DLQ of undelivered e-mails would be one more queue nobody reads.',
      });
    }

    const period = Duration.seconds(ALARMS.periodSeconds);
    const sum = { statistic: cloudwatch.Stats.SUM, period };
    const max = { statistic: cloudwatch.Stats.MAXIMUM, period };

    this.alarm('AcceptFailedAlarm', {
      description: 'A created solution could not be accepted (ACCEPT_FAILED): Graph refused for good, or failed for the whole retry period; its Graph error is on the record.',
      metric: funnelMetric('solutionAcceptFailed'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('SolutionOrphanedAlarm', {
      description: 'A solution was created on Graph that no record holds (its attempt lost the claim): reconcile it by hand.',
      metric: funnelMetric('solutionOrphaned'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('SolutionAbandonedAlarm', {
      description: "The reconciler ended solutions CREATE_FAILED (CREATE_ABANDONED): Graph kept failing until the create message's receives were used up (or it was lost), and the solution never reached Graph.",
      metric: funnelMetric('solutionCreateAbandoned'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('SolutionMismatchAlarm', {
      description: 'Read before its accept, a solution was not the one we asked for (owner app, name, permissions, partners or status): it was not accepted (ACCEPT_FAILED, error.reason SOLUTION_MISMATCH); error.differences names each difference.',
      metric: funnelMetric('solutionMismatch'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('DeactivationRequestedAlarm', {
      description: 'A Tech Provider asked to deactivate a live solution (PENDING_DEACTIVATION): it still onboards customers until ops accepts or rejects the request.',
      metric: funnelMetric('solutionDeactivationRequested'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('SolutionDeactivatedAlarm', {
      description: 'A solution was deactivated on Graph (DEACTIVATED): its Embedded Signup flow no longer onboards customers.',
      metric: funnelMetric('solutionDeactivated'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('SolutionRejectedAlarm', {
      description: 'A solution was declined on Graph (REJECTED): it never went live.',
      metric: funnelMetric('solutionRejected'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('CreditShareFailedAlarm', {
      description: "Our credit line could not be put on a client's WABA (CREDIT_FAILED): Graph refused for good, the WABA carries another line, or sharing failed for the whole retry period; the reason is on the client record.",
      metric: funnelMetric('creditShareFailed'),
      threshold: 1,
      missingData: NOTHING_HAPPENED,
    });
    const weeklyWarning = weeklyClientsWarning(props.weeklyClientLimit);
    this.alarm('WeeklyClientAllowanceAlarm', {
      description: `A Tech Provider app onboarded ${weeklyWarning} or more new clients in the last 7 days, of Meta's allowance of ${props.weeklyClientLimit}: past it, Meta refuses its new clients until the week rolls on.`,
      // Published after each new client with the app's count: the Maximum is the busiest app's.
      metric: funnelMetric('weeklyClients', { statistic: cloudwatch.Stats.MAXIMUM }),
      threshold: weeklyWarning,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('CreateDlqAlarm', {
      description: 'Create-solution messages were parked in the DLQ after maxReceiveCount deliveries.',
      metric: props.createDlq.metricApproximateNumberOfMessagesVisible(max),
      threshold: 1,
      missingData: KEEP_LAST_STATE,
    });
    this.alarm('AcceptFailureAlarm', {
      description: 'The accept worker failed on stream records for a reason other than Graph (the table, the secret) until the stream gave up; the reconciler retries those solutions.',
      metric: props.acceptFailureQueue.metricApproximateNumberOfMessagesVisible(max),
      threshold: 1,
      missingData: KEEP_LAST_STATE,
    });
    this.alarm('ShareFailureAlarm', {
      description: 'The share worker failed on stream records for a reason other than Graph (the table, the secret) until the stream gave up; the reconciler hands those clients to it again.',
      metric: props.shareFailureQueue.metricApproximateNumberOfMessagesVisible(max),
      threshold: 1,
      missingData: KEEP_LAST_STATE,
    });
    this.alarm('WakeDlqAlarm', {
      description: "Retry wake-ups were parked in the wake DLQ: the accept or share worker kept failing on them for a reason other than Graph (the table); the reconciler retried those items, each up to a pass later than due.",
      metric: props.wakeDlq.metricApproximateNumberOfMessagesVisible(max),
      threshold: 1,
      missingData: KEEP_LAST_STATE,
    });
    this.alarm('CreateQueueAgeAlarm', {
      description: 'The oldest create-solution message has waited too long: the worker is not draining the queue.',
      metric: props.createQueue.metricApproximateAgeOfOldestMessage(max),
      threshold: ALARMS.createQueueOldestMessageSeconds,
      missingData: KEEP_LAST_STATE,
    });
    this.alarm('AcceptIteratorAgeAlarm', {
      description: 'The accept worker is falling behind the table stream: accepts are delayed.',
      // In milliseconds, published for each stream invocation only.
      metric: props.functions.acceptSolution.metric('IteratorAge', max),
      threshold: ALARMS.acceptIteratorAgeSeconds * 1000,
      missingData: NOTHING_HAPPENED,
    });
    this.alarm('Api5xxAlarm', {
      description: 'The API answers 5xx: Graph is unavailable (502/503) or intake fails.',
      metric: props.api.metricServerError(sum),
      threshold: ALARMS.api5xxPerPeriod,
      missingData: NOTHING_HAPPENED,
    });
    for (const [name, fn] of Object.entries(props.functions) as [PipelineFunctionName, lambda.IFunction][]) {
      const Name = name[0]!.toUpperCase() + name.slice(1);
      this.alarm(`${Name}ErrorsAlarm`, {
        description: `The ${name} function fails invocations.`,
        metric: fn.metricErrors(sum),
        threshold: ALARMS.functionErrors[name],
        missingData: NOTHING_HAPPENED,
      });
      this.alarm(`${Name}ThrottlesAlarm`, {
        description: `The ${name} function is throttled: the account's Lambda concurrency is exhausted.`,
        metric: fn.metricThrottles(sum),
        threshold: ALARMS.functionThrottles,
        missingData: NOTHING_HAPPENED,
      });
    }

    this.dashboard = new OperationsDashboard(this, 'Dashboard', { ...props, alarms: this.alarms, weeklyClientsWarning: weeklyWarning });
  }

  /** Every alarm tells the topic when it fires and when it clears. */
  private alarm(id: string, spec: AlarmSpec): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmDescription: `${spec.description} Runbook: README.md, "Operating it", ${id}.`,
      metric: spec.metric,
      threshold: spec.threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: spec.missingData,
    });
    const action = new SnsAction(this.topic);
    alarm.addAlarmAction(action);
    alarm.addOkAction(action);
    this.alarms.push(alarm);
  }
}
