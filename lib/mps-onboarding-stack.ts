import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { PipelineData } from './constructs/data';
import { OnboardingApi } from './constructs/edge';
import { Monitoring } from './constructs/monitoring';
import { PipelineFunction, type PipelineFunctionName } from './constructs/pipeline-function';
import { PipelineTriggers } from './constructs/pipeline';
import { functionEnvironments } from './function-environment';
import type { DeploymentSettings } from './partner-context';

export type MpsOnboardingStackProps = StackProps & DeploymentSettings;

/** The whole pipeline of DESIGN.md §2 in one environment-agnostic stack. */
export class MpsOnboardingStack extends Stack {
  readonly data: PipelineData;
  readonly functions: Record<PipelineFunctionName, NodejsFunction>;
  readonly api: OnboardingApi;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: MpsOnboardingStackProps) {
    super(scope, id, props);

    const data = new PipelineData(this, 'Data');
    this.data = data;
    const environments = functionEnvironments(props.partner, {
      tableName: data.table.tableName,
      createQueueUrl: data.createQueue.queueUrl,
      appSecretId: data.appSecret.secretArn,
      systemUserTokenSecretId: data.systemUserToken.secretArn,
    });
    const intake = new PipelineFunction(this, 'Intake', { name: 'intake', environment: environments.intake }).function;
    const createSolution = new PipelineFunction(this, 'CreateSolution', { name: 'createSolution', environment: environments.createSolution }).function;
    const acceptSolution = new PipelineFunction(this, 'AcceptSolution', { name: 'acceptSolution', environment: environments.acceptSolution }).function;
    this.functions = { intake, createSolution, acceptSolution };

    // Least privilege, all in one place: each secret is readable by exactly one function.
    data.table.grantReadWriteData(intake);
    data.createQueue.grantSendMessages(intake);
    data.appSecret.grantRead(intake);
    data.table.grantReadWriteData(createSolution); // consuming the queue: granted by its event source
    data.table.grantReadWriteData(acceptSolution); // reading the stream: granted by its event source
    data.systemUserToken.grantRead(acceptSolution);

    new PipelineTriggers(this, 'Triggers', {
      table: data.table,
      createQueue: data.createQueue,
      acceptFailureQueue: data.acceptFailureQueue,
      createSolution,
      acceptSolution,
    });
    this.api = new OnboardingApi(this, 'Api', { intake });
    this.monitoring = new Monitoring(this, 'Monitoring', {
      createDlq: data.createDlq,
      acceptFailureQueue: data.acceptFailureQueue,
      ...(props.alarmEmail === undefined ? {} : { alarmEmail: props.alarmEmail }),
    });

    const outputs: Record<string, string> = {
      ApiUrl: this.api.api.apiEndpoint,
      TableName: data.table.tableName,
      CreateQueueUrl: data.createQueue.queueUrl,
      CreateDlqUrl: data.createDlq.queueUrl,
      AcceptFailureQueueUrl: data.acceptFailureQueue.queueUrl,
      SystemUserTokenSecretArn: data.systemUserToken.secretArn,
      AppSecretArn: data.appSecret.secretArn,
      AlarmTopicArn: this.monitoring.topic.topicArn,
    };
    for (const [name, value] of Object.entries(outputs)) new CfnOutput(this, name, { value });
  }
}
