import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/observability';

/** Powertools adds the service name as the `service` dimension of every metric. */
const METRICS_DIMENSIONS = { service: SERVICE_NAME };

export interface MonitoringProps {
  createDlq: sqs.IQueue;
  acceptFailureQueue: sqs.IQueue;
  alarmEmail?: string;
}

/** Alarms on what needs a human (failed accepts, parked messages), all notifying one SNS topic. */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'MPS onboarding alarms', enforceSSL: true });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const period = Duration.minutes(5);

    const alarms = [
      new cloudwatch.Alarm(this, 'AcceptFailedAlarm', {
        alarmDescription: 'A created solution could not be accepted (ACCEPT_FAILED): see the ops CLI, then retry.',
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC.solutionAcceptFailed,
          dimensionsMap: METRICS_DIMENSIONS,
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      this.queueNotEmpty('CreateDlqAlarm', props.createDlq, 'Create-solution messages were parked in the DLQ: inspect, then redrive.'),
      this.queueNotEmpty('AcceptFailureAlarm', props.acceptFailureQueue, 'The accept worker gave up on stream records: inspect, then retry.'),
    ];
    for (const alarm of alarms) alarm.addAlarmAction(action);
  }

  private queueNotEmpty(id: string, queue: sqs.IQueue, alarmDescription: string): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, id, {
      alarmDescription,
      metric: queue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
