import { App } from 'aws-cdk-lib';
import { defineApp } from '../lib/mps-onboarding-app';
import { ContextError } from '../lib/partner-context';

try {
  defineApp(new App());
} catch (error) {
  // A setting to fix, not a bug: its one line, without a stack trace in front of it.
  if (!(error instanceof ContextError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
