import { App } from 'aws-cdk-lib';
import { defineApp } from '../lib/mps-onboarding-app';

defineApp(new App());
