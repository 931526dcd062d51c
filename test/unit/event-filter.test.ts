import { matchesFilter } from '../../local/runtime/event-filter';
import { ACCEPT_FILTER_PATTERN, SHARE_FILTER_PATTERN } from '../../lib/pipeline-settings';

/** A stream record as Lambda's filter sees it: images in DynamoDB JSON, no old image on INSERT. */
const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', entity: string, status: string, oldStatus?: string) => ({
  eventName,
  dynamodb: {
    NewImage: eventName === 'REMOVE' ? undefined : { entity: { S: entity }, status: { S: status } },
    ...(oldStatus === undefined ? {} : { OldImage: { entity: { S: entity }, status: { S: oldStatus } } }),
  },
});

describe('the local stream filter, with the stack’s own patterns', () => {
  test('share worker: a client recorded NEW (INSERT), and one written NEW again (the reconciler’s nudge, a rearm, ops’ reopen)', () => {
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('INSERT', 'client', 'NEW'))).toBe(true);
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('MODIFY', 'client', 'NEW', 'NEW'))).toBe(true);
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('MODIFY', 'client', 'NEW', 'SHARING'))).toBe(true);
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('MODIFY', 'client', 'NEW', 'CREDIT_FAILED'))).toBe(true);
  });

  test('share worker: nothing else', () => {
    for (const status of ['SHARING', 'CREDIT_SHARED', 'CREDIT_FAILED', 'NOT_SHARED', 'REMOVED']) {
      expect(matchesFilter(SHARE_FILTER_PATTERN, record('MODIFY', 'client', status, 'NEW'))).toBe(false);
    }
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('REMOVE', 'client', 'NEW', 'NEW'))).toBe(false);
    // A solution item, or any other kind, even with a status spelled NEW.
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('INSERT', 'solution', 'NEW'))).toBe(false);
    expect(matchesFilter(SHARE_FILTER_PATTERN, record('INSERT', 'waba-link', 'NEW'))).toBe(false);
  });

  test('accept worker: a solution entering CREATED only, never on INSERT nor for a client', () => {
    expect(matchesFilter(ACCEPT_FILTER_PATTERN, record('MODIFY', 'solution', 'CREATED', 'CREATING'))).toBe(true);
    expect(matchesFilter(ACCEPT_FILTER_PATTERN, record('MODIFY', 'solution', 'CREATED', 'CREATED'))).toBe(false);
    // No old image at all: `anything-but` needs the field (as Lambda's filtering does).
    expect(matchesFilter(ACCEPT_FILTER_PATTERN, record('INSERT', 'solution', 'CREATED'))).toBe(false);
    expect(matchesFilter(ACCEPT_FILTER_PATTERN, record('MODIFY', 'client', 'NEW', 'SHARING'))).toBe(false);
  });
});
