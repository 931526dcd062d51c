import { PipelineDriver } from './pipeline-driver';
import { startRuntimeProcess, type RuntimeProcessOptions, type RuntimeProcess } from './local-runtime-process';

/**
 * One local runtime for a whole suite, driven through a PipelineDriver: started before the first test,
 * the simulator's controls cleared after each, stopped after the last. Read `runtime` and `pipeline`
 * inside tests (they are set once the suite has started).
 */
export function pipelineSuite(options: RuntimeProcessOptions): { readonly runtime: RuntimeProcess; readonly pipeline: PipelineDriver } {
  let runtime: RuntimeProcess | undefined;
  let pipeline: PipelineDriver | undefined;
  beforeAll(async () => {
    runtime = await startRuntimeProcess(options);
    pipeline = new PipelineDriver(runtime);
  }, 90_000);
  afterEach(() => pipeline?.clearControls());
  afterAll(async () => {
    pipeline?.destroy();
    await runtime?.stop();
  });
  return {
    get runtime() {
      if (!runtime) throw new Error('the suite’s runtime has not started');
      return runtime;
    },
    get pipeline() {
      if (!pipeline) throw new Error('the suite’s runtime has not started');
      return pipeline;
    },
  };
}
