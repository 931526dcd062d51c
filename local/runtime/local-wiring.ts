import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { scaledSchedule } from '../../lambdas/schedule';
import { functionEnvironments, type PipelineResources } from '../../lib/function-environment';
import { pageConfig, type PageConfig } from '../../lib/page-config';
import { readDeploymentSettings, type DeploymentSettings } from '../../lib/partner-context';
import { ACCEPT_EVENT_SOURCE, CREATE_EVENT_SOURCE, FUNCTIONS, SHARE_EVENT_SOURCE, WAKE_EVENT_SOURCES } from '../../lib/pipeline-settings';
import { REPO_ROOT } from '../../lib/repo-root';

/**
 * How the local runtime wires the functions: everything the CDK stack decides, taken from the same
 * places (lib/pipeline-settings.ts, lib/function-environment.ts, and the deployment settings read
 * from cdk.json's context exactly as `cdk synth` reads them). The runtime records it in
 * runtime.json, and a test compares it with the synthesized template.
 */
export interface LocalWiring {
  functions: Record<keyof typeof FUNCTIONS, { timeoutSeconds: number; memoryMiB: number; environment: Record<string, string> }>;
  createQueue: { maxReceiveCount: number };
  createEventSource: typeof CREATE_EVENT_SOURCE;
  acceptEventSource: typeof ACCEPT_EVENT_SOURCE;
  shareEventSource: typeof SHARE_EVENT_SOURCE;
  /** The wake queues' event sources: each into its stream worker. */
  wakeEventSources: typeof WAKE_EVENT_SOURCES;
  /** The daily client discovery's period, scaled by TIME_SCALE (hours). */
  discoveryIntervalHours: number;
  page: PageConfig;
}

const cdkContext = (): Record<string, unknown> => JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context ?? {};

/** The deployment settings from cdk.json's context, as `cdk synth` reads them, with `overrides` as `-c key=value` would give. */
export function localDeploymentSettings(overrides: Record<string, string> = {}): DeploymentSettings {
  const context = { ...cdkContext(), ...overrides };
  return readDeploymentSettings((key) => context[key]);
}

/** The functions call `graphApiBaseUrl` (the simulator, locally); the page loads `sdkUrl`. */
export function localWiring(settings: DeploymentSettings, opts: { timeScale: number; graphApiBaseUrl: string; sdkUrl: string; resources: PipelineResources }): LocalWiring {
  const partner = { ...settings.partner, graphApiBaseUrl: opts.graphApiBaseUrl };
  const environments = functionEnvironments(partner, opts.resources, settings.createMaxReceiveCount, opts.timeScale);
  const fn = (name: keyof typeof FUNCTIONS) => ({ timeoutSeconds: FUNCTIONS[name].timeoutSeconds, memoryMiB: FUNCTIONS[name].memoryMiB, environment: environments[name] });
  return {
    functions: {
      intake: fn('intake'),
      createSolution: fn('createSolution'),
      acceptSolution: fn('acceptSolution'),
      reconcile: fn('reconcile'),
      webhook: fn('webhook'),
      shareCredit: fn('shareCredit'),
      discoverClients: fn('discoverClients'),
    },
    createQueue: { maxReceiveCount: settings.createMaxReceiveCount },
    createEventSource: CREATE_EVENT_SOURCE,
    acceptEventSource: ACCEPT_EVENT_SOURCE,
    shareEventSource: SHARE_EVENT_SOURCE,
    wakeEventSources: WAKE_EVENT_SOURCES,
    discoveryIntervalHours: scaledSchedule(opts.timeScale).clients.discoveryIntervalHours,
    page: { ...pageConfig(partner), sdkUrl: opts.sdkUrl },
  };
}
