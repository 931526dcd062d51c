import TestSequencer from '@jest/test-sequencer';

/**
 * Suites that spend minutes waiting on the wall clock rather than the CPU (the kill test waits out the
 * create queue's 180 s visibility timeout, twice). Started first, they wait while the other workers
 * run the rest; started last, as a clean clone's jest would (it has no timings yet and orders by file
 * size), they are the run's tail.
 */
const LONG_WAITS = ['/test/integration/kill-and-chaos.test.ts'];

export default class LongWaitsFirst extends TestSequencer {
  async sort(tests) {
    const sorted = await super.sort(tests);
    const waits = (test) => LONG_WAITS.some((suffix) => test.path.endsWith(suffix));
    return [...sorted.filter(waits), ...sorted.filter((test) => !waits(test))];
  }
}
