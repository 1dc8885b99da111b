// Both ends of one worker process's restart asked over the command bus (the Cluster view's Restart on another instance's row).
import type { CommandBus } from "./command-bus.ts";

const ANSWER_MS = 5000;

export async function restartRemote(bus: CommandBus, instance: string, pid: number): Promise<void> {
  const rid = bus.newRid();
  const { promise, resolve, reject } = Promise.withResolvers<void>();
  const timer = setTimeout(() => reject(new Error(`no answer in ${ANSWER_MS / 1000} s from ${instance}`)), ANSWER_MS);
  const stop = bus.expect(rid, (body) => (body.phase === "restarting" ? resolve() : reject(new Error(`refused: ${String(body.error)}`))));
  if (!bus.send(instance, "restart-process", { rid, pid })) reject(new Error("the command could not be sent: Redis is unavailable"));
  try {
    await promise;
  } finally {
    clearTimeout(timer);
    stop();
  }
}

export function answerRestart(
  bus: CommandBus,
  restart: ((pid: number) => boolean) | null,
  from: string,
  body: Record<string, unknown>,
  audit: (result: string) => void,
): void {
  const pid = Number(body.pid);
  const ok = Number.isInteger(pid) && pid > 0 && (restart?.(pid) ?? false);
  const error = restart ? `no current worker process ${String(body.pid)}` : "the master is still starting";
  audit(ok ? `ok: pid ${pid}` : `refused: ${error}`);
  bus.send(from, "reply", { rid: String(body.rid), ...(ok ? { phase: "restarting" } : { phase: "refused", error }) });
}
