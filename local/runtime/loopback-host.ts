import type { IncomingHttpHeaders } from 'node:http';

/**
 * Who may call the local listeners: this machine, named as loopback (`127.0.0.1`, `::1`,
 * `localhost` and its subdomains). They bind to 127.0.0.1, yet a browser on this machine could
 * still reach them for a web page: one whose own name its DNS rebinds to 127.0.0.1 sends that name
 * as its Host (421, Misdirected Request), and any other page's cross-origin request carries its
 * `Origin` (403). Both are refused with nothing in the answer; the page of `npm start` (its origin
 * is localhost) and the SDK clients (no Origin) are served.
 */
export function loopbackRefusal(headers: Pick<IncomingHttpHeaders, 'host' | 'origin'>): 421 | 403 | undefined {
  if (!namesLoopback(headers.host)) return 421;
  if (headers.origin !== undefined && !namesLoopback(originHost(headers.origin))) return 403;
  return undefined;
}

/** `host[:port]` or `[v6][:port]` names this machine's loopback. */
export function namesLoopback(host: string | undefined): boolean {
  if (!host) return false;
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
  return name === '127.0.0.1' || name === '::1' || name === 'localhost' || name.endsWith('.localhost');
}

/** An Origin's `host[:port]`; none for `null` (a sandboxed frame, a file) or anything unparsable. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}
