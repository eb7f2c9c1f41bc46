// Entry of a report-load.ts worker thread: Node 20 does not run `--import tsx` in workers, so
// register tsx here, then run the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./report-load-worker.ts');
