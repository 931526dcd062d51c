import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { readFileSync } from 'node:fs';
import { defineApp } from '../../lib/mps-onboarding-app';

/** cdk.json's context (sample app ID, feature flags), as `cdk synth` sees it. */
export const cdkJsonContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

/** A partner app ID of our own: cdk.json's sample one makes synth warn (tested in app.test.ts). */
export const TEST_PARTNER_APP_ID = '1234567890123456';

/** Every optional setting given, so that every optional resource exists: most checks read this stack. */
export const FULL_CONTEXT = { partnerName: 'Acme', graphApiVersion: 'v26.0', alarmEmail: 'ops@example.com' } as const;

type SynthesizedApp = { app: App; stack: ReturnType<typeof defineApp>; template: Template };
const synthesized = new Map<string, SynthesizedApp>();

/**
 * The app as bin/app.ts builds it (cdk-nag included), with `context` on top of cdk.json's, built
 * once per context and shared by the checks (read it, never change it). An empty bundling-stacks
 * list skips esbuild: fast, and the template is the same apart from code hashes.
 */
export function synthApp(context: Record<string, unknown> = {}): SynthesizedApp {
  const key = JSON.stringify(context);
  let result = synthesized.get(key);
  if (!result) {
    const app = new App({ context: { ...cdkJsonContext, partnerAppId: TEST_PARTNER_APP_ID, ...context, 'aws:cdk:bundling-stacks': [] } });
    const stack = defineApp(app);
    result = { app, stack, template: Template.fromStack(stack) };
    synthesized.set(key, result);
  }
  return result;
}

export const logicalId = (construct: IConstruct) => Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const arn = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] });

/** The template's resource for a construct (its default child). */
export function resourceOf(template: Template, construct: IConstruct): { Type: string; Properties: Record<string, any> } {
  return template.toJSON().Resources[logicalId(construct)];
}
