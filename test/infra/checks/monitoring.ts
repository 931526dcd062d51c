import { Match } from 'aws-cdk-lib/assertions';
import { METRIC, METRICS_NAMESPACE, SERVICE_NAME } from '../../../lambdas/commons/metric-names';
import type { PipelineFunctionName } from '../../../lib/constructs/pipeline-function';
import { SCHEDULE } from '../../../lambdas/schedule';
import { ALARMS, FUNCTIONS } from '../../../lib/pipeline-settings';
import { FULL_CONTEXT, logicalId, ref, resourceOf, synthApp } from '../app-under-test';

const NAMES = Object.keys(FUNCTIONS) as PipelineFunctionName[];

describe('monitoring', () => {
  const { stack, template } = synthApp(FULL_CONTEXT);
  const { data, pipeline, edge, monitoring } = stack;
  const topic = ref(monitoring.topic);
  const alarms = () => Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
  const fn = (name: PipelineFunctionName) => ({ Name: 'FunctionName', Value: ref(pipeline.functions[name]) });
  const queue = (q: typeof data.createQueue) => ({ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(q), 'QueueName'] } });
  const custom = (metric: keyof typeof METRIC) => ({ Namespace: METRICS_NAMESPACE, MetricName: METRIC[metric], Dimensions: [{ Name: 'service', Value: SERVICE_NAME }], Statistic: 'Sum' });
  const capitalized = (name: string) => name[0]!.toUpperCase() + name.slice(1);

  /** Every alarm of the runbook (docs/operating.md, "Alarm runbook") by its ID: what it watches, when it fires, how it reads missing data. */
  const expected: Record<string, Record<string, unknown>> = {
    AcceptFailedAlarm: { ...custom('solutionAcceptFailed'), Threshold: 1, TreatMissingData: 'notBreaching' },
    SolutionOrphanedAlarm: { ...custom('solutionOrphaned'), Threshold: 1, TreatMissingData: 'notBreaching' },
    SolutionAbandonedAlarm: { ...custom('solutionCreateAbandoned'), Threshold: 1, TreatMissingData: 'notBreaching' },
    SolutionMismatchAlarm: { ...custom('solutionMismatch'), Threshold: 1, TreatMissingData: 'notBreaching' },
    DeactivationRequestedAlarm: { ...custom('solutionDeactivationRequested'), Threshold: 1, TreatMissingData: 'notBreaching' },
    SolutionDeactivatedAlarm: { ...custom('solutionDeactivated'), Threshold: 1, TreatMissingData: 'notBreaching' },
    SolutionRejectedAlarm: { ...custom('solutionRejected'), Threshold: 1, TreatMissingData: 'notBreaching' },
    CreditShareFailedAlarm: { ...custom('creditShareFailed'), Threshold: 1, TreatMissingData: 'notBreaching' },
    // 80 % of Meta's 200: the busiest app's count (the metric's Maximum).
    WeeklyClientAllowanceAlarm: { ...custom('weeklyClients'), Statistic: 'Maximum', Threshold: 160, TreatMissingData: 'notBreaching' },
    ShareFailureAlarm: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [queue(data.shareFailureQueue)], Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'ignore' },
    CreateDlqAlarm: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [queue(data.createDlq)], Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'ignore' },
    WakeDlqAlarm: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [queue(data.wakeDlq)], Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'ignore' },
    AcceptFailureAlarm: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [queue(data.acceptFailureQueue)], Statistic: 'Maximum', Threshold: 1, TreatMissingData: 'ignore' },
    CreateQueueAgeAlarm: { Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: [queue(data.createQueue)], Statistic: 'Maximum', Threshold: ALARMS.createQueueOldestMessageSeconds, TreatMissingData: 'ignore' },
    // IteratorAge is in milliseconds.
    AcceptIteratorAgeAlarm: { Namespace: 'AWS/Lambda', MetricName: 'IteratorAge', Dimensions: [fn('acceptSolution')], Statistic: 'Maximum', Threshold: ALARMS.acceptIteratorAgeSeconds * 1000, TreatMissingData: 'notBreaching' },
    Api5xxAlarm: { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: ref(edge.api.api) }], Statistic: 'Sum', Threshold: ALARMS.api5xxPerPeriod, TreatMissingData: 'notBreaching' },
    ...Object.fromEntries(
      NAMES.flatMap((name) => [
        [`${capitalized(name)}ErrorsAlarm`, { Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [fn(name)], Statistic: 'Sum', Threshold: ALARMS.functionErrors[name], TreatMissingData: 'notBreaching' }],
        [`${capitalized(name)}ThrottlesAlarm`, { Namespace: 'AWS/Lambda', MetricName: 'Throttles', Dimensions: [fn(name)], Statistic: 'Sum', Threshold: ALARMS.functionThrottles, TreatMissingData: 'notBreaching' }],
      ]),
    ),
  };

  it.each(Object.entries(expected))('%s', (id, alarm) => {
    expect(resourceOf(template, monitoring.node.findChild(id)).Properties).toMatchObject({
      ...alarm,
      Period: ALARMS.periodSeconds,
      EvaluationPeriods: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('exactly these alarms; each notifies the topic when it fires and when it clears, and names its runbook entry', () => {
    expect(alarms()).toHaveLength(Object.keys(expected).length);
    for (const alarm of alarms()) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
      expect(['notBreaching', 'ignore']).toContain(alarm.TreatMissingData);
      expect(alarm.AlarmDescription).toMatch(/Runbook: README\.md, "Operating it", \w+Alarm\.$/);
    }
  });

  it('the weekly allowance alarm follows the configured limit (context weeklyClientLimit): 80 % of it', () => {
    expect(ALARMS.weeklyClientsWarnAtPercent).toBe(SCHEDULE.clients.warnAtPercent);
    const limited = synthApp({ weeklyClientLimit: '10' });
    expect(resourceOf(limited.template, limited.stack.monitoring.node.findChild('WeeklyClientAllowanceAlarm')).Properties).toMatchObject({ Threshold: 8, AlarmActions: [ref(limited.stack.monitoring.topic)] });
    expect(resourceOf(limited.template, limited.stack.monitoring.node.findChild('WeeklyClientAllowanceAlarm')).Properties.AlarmDescription).toMatch(/8 or more new clients .* allowance of 10/);
  });

  it('the topic refuses non-TLS publishing and mails alarmEmail', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [topic],
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: FULL_CONTEXT.alarmEmail, TopicArn: topic });
  });

  it('without alarmEmail there is no subscription', () => {
    synthApp().template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  describe('dashboard', () => {
    /** The dashboard body with every token replaced by its JSON, so that metrics and ARNs can be searched. */
    const body = () => {
      const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
      expect(dashboards).toHaveLength(1);
      const [, parts] = dashboards[0]!.Properties.DashboardBody['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
    };

    it('shows the funnel: onboardings received, solutions created, accepted, failed', () => {
      for (const metric of ['onboardingStarted', 'solutionCreated', 'solutionAccepted', 'solutionCreateFailed', 'solutionAcceptFailed'] as const) {
        expect(body()).toContain(JSON.stringify([METRICS_NAMESPACE, METRIC[metric], 'service', SERVICE_NAME]).slice(1, -1));
      }
      expect(body()).toContain('"setPeriodToTimeRange":true');
    });

    it('shows the clients: recorded, discovered, not ours, credit shared, failed, attempts failed, and the weekly count with the alarm line', () => {
      for (const metric of ['clientRecorded', 'clientDiscovered', 'clientNotOurs', 'clientRemoved', 'creditShared', 'creditShareFailed', 'creditShareAttemptFailed', 'weeklyClients'] as const) {
        expect(body()).toContain(JSON.stringify([METRICS_NAMESPACE, METRIC[metric], 'service', SERVICE_NAME]).slice(1, -1));
      }
      expect(body()).toMatch(/"annotations":\{"horizontal":\[\{"value":160,"label":"WeeklyClientAllowanceAlarm"/);
    });

    it('shows every alarm and the health of functions, queues, stream and API', () => {
      for (const id of Object.keys(template.findResources('AWS::CloudWatch::Alarm'))) expect(body()).toContain(JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] }));
      for (const [namespace, metric] of [
        ['AWS/Lambda', 'Errors'],
        ['AWS/Lambda', 'Throttles'],
        ['AWS/Lambda', 'Duration'],
        ['AWS/Lambda', 'IteratorAge'],
        ['AWS/SQS', 'ApproximateNumberOfMessagesVisible'],
        ['AWS/SQS', 'ApproximateAgeOfOldestMessage'],
        ['AWS/ApiGateway', '5xx'],
        ['AWS/ApiGateway', 'Latency'],
      ]) {
        expect(body()).toContain(`"${namespace}","${metric}"`);
      }
    });
  });
});
