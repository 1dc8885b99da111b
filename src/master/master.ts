// The master process: validates the config, binds what must be shared, starts the supervisor and the admin plane, waits for a stop.
import { closeSync, rmSync } from "node:fs";
import { startAdminPlane, type AdminPlane } from "../admin/server.ts";
import { ensureToken } from "../admin/token.ts";
import { startChannelRelay } from "../channel/relay.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { openStore } from "../store/master-store.ts";
import { startRecorder } from "../store/recorder.ts";
import { VERSION } from "../version.ts";
import { logEvent } from "./console-log.ts";
import { daemonLog } from "./daemon.ts";
import { EventGate } from "./event-gate.ts";
import { installSignals } from "./signals.ts";
import { withResolvedPorts } from "./resolve-ports.ts";
import { claimRuntimeFile, dataDirError, prepareDataDir, removeRuntimeFile, writeRuntimeFile } from "./runtime-file.ts";
import { startTable } from "./start-table.ts";
import { buildStatus, readTcpMigrateReq } from "./status.ts";
import { Supervisor } from "./supervisor.ts";
import { bindUnixSocket } from "./unix-socket.ts";

export async function runMaster(configPath: string): Promise<number> {
  const config = await withResolvedPorts(await loadConfig(configPath));
  prepareDataDir(config.dataDir);
  const daemon = daemonLog(config);
  claimRuntimeFile(config.dataDir);
  const startedAt = Date.now();
  const tcpMigrateReq = readTcpMigrateReq();
  if (tcpMigrateReq === 0) {
    console.warn("warning: net.ipv4.tcp_migrate_req is 0: a reload resets connections waiting in an old listener's queue. Fix: sysctl -w net.ipv4.tcp_migrate_req=1");
  }

  const listenFds = await bindUnixSockets(config);
  const log = daemon ? (line: string) => daemon.write(line) : writeLine;
  const supervisor = new Supervisor({ config, listenFds, log });
  // The log, the store and the live feed all read events through the gate, which bounds what a stranger can repeat.
  const events = new EventGate(supervisor);
  events.on(logEvent);
  const channel = startChannelRelay(config, supervisor);
  const stopRequested = Promise.withResolvers<boolean>();
  const requestStop = (graceful: boolean) => stopRequested.resolve(graceful);
  const status = () => buildStatus(config, supervisor, startedAt, tcpMigrateReq);
  // Before supervisor.start(), so the first process events are recorded; a store that cannot open only reports it.
  const store = openStore(config.dataDir, config.store);
  const recorder = startRecorder(store, { processes: () => status().processes, subscribe: (listener) => events.on(listener) });
  // The config the master runs now. The reload code calls configApplied once it applies a new one: /api/config
  // (which `diff` reads) and the config history follow it.
  let running = config;
  const configApplied = (next: AppConfig, who: string) => {
    running = next;
    store.configs.record(next, who);
  };
  configApplied(config, "start");
  let admin: AdminPlane | undefined;
  const reload = (graceful: boolean) => {
    try {
      supervisor.reload({ graceful });
    } catch (err) {
      console.error(`reload refused: ${(err as Error).message}`);
    }
  };
  const signals = installSignals({ stop: requestStop, reload });
  const shutdown = async (graceful: boolean) => {
    await supervisor.stop(graceful);
    events.stop();
    await channel.stop();
    admin?.stop();
    recorder.stop();
    store.close();
    signals.remove();
    for (const fd of listenFds.values()) closeSync(fd);
    for (const group of config.workers) if (group.listen.path) rmSync(group.listen.path, { force: true });
    removeRuntimeFile(config.dataDir);
  };

  try {
    const token = ensureToken(config);
    admin = startAdminPlane({ get config() { return running; }, supervisor, token: token.token, status, requestStop, store, events });
    const runtimeInfo = { pid: process.pid, adminUrl: admin.url, configPath: config.configPath, startedAt, version: VERSION, ready: false };
    writeRuntimeFile(config.dataDir, runtimeInfo);
    if (token.created) console.log(`created the admin token at ${token.path} (mode 0600)`);
    const started = await Promise.race([supervisor.start().then(() => true), stopRequested.promise.then(() => false)]);
    if (started) {
      writeRuntimeFile(config.dataDir, { ...runtimeInfo, ready: true });
      console.log(startTable(status(), admin.url, token.path, daemon !== null));
    }
  } catch (err) {
    // The first error is the one to report: a cleanup that fails too (same broken disk) only warns.
    await shutdown(false).catch((cleanup) => console.warn(`warning: cleanup after the failed start also failed: ${(cleanup as Error).message}`));
    throw dataDirError(config.dataDir, err) ?? err;
  }

  const graceful = await stopRequested.promise;
  console.log(graceful ? "stopping gracefully: waiting for connections to end" : "stopping");
  await shutdown(graceful);
  console.log("stopped");
  return 0;
}

async function bindUnixSockets(config: AppConfig): Promise<Map<string, number>> {
  const fds = new Map<string, number>();
  for (const [i, group] of config.workers.entries()) {
    if (group.listen.scheme !== "unix" || !group.listen.path) continue;
    fds.set(group.name, await bindUnixSocket(group.listen.path, group.socketMode, `workers[${i}].listen`));
  }
  return fds;
}

function writeLine(line: string, stream: "stdout" | "stderr"): void {
  (stream === "stderr" ? process.stderr : process.stdout).write(line + "\n");
}
