// Entry of the audit verification thread (verifier.ts): Node 20 does not run
// `--import tsx` in workers, so register tsx here, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
