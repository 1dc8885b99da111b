// The worker process: loads the handler, starts the listener, reports to the master, drains when told to stop (or parks).
import type { WorkerGroupConfig } from "../config/types.ts";
import { isAppError } from "../errors.ts";
import { EXIT_CONFIG, type MasterToWorker, type WorkerLaunch, type WorkerToMaster } from "../ipc.ts";
import { setProcessTitle, workerTitle } from "../process-title.ts";
import { registerPublicModule } from "../public-module.ts";
import type { ListenerFactory } from "./listener.ts";
import { ListenerLifecycle } from "./listener-lifecycle.ts";
import { errorPosition, loadErrors } from "./error-position.ts";
import { LaunchInbox } from "./launch-inbox.ts";
import { loadHandler } from "./load-handler.ts";
import { sendToMaster } from "./master-outbox.ts";
import { dieWithParent } from "./parent-death.ts";
import { answerQuery } from "./master-queries.ts";
import { WorkerRuntime } from "./runtime.ts";
import { traceStart } from "../start-trace.ts";

/** Only the group's own kind is loaded: a worker's start does not pay for the other four (udp's node:dgram, http's static files). */
const LISTENERS: Record<WorkerGroupConfig["listen"]["scheme"], () => Promise<ListenerFactory>> = {
  http: async () => (await import("./listeners/http.ts")).createHttpListener,
  websocket: async () => (await import("./listeners/websocket.ts")).createWebSocketListener,
  tcp: async () => (await import("./listeners/tcp.ts")).createTcpListener,
  text: async () => (await import("./listeners/tcp.ts")).createTcpListener,
  frame: async () => (await import("./listeners/tcp.ts")).createTcpListener,
  udp: async () => (await import("./listeners/udp.ts")).createUdpListener,
  unix: async () => (await import("./listeners/unix.ts")).createUnixListener,
};

const STATS_INTERVAL_MS = 1000;

function toMaster(message: WorkerToMaster): boolean {
  return sendToMaster(message);
}

export async function runWorker(): Promise<number> {
  traceStart("worker", "worker modules loaded");
  // Before any wait: an early worker whose master dies while it waits for its launch must go too.
  exitWithMaster();
  // Ctrl+C reaches the whole process group: the master alone decides when and how workers stop.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const) process.on(signal, () => {});
  const inbox = new LaunchInbox();
  let launch: WorkerLaunch | null;
  try {
    launch = await inbox.launch();
  } catch (err) {
    return launchFailed(err);
  }
  if (!launch) return 0;
  traceStart("worker", "launch config received");
  return serve(launch, inbox);
}

/** Builds the runtime for `launch`, loads the handler, listens and reports ready; resolves with the exit code. */
async function serve(launch: WorkerLaunch, inbox: LaunchInbox): Promise<number> {
  const config = launch.group;
  setProcessTitle(workerTitle(config.name, launch.index, launch.generation));
  const runtime = new WorkerRuntime({ config, index: launch.index, generation: launch.generation }, toMaster);
  process.on("uncaughtException", (err) => runtime.reportError("uncaughtException", null, err));
  process.on("unhandledRejection", (err) => runtime.reportError("unhandledRejection", null, err));

  let stats: ReturnType<typeof setInterval> | undefined;
  const stopped = Promise.withResolvers<number>();
  const lifecycle = new ListenerLifecycle(runtime, launch, toMaster, (err) => stopped.resolve(fatal(err)));
  // Listen for the master from the start: a stop can come while the handler is still starting.
  inbox.open(
    fromMaster(runtime, lifecycle, () => {
      clearInterval(stats);
      toMaster({ type: "stats", counters: runtime.snapshot() });
      stopped.resolve(0);
    }),
  );

  try {
    registerPublicModule(runtime);
    // Loaded while the handler module is read and transpiled.
    const factory = LISTENERS[config.listen.scheme]();
    factory.catch(() => {});
    runtime.setApp(await loadHandler(config));
    traceStart("worker", "handler imported");
    const start = runtime.app.onWorkerStart;
    if (start) await start.call(runtime.app, runtime);
    if (lifecycle.stopAsked) return 0;
    const created = await (await factory)(runtime);
    runtime.listening(await created.start());
    traceStart("worker", "listening");
    lifecycle.serving(created);
  } catch (err) {
    return fatal(err);
  }

  toMaster({ type: "ready", listen: runtime.listen });
  traceStart("worker", "ready sent");
  runtime.traffic.start();
  stats = setInterval(() => toMaster({ type: "stats", counters: runtime.snapshot() }), STATS_INTERVAL_MS);
  return stopped.promise;
}

/** What the worker does with each message from the master once its runtime is built; `drained` ends the process. */
function fromMaster(runtime: WorkerRuntime, lifecycle: ListenerLifecycle, drained: () => void) {
  return async (message: MasterToWorker) => {
    if (message.type === "launch") return;
    if (message.type === "channel") return runtime.channel.receive(message.payload);
    if (message.type === "shared") return runtime.shared.receive(message.reply);
    if (message.type === "health-check") return toMaster(await healthCheck(runtime, message.requestId));
    if (message.type === "park") return lifecycle.park(message.graceful);
    if (message.type === "unpark") return lifecycle.unpark();
    if (message.type !== "stop") return toMaster(answerQuery(runtime, message));
    const stopping = lifecycle.stop(message.graceful, message.reason);
    if (!stopping) return;
    await stopping;
    drained();
  };
}

/** The handler's own verdict for the reload's health gate: only `true` passes; no hook passes. */
async function healthCheck(runtime: WorkerRuntime, requestId: number): Promise<WorkerToMaster> {
  const hook = runtime.app.onHealthCheck;
  if (!hook) return { type: "reply", requestId, ok: true, data: true };
  try {
    const verdict = await hook.call(runtime.app, runtime);
    return {
      type: "reply",
      requestId,
      ok: true,
      data: verdict === true,
      error: verdict === true ? undefined : `onHealthCheck returned ${JSON.stringify(verdict) ?? "undefined"}`,
    };
  } catch (err) {
    return { type: "reply", requestId, ok: true, data: false, error: `onHealthCheck threw: ${(err as Error)?.message ?? String(err)}` };
  }
}

/** No launch config in time, or one this build cannot read: one line saying so (told to the master too), exit 1. */
function launchFailed(err: unknown): number {
  const message = isAppError(err) ? err.toString() : String(err);
  console.error(message);
  toMaster({ type: "fatal", code: isAppError(err) ? err.code : "E_INTERNAL", message, detail: message });
  return 1;
}

function fatal(err: unknown): number {
  const error = err instanceof Error ? err : new Error(String(err));
  const code = isAppError(err) ? err.code : "E_HANDLER";
  const message = isAppError(err) ? err.toString() : `E_HANDLER: ${error.message}`;
  // Bun's BuildMessage and ResolveMessage are not Error instances: read their message and position directly.
  const cause = (isAppError(err) && err.cause !== undefined ? err.cause : err) as { message?: string; stack?: string };
  const errors = loadErrors(cause).map((one) => ({ message: one.message, position: one.position ?? undefined }));
  const position = errors[0]!.position ?? errorPosition(cause) ?? undefined;
  const where = errors.map((one) => (one.position ? `${one.position.file}:${one.position.line}:${one.position.column}\n  ${one.position.lineText}\n` : ""));
  console.error(where.join("") + message + (cause.stack ? `\n${cause.stack}` : ""));
  const detail = errors.length > 1 ? errors[0]!.message : String(cause.message ?? error.message);
  toMaster({ type: "fatal", code, message, stack: cause.stack, position, detail, errors: errors.length > 1 ? errors : undefined });
  return code === "E_CONFIG" ? EXIT_CONFIG : 1;
}

/** No orphans: when the master goes, even by kill -9, this process goes too (by the kernel's parent-death signal). */
function exitWithMaster(): void {
  const parent = process.ppid;
  process.on("disconnect", () => process.exit(0));
  const watched = dieWithParent(parent);
  if (watched === "orphaned") process.exit(0);
  if (watched === "armed") return;
  // Without prctl (not Linux): a check in this loop, which a loop stuck in user code never runs.
  setInterval(() => {
    if (process.ppid !== parent) process.exit(0);
  }, 500).unref();
}
