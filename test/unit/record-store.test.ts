import { memoryRecordStore } from '../support/memory-record-store';
import { recordStoreCases } from '../support/record-store-cases';
import { transitionMatrixCases } from '../support/transition-matrix-cases';

/**
 * The record store's cases on the in-memory ports, which follow the same transition table: every
 * rule without a database. test/integration/record-store.test.ts runs the same cases on DynamoDB Local.
 */
describe('the record store, in memory', () => {
  recordStoreCases(() => memoryRecordStore().store);
});

describe('every transition from every status, in memory', () => {
  transitionMatrixCases(() => {
    const { store, ports } = memoryRecordStore();
    return { store, seed: (record) => ports.seed(record) };
  });
});
