import { Duration, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { BUNDLING, FUNCTION_ENTRIES, type FunctionName } from '../function-bundling';
import { FUNCTIONS, LOG_RETENTION_DAYS } from '../pipeline-settings';
import { REPO_ROOT } from '../repo-root';

export type PipelineFunctionName = FunctionName;

/** A resource a function uses: how its environment names it, and what lets the function use it. */
export interface ResourceBinding {
  /** The environment variable's value that points at the resource (its name, URL or ARN). */
  readonly reference: string;
  /** Gives the function exactly what it does with the resource (a grant, or the event source that grants). */
  attach(fn: lambda.Function): void;
}

export interface PipelineFunctionProps {
  name: PipelineFunctionName;
  /** The function's variables from functionEnvironments() (lib/function-environment.ts), the one mapping of resources to variables. */
  environment: Record<string, string>;
  /** For a function EventBridge Scheduler invokes (asynchronously): why its failed invocations need no DLQ. */
  scheduledBecause?: string;
}

/**
 * The house Lambda: Node.js 22 on ARM64, an ESM bundle built by the locally installed esbuild
 * (never Docker), X-Ray active tracing, its own log group with a retention, tuning from FUNCTIONS,
 * and a role that holds nothing but what `bind` grants (plus writing its own logs).
 */
export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  private readonly environment: Record<string, string>;
  /** Variables naming a resource that no `bind` has granted yet: synth fails while any is left. */
  private readonly unbound: Set<string>;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const tuning = FUNCTIONS[props.name];
    this.environment = props.environment;
    this.unbound = new Set(Object.keys(props.environment).filter((name) => Token.isUnresolved(props.environment[name])));
    this.node.addValidation({
      validate: () => [...this.unbound].map((name) => `${name} names a resource that the function was never granted: bind it`),
    });

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: LOG_RETENTION_DAYS });
    // Not AWSLambdaBasicExecutionRole: that managed policy may write to every log group in the account.
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, FUNCTION_ENTRIES[props.name]),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(tuning.timeoutSeconds),
      memorySize: tuning.memoryMiB,
      tracing: lambda.Tracing.ACTIVE,
      role,
      logGroup,
      // Stack traces point into the TypeScript sources through the bundled source map.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      // The local runtime bundles with the same options (lib/function-bundling.ts).
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: BUNDLING.target,
        mainFields: [...BUNDLING.mainFields],
        minify: BUNDLING.minify,
        sourceMap: BUNDLING.sourceMap,
        banner: BUNDLING.banner,
        // The AWS SDK v3 is bundled, not taken from the runtime: the functions run the exact
        // client versions package-lock.json pins and the tests ran against, whatever SDK the
        // Lambda runtime ships that week. Cost: each minified bundle is ~0.9 MB (SDK included).
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });

    const node22 = 'docs/design.md §2 mandates Node.js 22, which local development and CI run too; a newer runtime is adopted deliberately, not by default.';
    Validations.of(this.function).acknowledge(
      { id: 'AwsSolutions-L1', reason: node22 },
      { id: 'Serverless-LambdaLatestVersion', reason: node22 },
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          props.scheduledBecause !== undefined
            ? `Invoked asynchronously by EventBridge Scheduler. ${props.scheduledBecause}`
            : "Never invoked asynchronously (HTTP API routes and event source mappings invoke synchronously), so a function DLQ would never receive anything. Failed work lands in the create queue's DLQ and the stream's on-failure queue, both alarmed.",
      },
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Only for actions without resource-level permissions: xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) and, for the stream consumer, dynamodb:ListStreams (its event source mapping finds the table's stream). The infra test pins '*' to exactly these actions.",
    });
  }

  /**
   * Grants the function resources that its environment names, each in one call. A resource the
   * environment does not name is refused: a grant without a variable is a permission nobody uses.
   */
  bind(...bindings: ResourceBinding[]): this {
    for (const binding of bindings) {
      const variables = Object.keys(this.environment).filter((name) => this.environment[name] === binding.reference);
      if (variables.length === 0) {
        throw new Error(`${this.node.path}: no environment variable names the resource being bound; add it to functionEnvironments() first`);
      }
      binding.attach(this.function);
      for (const name of variables) this.unbound.delete(name);
    }
    return this;
  }
}
