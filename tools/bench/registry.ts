import type { Bench } from './bench';
import { coldStartBench } from './cold-start.bench';
import { handlerBench } from './handler.bench';
import { orderingBench } from './ordering.bench';
import { pipelineBench } from './pipeline.bench';
import { reconciliationSweepBench } from './reconciliation-sweep.bench';
import { replayBench } from './replay.bench';
import { startBench } from './start.bench';
import { verifierBench } from './verifier.bench';

/** Every benchmark `npm run bench` runs, in order. To add one: import it and list it here. */
export const BENCHES: readonly Bench[] = [
  verifierBench,
  handlerBench,
  coldStartBench,
  pipelineBench,
  orderingBench,
  replayBench,
  reconciliationSweepBench,
  startBench,
];
