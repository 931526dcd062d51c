import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who may call the local listeners: this machine, named as loopback (`localhost`, `127.x.y.z`,
 * `::1`). They bind to 127.0.0.1, yet a browser on this machine could still reach them for a web
 * page: one whose own name its DNS rebinds to 127.0.0.1 sends that name as its Host (421,
 * Misdirected Request), and any other page's cross-origin request carries its `Origin` (403). Both
 * are refused with nothing in the answer; the page of `npm start` (its origin is localhost) and the
 * SDK clients (no Origin) are served.
 */
export function loopbackRefusal(headers: Pick<IncomingHttpHeaders, 'host' | 'origin'>): 421 | 403 | undefined {
  if (!namesLoopback(headers.host)) return 421;
  if (headers.origin !== undefined && !namesLoopback(originHost(headers.origin))) return 403;
  return undefined;
}

// The whole value is parsed: a loopback name with anything after it (`[::1]evil.example`,
// `localhost.evil.example`, `127.0.0.1.evil`) names another host. A bare `::1` is a bind address.
const HOST = /^(?:\[(?<v6>[^\]]*)\]|(?<name>[^:[\]]+))(?::\d{1,5})?$|^(?<bare>::1)$/i;
const LOOPBACK_V4 = /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** `name[:port]`, `[v6][:port]` or a bare `::1`: names this machine's loopback. */
export function namesLoopback(host: string | undefined): boolean {
  const parts = host === undefined ? undefined : HOST.exec(host)?.groups;
  if (!parts) return false;
  if (parts.bare !== undefined) return true;
  if (parts.v6 !== undefined) return parts.v6 === '::1';
  const name = parts.name!.toLowerCase();
  return name === 'localhost' || LOOPBACK_V4.test(name);
}

/** An Origin's `host[:port]`; none for `null` (a sandboxed frame, a file) or anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}
