import { loopbackRefusal, namesLoopback } from '../../local/runtime/loopback-host';

describe('the loopback check of the local listeners', () => {
  test.each(['localhost', 'LOCALHOST:3000', '127.0.0.1', '127.0.0.1:8000', '127.1.2.3:65535', '[::1]', '[::1]:8000', '::1'])('%s is this machine', (host) => {
    expect(namesLoopback(host)).toBe(true);
    expect(loopbackRefusal({ host })).toBeUndefined();
  });

  test.each([
    '[::1]evil.example',
    '[::1]:80evil',
    '[::1]:80:80',
    '[::1].evil.example:80',
    'localhost.evil.example',
    'localhost.evil.example:3000',
    'evil.localhost',
    '127.0.0.1.evil',
    '127.0.0.1.evil:80',
    '127.0.0.256',
    '127.0.0.1:80evil',
    '[::2]:80',
    '[::ffff:127.0.0.1]',
    'evil.example',
    '',
  ])('%s is refused with 421', (host) => {
    expect(namesLoopback(host)).toBe(false);
    expect(loopbackRefusal({ host })).toBe(421);
  });

  test('no Host is refused; an Origin is judged by the same parse', () => {
    expect(loopbackRefusal({})).toBe(421);
    expect(loopbackRefusal({ host: 'localhost:3000', origin: 'http://localhost:3000' })).toBeUndefined();
    expect(loopbackRefusal({ host: 'localhost:3000', origin: 'http://[::1]:3000' })).toBeUndefined();
    expect(loopbackRefusal({ host: 'localhost:3000', origin: 'http://localhost.evil.example' })).toBe(403);
    expect(loopbackRefusal({ host: 'localhost:3000', origin: 'null' })).toBe(403);
  });
});
