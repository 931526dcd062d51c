import { readFileSync } from 'node:fs';
import { STATUS_TONES as PAGE_TONES, NO_LONGER_ACTIVE as PAGE_NO_LONGER_ACTIVE } from '../../web/solution-statuses.js';
import { NO_LONGER_ACTIVE, STATUS_TONES } from '../../lambdas/domain/status-sets';
import { WEB_STATUSES_PATH, webStatusesModule } from '../../scripts/web-statuses';

/** The page has no build step: what it knows of the status machine is generated, and must not drift. */
describe('web/solution-statuses.js', () => {
  test('is what `npm run generate` makes from the transition table today', () => {
    expect(readFileSync(WEB_STATUSES_PATH, 'utf8')).toBe(webStatusesModule());
  });

  test('gives the page the table’s tones and no-longer-active statuses', () => {
    expect(PAGE_TONES).toEqual(STATUS_TONES);
    expect([...PAGE_NO_LONGER_ACTIVE].sort()).toEqual([...NO_LONGER_ACTIVE].sort());
  });
});
