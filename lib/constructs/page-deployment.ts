import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { join } from 'node:path';
import type { PageConfig } from '../page-config';
import { LOG_RETENTION_DAYS } from '../pipeline-settings';
import { REPO_ROOT } from '../repo-root';

export interface PageDeploymentProps {
  /** The site's private bucket: it holds the page and nothing else. */
  bucket: s3.Bucket;
  /** Written as `/config.json`. */
  page: PageConfig;
}

/**
 * Copies web/ and the generated config.json into the bucket on every deploy (CDK's
 * BucketDeployment: a Lambda-backed custom resource running `aws s3 sync`).
 */
export class PageDeployment extends Construct {
  constructor(scope: Construct, id: string, props: PageDeploymentProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION_DAYS });
    // Its own role: CDK's default would add AWSLambdaBasicExecutionRole (logs in any log group).
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    new BucketDeployment(this, 'Deployment', {
      destinationBucket: props.bucket,
      sources: [Source.asset(join(REPO_ROOT, 'web')), Source.jsonData('config.json', props.page)],
      // CloudFront keeps a file for a minute, browsers revalidate on every load: a deploy reaches
      // every visitor within a minute, with no invalidation (and no cloudfront:* grant on "*").
      cacheControl: [CacheControl.setPublic(), CacheControl.maxAge(Duration.seconds(0)), CacheControl.sMaxAge(Duration.minutes(1))],
      memoryLimit: 256,
      logGroup,
      role,
    });
    Validations.of(role).acknowledge(
      ...['Action::s3:GetBucket*', 'Action::s3:GetObject*', 'Action::s3:List*', 'Action::s3:Abort*', 'Action::s3:DeleteObject*'].map((finding) => ({
        id: `AwsSolutions-IAM5[${finding}]`,
        reason: "CDK's BucketDeployment grants these to sync the page: read the deployment's asset, then mirror it into the content bucket (list, put, delete stale files).",
      })),
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-${stack.synthesizer.bootstrapQualifier}-assets-<AWS::AccountId>-<AWS::Region>/*]`,
        reason: "The page's asset zip is an object in the CDK bootstrap asset bucket; its key is known only at publish time.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
        reason: 'Syncing the page writes and prunes objects anywhere in the content bucket, which holds nothing else.',
      },
    );
    // CDK creates the handler once per stack, at stack level, outside this construct.
    const handler = stack.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'))!;
    const cdkManaged = "CDK's BucketDeployment handler, run by CloudFormation during deploys only";
    Validations.of(handler).acknowledge(
      { id: 'AwsSolutions-L1', reason: `${cdkManaged}: aws-cdk-lib picks its runtime and moves it with CDK upgrades.` },
      { id: 'Serverless-LambdaLatestVersion', reason: `${cdkManaged}: aws-cdk-lib picks its runtime and moves it with CDK upgrades.` },
      { id: 'Serverless-LambdaDLQ', reason: `${cdkManaged}: a failure fails the deployment, which reports it; a DLQ would add nothing.` },
      { id: 'Serverless-LambdaTracing', reason: `${cdkManaged}: one short sync per deploy, nothing worth a trace.` },
    );
  }
}
