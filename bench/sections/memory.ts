import { totalKiB, type ProcessRss } from '../process-tree';
import { mebibytes, type SectionResult } from '../report';

/** Each process of a sample as `name pid: MiB`, largest first: where the memory is. */
const breakdown = (sample: readonly ProcessRss[]) =>
  [...sample]
    .sort((a, b) => b.rssKiB - a.rssKiB)
    .map((p) => `${p.name} ${mebibytes(p.rssKiB)}`)
    .join(', ');

/**
 * Section 6: resident memory of the runtime's whole process tree (Node with its worker-thread
 * sandboxes and emulators, the DynamoDB Local JVM, any helper process), idle after start and at its
 * peak during the bursts.
 */
export function memory(idle: readonly ProcessRss[], peak: { sample: readonly ProcessRss[]; samples: number; intervalMs: number } | undefined): SectionResult {
  return {
    id: 'memory',
    title: '6. memory: RSS of the runtime’s process tree',
    rows: [
      { what: 'idle, after ready', measured: mebibytes(totalKiB(idle)), reference: breakdown(idle) },
      peak && peak.samples > 0
        ? { what: 'peak during the bursts', measured: mebibytes(totalKiB(peak.sample)), reference: `${breakdown(peak.sample)} (${peak.samples} samples, every ${peak.intervalMs} ms)` }
        : { what: 'peak during the bursts', measured: '—', reference: 'no burst section ran' },
    ],
    notes: [],
    data: { idle, peak },
  };
}
