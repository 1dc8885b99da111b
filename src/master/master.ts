// The master process: validates the config, binds what must be shared, starts the supervisor and the admin plane, waits for a stop.
import { closeSync, mkdirSync, rmSync } from "node:fs";
import { createAdminApp } from "../admin/app.ts";
import { ensureToken } from "../admin/token.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { AppError } from "../errors.ts";
import { VERSION } from "../version.ts";
import { installSignals } from "./signals.ts";
import { withResolvedPorts } from "./resolve-ports.ts";
import { claimRuntimeFile, removeRuntimeFile, writeRuntimeFile } from "./runtime-file.ts";
import { startTable } from "./start-table.ts";
import { buildStatus, readTcpMigrateReq } from "./status.ts";
import { Supervisor, type SupervisorEvent } from "./supervisor.ts";
import { bindUnixSocket } from "./unix-socket.ts";

export async function runMaster(configPath: string): Promise<number> {
  const config = await withResolvedPorts(await loadConfig(configPath));
  mkdirSync(config.dataDir, { recursive: true });
  claimRuntimeFile(config.dataDir);
  const startedAt = Date.now();
  const tcpMigrateReq = readTcpMigrateReq();
  if (tcpMigrateReq === 0) {
    console.warn("warning: net.ipv4.tcp_migrate_req is 0: a reload resets connections waiting in an old listener's queue. Fix: sysctl -w net.ipv4.tcp_migrate_req=1");
  }

  const listenFds = await bindUnixSockets(config);
  const cleanup = () => {
    for (const fd of listenFds.values()) closeSync(fd);
    for (const group of config.workers) if (group.listen.path) rmSync(group.listen.path, { force: true });
    removeRuntimeFile(config.dataDir);
  };

  const supervisor = new Supervisor({ config, listenFds, log: writeLine, onEvent: logEvent });
  const token = ensureToken(config);
  const status = () => buildStatus(config, supervisor, startedAt, tcpMigrateReq);
  let admin: ReturnType<typeof Bun.serve>;
  try {
    admin = Bun.serve({ hostname: config.admin.host, port: config.admin.port, fetch: createAdminApp({ token: token.token, status }).fetch });
  } catch (err) {
    cleanup();
    throw new AppError("E_LISTEN", `admin plane cannot listen on ${config.admin.host}:${config.admin.port}: ${(err as Error).message}`, { field: "admin.listen" });
  }
  const adminUrl = `http://${config.admin.host.includes(":") ? `[${config.admin.host}]` : config.admin.host}:${admin.port}`;
  writeRuntimeFile(config.dataDir, { pid: process.pid, adminUrl, configPath: config.configPath, startedAt, version: VERSION });
  if (token.created) console.log(`created the admin token at ${token.path} (mode 0600)`);

  const stopRequested = Promise.withResolvers<boolean>();
  const signals = installSignals({ stop: (graceful) => stopRequested.resolve(graceful) });
  try {
    await Promise.race([supervisor.start(), stopRequested.promise]);
  } catch (err) {
    await supervisor.stop(false);
    admin.stop(true);
    signals.remove();
    cleanup();
    throw err;
  }
  if (!supervisor.stopping) console.log(startTable(status(), adminUrl, token.path));

  const graceful = await stopRequested.promise;
  console.log(graceful ? "stopping gracefully: waiting for connections to end" : "stopping");
  await supervisor.stop(graceful);
  admin.stop(true);
  signals.remove();
  cleanup();
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

function logEvent(event: SupervisorEvent): void {
  if (event.type !== "process-exited" || event.expected) return;
  const how = event.signal ? `signal ${event.signal}` : `code ${event.code}`;
  console.error(`worker ${event.group}#${event.index} (pid ${event.pid}) exited with ${how}; restarting in ${event.restartInMs} ms`);
}
