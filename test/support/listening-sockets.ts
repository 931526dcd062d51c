import { readdirSync, readlinkSync } from 'node:fs';
import { endianness } from 'node:os';
import { readProc } from './proc';

/** A TCP socket in the LISTEN state, as the kernel reports it (Linux's /proc). */
export interface ListeningSocket {
  pid: number;
  command: string;
  address: string;
  port: number;
}

/** Every TCP socket (IPv4 and IPv6) that one of `pids` holds open and listens on. */
export function listeningSockets(pids: number[]): ListeningSocket[] {
  const owners = new Map<string, { pid: number; command: string }>();
  for (const pid of pids) {
    const command = readProc(`/proc/${pid}/comm`)?.trim() ?? '?';
    for (const inode of socketInodes(pid)) owners.set(inode, { pid, command });
  }
  // The table of the processes' network namespace (the same for the whole tree).
  const table = ['tcp', 'tcp6'].flatMap((file) => (readProc(`/proc/${pids[0]}/net/${file}`) ?? '').split('\n').slice(1));
  return table.flatMap((line) => {
    // "sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …"
    const fields = line.trim().split(/\s+/);
    const [local, state, inode] = [fields[1], fields[3], fields[9]];
    const owner = inode === undefined ? undefined : owners.get(inode);
    if (!owner || state !== '0A' /* TCP_LISTEN */) return [];
    const [address, port] = local!.split(':');
    return [{ ...owner, address: decodeAddress(address!), port: parseInt(port!, 16) }];
  });
}

/** The inodes of the sockets among a process's open files (links named `socket:[inode]`). */
function socketInodes(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return []; // the process has exited
  }
  return fds.flatMap((fd) => {
    try {
      return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? [];
    } catch {
      return []; // closed meanwhile
    }
  });
}

/** /proc/net/tcp{,6} print an address as 32-bit words, each in the host's byte order. */
function decodeAddress(hex: string): string {
  const words = hex.match(/.{8}/g)!.map((word) => Buffer.from(word, 'hex'));
  const bytes = Buffer.concat(endianness() === 'LE' ? words.map((word) => word.reverse()) : words);
  if (bytes.length === 4) return bytes.join('.');
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff) return `::ffff:${bytes.subarray(12).join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  // The URL parser writes an IPv6 address in its canonical short form ("::1", "::").
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}
