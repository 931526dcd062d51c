import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { handshakeChallenge, isSignedByMeta } from '../../lambdas/webhook/meta-authentication';
import { readDelivery } from '../../lambdas/webhook/partner-solutions';

/** Meta's signed example (test/contract/graph-examples.json). */
const examples = JSON.parse(readFileSync(new URL('../contract/graph-examples.json', import.meta.url), 'utf8')) as {
  examples: { name: string; request: { raw_body?: string; headers?: Record<string, string>; query?: Record<string, string> }; signing_secret?: string }[];
};
const delivery = examples.examples.find((e) => e.name === 'partner_solutions webhook delivery')!;
const RAW = Buffer.from(delivery.request.raw_body!, 'utf8');
const SIGNATURE = delivery.request.headers!['x-hub-signature-256']!;
const SECRET = delivery.signing_secret!;
const sign = (body: Buffer | string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('X-Hub-Signature-256', () => {
  test('Meta’s example verifies byte for byte with its signing secret', () => {
    expect(isSignedByMeta(RAW, SIGNATURE, SECRET)).toBe(true);
  });

  test.each([
    ['a tampered body (one character)', Buffer.from(delivery.request.raw_body!.replace('DEACTIVATED', 'DEACTIVATEd')), SIGNATURE, SECRET],
    ['the same JSON re-serialized (spacing): the raw bytes are signed, not the object', Buffer.from(JSON.stringify(JSON.parse(delivery.request.raw_body!), null, 1)), SIGNATURE, SECRET],
    ['another app’s secret', RAW, sign(RAW, 'another-app-secret'), SECRET],
    ['no header', RAW, undefined, SECRET],
    ['an empty header', RAW, '', SECRET],
    ['the sha1 prefix of X-Hub-Signature', RAW, SIGNATURE.replace('sha256=', 'sha1='), SECRET],
    ['no prefix', RAW, SIGNATURE.replace('sha256=', ''), SECRET],
    ['upper-case hex', RAW, `sha256=${SIGNATURE.slice(7).toUpperCase()}`, SECRET],
    ['a truncated digest', RAW, SIGNATURE.slice(0, -2), SECRET],
    ['a digest with trailing junk', RAW, `${SIGNATURE}00`, SECRET],
  ])('refuses %s', (_, body, header, secret) => {
    expect(isSignedByMeta(body, header, secret)).toBe(false);
  });
});

describe('subscription handshake', () => {
  const TOKEN = 'our-verify-token';
  const query = (q: Record<string, string>) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN, 'hub.challenge': '1158201444', ...q });

  test('echoes the challenge for subscribe with our verify token (Meta’s example query)', () => {
    const example = examples.examples.find((e) => e.name === 'webhook subscription handshake')!.request.query!;
    expect(handshakeChallenge({ ...example, 'hub.verify_token': TOKEN }, TOKEN)).toBe('1158201444');
  });

  test.each([
    ['another verify token', query({ 'hub.verify_token': 'guess' })],
    ['a verify token that only starts like ours', query({ 'hub.verify_token': `${TOKEN}x` })],
    ['no verify token', { 'hub.mode': 'subscribe', 'hub.challenge': '1' }],
    ['another mode', query({ 'hub.mode': 'unsubscribe' })],
    ['no challenge', { 'hub.mode': 'subscribe', 'hub.verify_token': TOKEN }],
    ['a challenge that is markup, not a number', query({ 'hub.challenge': '<script>alert(1)</script>' })],
  ])('refuses %s', (_, q) => {
    expect(handshakeChallenge(q as Record<string, string>, TOKEN)).toBeUndefined();
  });
});

describe('partner_solutions deliveries', () => {
  const at = new Date('2026-11-28T10:00:00Z');

  test('reads Meta’s example: the solution, its status, and the entry’s time', () => {
    expect(readDelivery(delivery.request.raw_body!, at)).toEqual({
      news: [{ solutionId: '1234567890123456', state: { status: 'DEACTIVATED' }, observedAt: new Date(1764316800 * 1000), source: 'webhook' }],
      clients: [],
      ignored: 0,
      malformed: 0,
      clientsMalformed: 0,
    });
  });

  test('fields, changes and objects it does not use are ignored, never refused; an entry or change without what it needs is counted apart, the rest still read', () => {
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      extra: { anything: true },
      entry: [
        {
          id: '1',
          time: 1764316900,
          unknown: [1, 2],
          changes: [
            { field: 'account_update', value: { event: 'ACCOUNT_VIOLATION' } },
            { field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_id: '42', solution_status: 'PENDING', more: 'x' } },
            { field: 'partner_solutions', value: { event: 'SOLUTION_UPDATED', solution_status: 'ACTIVE' } },
          ],
        },
        { id: '2', changes: [{ field: 'partner_solutions', value: { solution_id: '43', solution_status: 'ACTIVE' } }] },
        { id: '3', time: null, changes: 'none' },
        { id: '4', time: 1764317000, changes: [null, 7, { field: 'partner_solutions', value: { solution_id: '44', solution_status: 'REJECTED' } }] },
      ],
    });
    expect(readDelivery(body, at)).toEqual({
      news: [
        { solutionId: '42', state: { status: 'PENDING' }, observedAt: new Date(1764316900 * 1000), source: 'webhook' },
        // No entry time: news of when it arrived.
        { solutionId: '43', state: { status: 'ACTIVE' }, observedAt: at, source: 'webhook' },
        { solutionId: '44', state: { status: 'REJECTED' }, observedAt: new Date(1764317000 * 1000), source: 'webhook' },
      ],
      clients: [],
      ignored: 1,
      malformed: 4,
      clientsMalformed: 0,
    });
    expect(readDelivery('{"object":"page"}', at)).toEqual({ news: [], clients: [], ignored: 0, malformed: 0, clientsMalformed: 0 });
  });

  test('an entry time far ahead of our clock (milliseconds, say) counts as news of its arrival; a few minutes of skew are kept', () => {
    const envelope = (time: number) => JSON.stringify({ entry: [{ time, changes: [{ field: 'partner_solutions', value: { solution_id: '42', solution_status: 'ACTIVE' } }] }] });
    const inMs = at.getTime();
    expect(readDelivery(envelope(inMs), at)?.news[0]?.observedAt).toEqual(at);
    const skewed = at.getTime() / 1000 + 120;
    expect(readDelivery(envelope(skewed), at)?.news[0]?.observedAt).toEqual(new Date(skewed * 1000));
  });

  test('a body that is not an envelope at all is undefined', () => {
    expect(readDelivery('not json', at)).toBeUndefined();
    expect(readDelivery('{"entry":"nope"}', at)).toBeUndefined();
  });
});
