import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FUNCTIONS } from '../pipeline-settings';

/** The repository root (ESM has no __dirname): entries, the lockfile and tsconfig live there. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export type PipelineFunctionName = keyof typeof FUNCTIONS;

const ENTRIES: Record<PipelineFunctionName, string> = {
  intake: 'lambdas/handlers/intake.ts',
  createSolution: 'lambdas/handlers/create-solution.ts',
  acceptSolution: 'lambdas/handlers/accept-solution.ts',
};

export interface PipelineFunctionProps {
  name: PipelineFunctionName;
  environment: Record<string, string>;
}

/**
 * The house Lambda: Node.js 22 on ARM64, an ESM bundle built by the locally installed esbuild
 * (never Docker), X-Ray active tracing, its own log group with a retention, tuning from FUNCTIONS.
 */
export class PipelineFunction extends Construct {
  readonly function: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const tuning = FUNCTIONS[props.name];
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, ENTRIES[props.name]),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(tuning.timeoutSeconds),
      memorySize: tuning.memoryMiB,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      // Stack traces point into the TypeScript sources through the bundled source map.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        // CommonJS dependencies bundled into an ESM file still call require() for Node built-ins.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        // The AWS SDK v3 is bundled, not taken from the runtime: the functions run the exact
        // client versions package-lock.json pins and the tests ran against, whatever SDK the
        // Lambda runtime ships that week. Cost: each minified bundle is ~0.9 MB (SDK included).
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }
}
