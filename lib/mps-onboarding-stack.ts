import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { PipelineData } from './constructs/data';
import { Edge } from './constructs/edge';
import { Monitoring } from './constructs/monitoring';
import { Pipeline } from './constructs/pipeline';
import { weeklyClientLimit } from './function-environment';
import { pageConfig } from './page-config';
import type { DeploymentSettings } from './partner-context';

export type MpsOnboardingStackProps = StackProps & DeploymentSettings;

/** The whole system of docs/design.md §2 in one environment-agnostic stack: data, pipeline, edge, monitoring. */
export class MpsOnboardingStack extends Stack {
  readonly data: PipelineData;
  readonly pipeline: Pipeline;
  readonly edge: Edge;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MpsOnboardingStackProps) {
    super(scope, id, props);

    const data = (this.data = new PipelineData(this, 'Data', { createMaxReceiveCount: props.createMaxReceiveCount }));
    const pipeline = (this.pipeline = new Pipeline(this, 'Pipeline', { data, partner: props.partner, createMaxReceiveCount: props.createMaxReceiveCount }));
    const edge = (this.edge = new Edge(this, 'Edge', { intake: pipeline.functions.intake, webhook: pipeline.functions.webhook, page: pageConfig(props.partner) }));
    const monitoring = (this.monitoring = new Monitoring(this, 'Monitoring', {
      functions: pipeline.functions,
      createQueue: data.createQueue,
      createDlq: data.createDlq,
      acceptFailureQueue: data.acceptFailureQueue,
      shareFailureQueue: data.shareFailureQueue,
      wakeDlq: data.wakeDlq,
      api: edge.api.api,
      weeklyClientLimit: Number(weeklyClientLimit(props.partner)),
      ...(props.alarmEmail === undefined ? {} : { alarmEmail: props.alarmEmail }),
    }));

    // What the deploy steps (docs/deploying.md) and the ops CLI read (`aws cloudformation describe-stacks`).
    const outputs: Record<string, string> = {
      SiteUrl: edge.siteUrl,
      ApiUrl: edge.apiUrl,
      WebhookUrl: edge.webhookUrl,
      TableName: data.table.tableName,
      CreateQueueUrl: data.createQueue.queueUrl,
      CreateDlqUrl: data.createDlq.queueUrl,
      AcceptFailureQueueUrl: data.acceptFailureQueue.queueUrl,
      ShareFailureQueueUrl: data.shareFailureQueue.queueUrl,
      AcceptWakeQueueUrl: data.acceptWakeQueue.queueUrl,
      ShareWakeQueueUrl: data.shareWakeQueue.queueUrl,
      WakeDlqUrl: data.wakeDlq.queueUrl,
      SystemUserTokenSecretArn: data.systemUserToken.secretArn,
      AppSecretArn: data.appSecret.secretArn,
      WebhookVerifyTokenSecretArn: data.webhookVerifyToken.secretArn,
      AlarmTopicArn: monitoring.topic.topicArn,
      DashboardUrl: monitoring.dashboard.url,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
