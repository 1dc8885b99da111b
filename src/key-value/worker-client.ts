// worker.shared in a worker process: each call is a request to the master over IPC, answered or failed within a bound.
import { AppError, type ErrorCode } from "../errors.ts";
import type { WorkerToMaster } from "../ipc.ts";
import type { SharedOp, SharedReply, SharedResult } from "./protocol.ts";
import type { Shared, SharedSetOptions } from "./types.ts";
import { checkIncrement, checkKey, decodeValue, encodeValue, ttlMs } from "./values.ts";

/**
 * The master answers within its own bound (Redis commands time out at 2 s): past this, it is stopped, hung or gone,
 * and the call fails instead of waiting.
 */
export const SHARED_CALL_TIMEOUT_MS = 5000;
/** Calls waiting for the master at once in one process: past it a call fails at once (a loop that never awaits). */
export const MAX_PENDING_CALLS = 10_000;

interface Pending {
  resolve: (value: SharedResult) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class SharedClient implements Shared {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  constructor(
    /** false: not sent (the IPC queue is past its cap, or the master is gone). */
    private readonly send: (message: WorkerToMaster) => boolean,
    private readonly timeoutMs = SHARED_CALL_TIMEOUT_MS,
  ) {}

  async get<T = unknown>(key: string): Promise<T | undefined> {
    const text = await this.#call({ op: "get", key: checkKey(key, "get") });
    return decodeValue<T>(text as string | null);
  }

  async set(key: string, value: unknown, options?: SharedSetOptions): Promise<void> {
    checkKey(key, "set");
    await this.#call({ op: "set", key, value: encodeValue(value, "set"), ttlMs: ttlMs(options, "set") });
  }

  async incr(key: string, by: number = 1): Promise<number> {
    checkKey(key, "incr");
    return (await this.#call({ op: "incr", key, by: checkIncrement(by) })) as number;
  }

  async delete(key: string): Promise<boolean> {
    return (await this.#call({ op: "delete", key: checkKey(key, "delete") })) as boolean;
  }

  async compareAndSet(key: string, expected: unknown, value: unknown, options?: SharedSetOptions): Promise<boolean> {
    checkKey(key, "compareAndSet");
    const want = expected === undefined ? null : encodeValue(expected, "compareAndSet");
    const op: SharedOp = { op: "cas", key, expected: want, value: encodeValue(value, "compareAndSet"), ttlMs: ttlMs(options, "compareAndSet") };
    return (await this.#call(op)) as boolean;
  }

  /** The master's answer to one of this process's calls. */
  receive(reply: SharedReply): void {
    const pending = this.#pending.get(reply.sid);
    if (!pending) return; // timed out already
    this.#pending.delete(reply.sid);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(new AppError(reply.code as ErrorCode, reply.error, { field: reply.field }));
  }

  get pendingCalls(): number {
    return this.#pending.size;
  }

  #call(op: SharedOp): Promise<SharedResult> {
    const name = op.op === "cas" ? "compareAndSet" : op.op;
    if (this.#pending.size >= MAX_PENDING_CALLS) {
      return Promise.reject(
        new AppError("E_LIMIT", `worker.shared.${name}: ${MAX_PENDING_CALLS} calls of this process already wait for the master; await some first`),
      );
    }
    const sid = this.#nextId++;
    const { promise, resolve, reject } = Promise.withResolvers<SharedResult>();
    if (!this.send({ type: "shared", request: { ...op, sid } })) {
      return Promise.reject(
        new AppError("E_UNAVAILABLE", `worker.shared.${name}: the master cannot be reached (gone, or its IPC queue is full); try again later`),
      );
    }
    const timer = setTimeout(() => {
      this.#pending.delete(sid);
      reject(new AppError("E_UNAVAILABLE", `worker.shared.${name}: the master did not answer within ${this.timeoutMs} ms (stopped or overloaded)`));
    }, this.timeoutMs);
    this.#pending.set(sid, { resolve, reject, timer });
    return promise;
  }
}
