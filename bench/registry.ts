import type { Bench } from './bench';
import { verifierBench } from './verifier.bench';

/** Every benchmark `npm run bench` runs, in order. To add one: import it and list it here. */
export const BENCHES: readonly Bench[] = [
  verifierBench,
];
