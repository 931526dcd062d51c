import { acceptBatches, billFor, BILL_APPS, BILL_ONBOARDINGS, minimumPerOnboarding, PRICES, writeUnits } from '../../bench/cost-model';
import { ACCEPT_EVENT_SOURCE } from '../../lib/pipeline-settings';
import { transactionWriteUnits } from '../../local/runtime/usage-meter';
import { TABLE_LAYOUT } from '../../lambdas/store/table-layout';

/**
 * The bench's cost model: its minimums are derived from the table layout and the event sources, and
 * they price writes as the usage meter counts them, so that a measured figure and its minimum are
 * the same units.
 */

const attributes = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, { S: n }]));

test('the minimum’s write units are the meter’s for the same item moves', () => {
  const solution = ['status', 'updatedAt', 'appId', 'createdAt'];
  const created = [...solution, 'solutionId'];
  const moves = [
    { after: solution, sets: solution },
    { before: solution, after: solution, sets: ['status', 'updatedAt'] },
    { before: solution, after: created, sets: ['status', 'updatedAt', 'solutionId'] },
    { before: created, after: created, sets: ['status', 'updatedAt'] },
  ];
  for (const move of moves) {
    // The meter sees values: a set attribute has a new one.
    const before = move.before && { pk: { S: 'p' }, sk: { S: 's' }, ...attributes(move.before) };
    const after = { pk: { S: 'p' }, sk: { S: 's' }, ...attributes(move.after), ...Object.fromEntries(move.sets.map((n) => [n, { S: `${n}'` }])) };
    expect(2 * writeUnits(move)).toBe(transactionWriteUnits([{ before, after }]));
  }
});

test('every index of the layout is priced: a solution item holding all their keys is in each', () => {
  const keys = Object.values(TABLE_LAYOUT.indexes).flatMap((i) => ('sortKey' in i ? [i.partitionKey, i.sortKey] : [i.partitionKey]));
  expect(writeUnits({ after: keys, sets: keys })).toBe(1 + Object.keys(TABLE_LAYOUT.indexes).length);
});

test('creates further apart than a stream poll never share an accept batch; within one, items spread over the concurrent batches', () => {
  expect(acceptBatches([1000, 1260, 1520], 250)).toBe(3);
  expect(acceptBatches([1000], 250)).toBe(1);
  const lanes = ACCEPT_EVENT_SOURCE.parallelizationFactor;
  // Two items of one read share a batch with a chance of 1/lanes.
  expect(acceptBatches([1000, 1030], 250)).toBeCloseTo(2 - 1 / lanes, 10);
  expect(acceptBatches([1000, 1300, 1320], 250)).toBeCloseTo(1 + 2 - 1 / lanes, 10);
});

test('one three-app onboarding’s minimum: the Graph calls and queue requests its work needs', () => {
  const minimum = minimumPerOnboarding(3, 25, 6, 1);
  // debug_token, one listing page; create, read, accept per app.
  expect(minimum.graphCalls.value).toBe(2 + 3 * 3);
  // One send of three messages; a receive and a delete per create (batch size 1).
  expect(minimum.sqsRequests.value).toBe(1 + 2 * 3);
  expect(minimum.invocations).toEqual({ intake: 1, createSolution: 3, acceptSolution: 1, webhook: 6 });
});

test('the bill prices each service’s units at the named list prices', () => {
  const bill = billFor({ writeUnits: 10, readUnits: 2, sqsRequests: 3, lambda: { intake: { invocations: 1, billedMs: 1000 } }, httpRequests: 1 });
  const solutions = BILL_ONBOARDINGS * BILL_APPS;
  expect(bill.lines.dynamodb).toBeCloseTo(((10 * PRICES.dynamodbWritePerMillion + 2 * PRICES.dynamodbReadPerMillion) * solutions) / 1e6, 10);
  expect(bill.lines.sqs).toBeCloseTo((3 * solutions * PRICES.sqsPerMillion) / 1e6, 10);
  // 1 s at intake's 512 MiB is half a GB-second.
  expect(bill.lambdaGbSeconds).toBeCloseTo(0.5 * solutions, 6);
  expect(bill.total).toBeCloseTo(bill.lines.dynamodb + bill.lines.lambda + bill.lines.sqs + bill.lines.httpApi, 10);
});
