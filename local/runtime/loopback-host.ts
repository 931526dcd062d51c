/**
 * Whether a request's Host header names this machine's loopback (`127.0.0.1`, `::1`, `localhost`
 * and its subdomains). The local listeners bind to 127.0.0.1, yet a web page whose own name
 * resolves to 127.0.0.1 (DNS rebinding) could still reach them from a browser on this machine; its
 * requests carry its own name, and are answered 421 (Misdirected Request) with nothing in them.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
  return name === '127.0.0.1' || name === '::1' || name === 'localhost' || name.endsWith('.localhost');
}

export const MISDIRECTED_REQUEST = 421;
