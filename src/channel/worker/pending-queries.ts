// A worker's channel questions to the master, each waiting for its answer or failing in bounded time.
import { AppError } from "../../errors.ts";
import { IPC_QUEUE_CAP_BYTES } from "../../ipc-outbox.ts";
import type { Query, QueryValue, RelayToWorker, WorkerToRelay } from "../protocol.ts";

const QUERY_TIMEOUT_MS = 5000;

interface Pending {
  resolve: (value: QueryValue) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingQueries {
  readonly #pending = new Map<number, Pending>();
  #next = 1;

  /** `send` false: the queue to the master refused the question, which then fails at once, naming the limit. */
  ask(q: Query, send: (message: WorkerToRelay) => boolean): Promise<QueryValue> {
    const qid = this.#next++;
    const { promise, resolve, reject } = Promise.withResolvers<QueryValue>();
    const timer = setTimeout(() => {
      this.#pending.delete(qid);
      reject(new Error(`channel: no answer from the master in ${QUERY_TIMEOUT_MS / 1000} s`));
    }, QUERY_TIMEOUT_MS);
    this.#pending.set(qid, { resolve, reject, timer });
    if (!send({ op: "q", qid, q })) {
      clearTimeout(timer);
      this.#pending.delete(qid);
      reject(new AppError("E_LIMIT", `channel: ${q.what} not asked: the queue to the master is full (${IPC_QUEUE_CAP_BYTES / 1048576} MiB unread)`));
    }
    return promise;
  }

  answer(message: Extract<RelayToWorker, { op: "a" }>): void {
    const pending = this.#pending.get(message.qid);
    if (!pending) return;
    this.#pending.delete(message.qid);
    clearTimeout(pending.timer);
    if (message.error) pending.reject(new Error(message.error));
    else pending.resolve(message.value);
  }
}
