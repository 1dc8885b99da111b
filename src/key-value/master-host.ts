// The master's side of worker.shared: takes each worker's request off IPC, checks it against the limits, runs it where the values live, replies.
import type { ChannelRelay } from "../channel/master/relay.ts";
import type { AppConfig } from "../config/types.ts";
import { isAppError } from "../errors.ts";
import type { WorkerProcess } from "../master/worker-process.ts";
import { openLocalStore } from "./local-store.ts";
import type { SharedReply, SharedRequest, SharedResult } from "./protocol.ts";
import { RedisStore } from "./redis-store.ts";
import { tooBig, type SharedBackend, type SharedLimits } from "./shared-backend.ts";
import { checkIncrement, checkKey } from "./values.ts";

export const DEFAULT_SHARED_LIMITS: SharedLimits = { maxKeys: 100_000, maxValueBytes: 64 * 1024 };

export interface SharedStateHost {
  answer(request: SharedRequest): Promise<SharedReply>;
  /** A worker's call, answered to it (the supervisor's onShared option, which master.ts points here). */
  fromWorker(request: SharedRequest, from: WorkerProcess): void;
  stop(): void;
}

/**
 * With cluster.redis the values live in Redis, through the channel's own link (its heartbeat and pending-bytes cap);
 * otherwise in the master's store, opened at the first call so that a start without worker.shared pays nothing.
 */
export function startSharedState(config: AppConfig, channel: ChannelRelay): SharedStateHost {
  const limits = config.shared ?? DEFAULT_SHARED_LIMITS;
  let backend: SharedBackend | null = null;
  const open = (): SharedBackend =>
    (backend ??= channel.cluster
      ? new RedisStore(channel.cluster.link, config.name, limits)
      : openLocalStore(config.dataDir, limits, (line) => console.warn(line)));
  const host: SharedStateHost = {
    answer: (request) => answer(open, limits, request),
    fromWorker: (request, from) => void host.answer(request).then((reply) => from.send({ type: "shared", reply })),
    stop: () => backend?.close(),
  };
  // Not in the master's shutdown: every call is a committed transaction, so closing at exit only tidies the WAL.
  process.once("exit", () => host.stop());
  return host;
}

async function answer(open: () => SharedBackend, limits: SharedLimits, request: SharedRequest): Promise<SharedReply> {
  const { sid } = request;
  let where = "the master's store";
  try {
    const backend = open();
    where = backend.where;
    return { sid, ok: true, value: await run(backend, limits, request) };
  } catch (err) {
    if (isAppError(err)) return { sid, ok: false, code: err.code, error: err.message, field: err.field };
    return { sid, ok: false, code: "E_UNAVAILABLE", error: `worker.shared: ${where} failed: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** A worker's own checks are repeated: the master is where the limits hold. */
function run(backend: SharedBackend, limits: SharedLimits, request: SharedRequest): Promise<SharedResult> {
  const key = checkKey(request.key, request.op);
  switch (request.op) {
    case "get":
      return backend.get(key);
    case "set":
      checkSize(request.value, limits);
      return backend.set(key, request.value, validTtl(request.ttlMs)).then(() => null);
    case "incr":
      return backend.incr(key, checkIncrement(request.by));
    case "delete":
      return backend.delete(key);
    case "cas":
      checkSize(request.value, limits);
      return backend.cas(key, request.expected, request.value, validTtl(request.ttlMs));
  }
}

function checkSize(value: string, limits: SharedLimits): void {
  if (typeof value !== "string") throw new TypeError("the value is not JSON text");
  // Length first: a string's UTF-8 size is at most 3 bytes per UTF-16 unit, so most values skip the count.
  if (value.length * 3 <= limits.maxValueBytes) return;
  const bytes = Buffer.byteLength(value);
  if (bytes > limits.maxValueBytes) throw tooBig(bytes, limits.maxValueBytes);
}

function validTtl(ttlMs: number | undefined): number | undefined {
  return typeof ttlMs === "number" && Number.isFinite(ttlMs) && ttlMs > 0 ? Math.ceil(ttlMs) : undefined;
}
