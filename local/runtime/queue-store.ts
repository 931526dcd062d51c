import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { buildApp } from 'fauxqs';
import { writeFileAtomically } from './atomic-file';

type Stores = NonNullable<NonNullable<Parameters<typeof buildApp>[0]>['stores']>;
type SqsStore = Stores['sqsStore'];
type Persistence = NonNullable<SqsStore['persistence']>;
type StoredMessage = Parameters<Persistence['insertMessage']>[1];

/**
 * fauxqs keeps queues on disk only through `startFauxqs({ dataDir })`, which listens on every
 * interface; `buildApp` takes the stores instead. The store classes and its SQLite persistence
 * (node:sqlite, built into Node 22: nothing to compile) are not among its package's exports: they
 * are loaded from beside its entry point (fauxqs is pinned; test/unit/local-queues.test.ts holds
 * this module to what it relies on).
 */
async function fauxqsModule<T>(path: string): Promise<T> {
  return (await import(new URL(path, import.meta.resolve('fauxqs')).href)) as T;
}

const KEY_FILE = 'message-key';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * SQS's server-side encryption, here: the SQLite file holds every message body sealed with
 * AES-256-GCM (bound to its message ID), under a random key kept beside it (mode 0600, the stand-in
 * for SSE's key). The queue API, and what fauxqs holds in memory, see the plain body, as with SSE:
 * its MD5 and size are the plain body's.
 */
class MessageSeal {
  constructor(private readonly key: Buffer) {}

  /** The key in `dir`, made on first use. */
  static in(dir: string): MessageSeal {
    const file = join(dir, KEY_FILE);
    if (!existsSync(file)) writeFileAtomically(file, randomBytes(32).toString('base64'), 0o600);
    return new MessageSeal(Buffer.from(readFileSync(file, 'utf8'), 'base64'));
  }

  seal(body: string, messageId: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.key, iv).setAAD(Buffer.from(messageId));
    const sealed = Buffer.concat([cipher.update(body, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64');
  }

  open(sealed: string, messageId: string): string {
    const bytes = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv(ALGORITHM, this.key, bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(messageId));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(`Message ${messageId} in the local queues' store cannot be opened with ${KEY_FILE}: remove the store's directory (its messages are lost) or start with --reset.`);
    }
  }
}

export interface QueueStore {
  /** For `buildApp`: empty until `restore`. */
  stores: Stores;
  /** Loads the persisted queues and messages (queue URLs naming `endpoint`, this run's), then writes every change through. */
  restore(endpoint: string): void;
  close(): void;
}

/**
 * The local queues on disk in `dir` (`fauxqs.db`, SQLite, written through on every change), so that
 * messages outlive the runtime, even a `kill -9`, as SQS's outlive a Lambda's crash: in flight ones
 * come back when their visibility timeout ends, delayed ones when their delay does.
 */
export async function openQueueStore(dir: string): Promise<QueueStore> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const [{ PersistenceManager }, { SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
    fauxqsModule<{ PersistenceManager: new (dataDir: string) => Persistence }>('./persistence.js'),
    fauxqsModule<{ SqsStore: new () => SqsStore }>('./sqs/sqsStore.js'),
    fauxqsModule<{ SnsStore: new () => Stores['snsStore'] }>('./sns/snsStore.js'),
    fauxqsModule<{ S3Store: new () => Stores['s3Store'] }>('./s3/s3Store.js'),
  ]);
  const messageSeal = MessageSeal.in(dir);

  /** The receive counts of the messages in flight, by message ID (see `updateMessageReady`). */
  const inFlight = new Map<string, { count: number; firstAt: number | undefined }>();
  class SealedPersistence extends PersistenceManager {
    constructor(dataDir: string) {
      super(dataDir);
      // fauxqs opens the file in WAL mode, where SQLite's default (FULL) syncs the disk at every
      // commit, one per message operation: 10 ms each here, the emulator's time per message doubled.
      // With NORMAL a commit is in the WAL file at once, which outlives the process (`kill -9`
      // included); only a crash of the machine itself may lose the last ones.
      (this as unknown as { db: DatabaseSync }).db.exec('PRAGMA synchronous = NORMAL');
    }

    override insertMessage(queueName: string, msg: StoredMessage): void {
      super.insertMessage(queueName, { ...msg, body: messageSeal.seal(msg.body, msg.messageId) });
    }

    override updateMessageInflight(messageId: string, receiptHandle: string, visibilityDeadline: number, receiveCount: number, firstReceiveTimestamp: number | undefined): void {
      inFlight.set(messageId, { count: receiveCount, firstAt: firstReceiveTimestamp });
      super.updateMessageInflight(messageId, receiptHandle, visibilityDeadline, receiveCount, firstReceiveTimestamp);
    }

    /**
     * fauxqs 2.4.1 writes NULL into the receive count here, a NOT NULL column: the write fails, and
     * with it a ChangeMessageVisibility to 0 (how the create worker sends a malformed message straight
     * back), the message lost from memory. Written instead as in flight with no receipt and no
     * deadline, which its load reads as ready, the counts kept for the redrive policy.
     */
    override updateMessageReady(messageId: string): void {
      const received = inFlight.get(messageId);
      inFlight.delete(messageId);
      super.updateMessageInflight(messageId, '', 0, received?.count ?? 0, received?.firstAt);
    }

    override deleteMessage(messageId: string): void {
      inFlight.delete(messageId);
      super.deleteMessage(messageId);
    }
  }

  const persistence = new SealedPersistence(dir);
  const stores: Stores = { sqsStore: new SqsStore(), snsStore: new SnsStore(), s3Store: new S3Store() };
  return {
    stores,
    restore(endpoint) {
      const { sqsStore, snsStore } = stores;
      const port = new URL(endpoint).port;
      // A queue's URL was made with an earlier run's port: it names this one's (fauxqs finds a queue by its name).
      const here = new Proxy(sqsStore, {
        get: (target, property) =>
          property === 'createQueue'
            ? (((name, url, ...rest) => target.createQueue(name, Object.assign(new URL(url), { port }).href, ...rest)) satisfies SqsStore['createQueue'])
            : Reflect.get(target, property, target),
      });
      persistence.loadSqsAndSns(here, snsStore);
      for (const queue of sqsStore.allQueues()) {
        const { ready, delayed, inflight } = queue.inspectMessages();
        for (const message of [...ready, ...delayed, ...inflight.map((entry) => entry.message)]) message.body = messageSeal.open(message.body, message.messageId);
        for (const { message } of inflight) inFlight.set(message.messageId, { count: message.approximateReceiveCount, firstAt: message.approximateFirstReceiveTimestamp });
        queue.persistence = persistence;
      }
      // Only now, as startFauxqs does: a queue created while loading would be written back, its row
      // replaced, and SQLite's cascade would delete its messages.
      sqsStore.persistence = persistence;
    },
    close: () => persistence.close(),
  };
}
