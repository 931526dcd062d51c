// Worker threads do not inherit tsx's loader from the runtime: register it, then load the sandbox.
import { register } from 'tsx/esm/api';

register();
await import('./function-worker.ts');
