import { memoryRecordStore } from '../support/memory-record-store';
import { recordStoreCases } from '../support/record-store-cases';

/** The record store's cases on the in-memory ports: every rule of the transition table without a database. */
describe('the record store, in memory', () => {
  recordStoreCases(() => memoryRecordStore().store);
});
