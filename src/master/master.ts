// The master process: validates the config, binds what must be shared, starts the supervisor and the admin plane, waits for a stop.
import { closeSync } from "node:fs";
import { startAdminPlane, type AdminPlane } from "../admin/server.ts";
import { ensureToken } from "../admin/token.ts";
import { startChannelRelay } from "../channel/relay.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import { openStore } from "../store/master-store.ts";
import { startRecorder } from "../store/recorder.ts";
import { VERSION } from "../version.ts";
import { logEvent } from "./console-log.ts";
import { masterTitle, setProcessTitle } from "../process-title.ts";
import { daemonLog } from "./daemon.ts";
import { dataDirModeWarning } from "./data-dir-mode.ts";
import { EventGate } from "./event-gate.ts";
import { RecentLog } from "./recent-log.ts";
import { installSignals } from "./signals.ts";
import { withResolvedPorts } from "./resolve-ports.ts";
import { claimRuntimeFile, dataDirError, prepareDataDir, removeRuntimeFile, writeRuntimeFile } from "./runtime-file.ts";
import { startTable } from "./start-table.ts";
import { terminalOutput } from "./terminal-output.ts";
import { buildStatus, readTcpMigrateReq } from "./status.ts";
import { Supervisor } from "./supervisor.ts";
import { isAppError } from "../errors.ts";
import { traceStart } from "../start-trace.ts";
import { reloadFromConfigFile, type ConfigReloadOptions } from "./config-reload.ts";
import {
  claimRestart,
  drainPredecessor,
  findPredecessor,
  keepResolvedPorts,
  readyForTakeover,
  replacedBySuccessor,
  takeoverFromEnv,
  type Predecessor,
} from "./takeover.ts";
import { bindGroupSocket, moveInto, removeOwnSocketFile, type BoundSocket } from "./unix-socket.ts";

export interface MasterOptions {
  /** restart: the pid of the running master this one replaces once its own workers are ready. */
  takeoverFrom?: number;
}

/** Loads the config, takes the data directory and the console, and (restart) finds the master to replace. */
async function prepareMaster(configPath: string, options: MasterOptions) {
  const takeoverFrom = options.takeoverFrom ?? takeoverFromEnv();
  const loaded = await loadConfig(configPath);
  traceStart("master", "config loaded");
  prepareDataDir(loaded.dataDir);
  traceStart("master", "data dir probed");
  setProcessTitle(masterTitle(loaded.name));
  const daemon = daemonLog(loaded);
  const recentLog = new RecentLog();
  recentLog.captureConsole();
  const openDataDir = dataDirModeWarning(loaded.dataDir);
  if (openDataDir) console.warn(openDataDir);
  traceStart("master", "console captured, mode checked");
  const releaseRestart = takeoverFrom === undefined ? () => {} : claimRestart(loaded.dataDir);
  try {
    const predecessor = takeoverFrom === undefined ? null : await findPredecessor(loaded, takeoverFrom);
    const config = await withResolvedPorts(predecessor ? keepResolvedPorts(loaded, predecessor.config) : loaded);
    traceStart("master", "takeover checked, ports resolved");
    claimRuntimeFile(config.dataDir, predecessor?.pid);
    const tcpMigrateReq = readTcpMigrateReq();
    traceStart("master", "runtime file claimed, tcp_migrate_req read");
    if (tcpMigrateReq === 0) {
      console.warn(
        "warning: net.ipv4.tcp_migrate_req is 0: a reload resets connections waiting in an old listener's queue. Fix: sysctl -w net.ipv4.tcp_migrate_req=1",
      );
    }
    return { config, daemon, recentLog, predecessor, tcpMigrateReq, releaseRestart };
  } catch (err) {
    releaseRestart();
    throw err;
  }
}

type Prepared = Awaited<ReturnType<typeof prepareMaster>>;
type Master = Awaited<ReturnType<typeof assembleMaster>>;
interface ShutdownParts {
  config: AppConfig;
  supervisor: Supervisor;
  events: EventGate;
  channel: ReturnType<typeof startChannelRelay>;
  stopAdmin: () => void;
  recorder: ReturnType<typeof startRecorder>;
  store: ReturnType<typeof openStore>;
  signals: ReturnType<typeof installSignals>;
  sockets: Map<string, BoundSocket>;
  releaseRestart: () => void;
}

export async function runMaster(configPath: string, options: MasterOptions = {}): Promise<number> {
  const prepared = await prepareMaster(configPath, options);
  const master = await assembleMaster(prepared);
  try {
    await startServing(master, prepared);
  } catch (err) {
    // The first error is the one to report: a cleanup that fails too (same broken disk) only warns.
    await master.shutdown(false).catch((cleanup) => console.warn(`warning: cleanup after the failed start also failed: ${(cleanup as Error).message}`));
    throw dataDirError(prepared.config.dataDir, err) ?? err;
  }
  const graceful = await master.stopRequested.promise;
  console.log(graceful ? "stopping gracefully: waiting for connections to end" : "stopping");
  await master.shutdown(graceful);
  console.log("stopped");
  prepared.daemon?.close();
  return 0;
}

/** Builds the master's parts (supervisor, event gate, channel relay, store, reload) and the shutdown that undoes them. */
async function assembleMaster({ config, daemon, recentLog, predecessor, tcpMigrateReq, releaseRestart }: Prepared) {
  const startedAt = Date.now();
  const sockets = await bindUnixSockets(config, predecessor !== null);
  traceStart("master", "unix sockets bound");
  const listenFds = new Map([...sockets].map(([name, socket]) => [name, socket.fd]));
  const log = recentLog.tee(daemon ? (line: string) => daemon.write(line) : terminalOutput());
  const supervisor = new Supervisor({ config, listenFds, log, groupRemoved: (name) => closeGroupSocket(sockets, listenFds, name) });
  // The log, the store and the live feed all read events through the gate, which bounds what a stranger can repeat.
  const events = new EventGate(supervisor);
  events.on(logEvent);
  const channel = startChannelRelay(config, supervisor);
  traceStart("master", "supervisor, event gate, channel relay built");
  const stopRequested = Promise.withResolvers<boolean>();
  const requestStop = (graceful: boolean) => stopRequested.resolve(graceful);
  const status = () => buildStatus(supervisor.config, supervisor, startedAt, tcpMigrateReq, () => channel.status());
  // Before supervisor.start(), so the first process events are recorded; a store that cannot open only reports it.
  const store = openStore(config.dataDir, config.store);
  traceStart("master", "store opened");
  const recorder = startRecorder(store, { processes: () => status().processes, subscribe: (listener) => events.on(listener) });
  traceStart("master", "recorder started");
  // The config the master runs now. The reload code calls configApplied once it applies a new one: /api/config
  // (which `diff` and `restart` read) and the config history follow it.
  let running = config;
  const configApplied = (next: AppConfig, who: string) => {
    running = next;
    store.configs.record(next, who);
  };
  configApplied(config, predecessor ? "restart" : "start");
  traceStart("master", "config history written");
  const plane: { admin?: AdminPlane } = {};
  const stopAdmin = () => {
    plane.admin?.stop();
    plane.admin = undefined;
  };
  // Every reload re-reads app.json (src/master/config-reload.ts): signals, the API and the CLI alike.
  const reloadFromFile = (options: ConfigReloadOptions) => reloadFromConfigFile(supervisor, options, configApplied);
  const reload = (graceful: boolean) => {
    reloadFromFile({ graceful, who: "signal" }).catch((err) => console.error(`reload refused: ${isAppError(err) ? err.toString() : (err as Error).message}`));
  };
  const signals = installSignals({ stop: requestStop, reload });
  const shutdown = shutdownOf({ config, supervisor, events, channel, stopAdmin, recorder, store, signals, sockets, releaseRestart });
  // A getter, not a copy: the admin plane must see the config a reload applies.
  const adminContext = (token: string) => ({
    get config() {
      return running;
    },
    supervisor,
    token,
    status,
    requestStop,
    store,
    events,
    reload: reloadFromFile,
    logs: recentLog,
    channel,
  });
  return { startedAt, sockets, supervisor, status, plane, adminContext, stopRequested, shutdown };
}

/** Undoes what assembleMaster built, in order: processes first, then the admin plane, the store and the files. */
function shutdownOf(parts: ShutdownParts) {
  const { config, supervisor, events, channel, stopAdmin, recorder, store, signals, sockets, releaseRestart } = parts;
  return async (graceful: boolean) => {
    // Replaced by a restart: the successor shares the admin port, so leave it every request at once.
    if (replacedBySuccessor(config.dataDir)) stopAdmin();
    await supervisor.stop(graceful);
    events.stop();
    await channel.stop();
    stopAdmin();
    recorder.stop();
    store.close();
    signals.remove();
    closeSockets(sockets);
    removeRuntimeFile(config.dataDir);
    releaseRestart();
  };
}

/** Opens the admin plane, starts the workers (or, on restart, waits to take over), then tells control commands where it is. */
async function startServing(master: Master, { config, daemon, predecessor, releaseRestart }: Prepared): Promise<void> {
  const { supervisor, status, plane, stopRequested } = master;
  const token = ensureToken(config);
  traceStart("master", "token read");
  const admin = (plane.admin = startAdminPlane(master.adminContext(token.token), { sharePort: predecessor !== null }));
  traceStart("master", "admin plane listening");
  const runtimeInfo = { pid: process.pid, adminUrl: admin.url, configPath: config.configPath, startedAt: master.startedAt, version: VERSION, ready: false };
  // A restart leaves the old master's runtime file in place until it takes over: control commands keep finding the master that serves.
  if (!predecessor) writeRuntimeFile(config.dataDir, runtimeInfo);
  traceStart("master", "runtime file written");
  if (token.created) console.log(`created the admin token at ${token.path} (mode 0600)`);
  const ready = predecessor ? readyForTakeover(supervisor, predecessor.pid) : supervisor.start();
  traceStart("master", "workers spawned");
  const started = await Promise.race([ready.then(() => true), stopRequested.promise.then(() => false)]);
  if (!started) return;
  traceStart("master", "workers ready");
  if (predecessor) takeOver(predecessor, master.sockets);
  // Last, after a restart's sockets moved: from here control commands find this master.
  writeRuntimeFile(config.dataDir, { ...runtimeInfo, ready: true });
  releaseRestart();
  console.log(startTable(status(), admin.url, token.path, daemon !== null));
  traceStart("master", "start table printed");
  if (predecessor) void drainPredecessor(predecessor.pid, (line) => console.log(line));
}

/** The new master's workers are ready beside the old ones: unix sockets are renamed over the old paths (TCP and UDP share by reusePort). */
function takeOver(predecessor: Predecessor, sockets: Map<string, BoundSocket>): void {
  for (const socket of sockets.values()) moveInto(socket);
  console.log(`the new master is ready beside master pid ${predecessor.pid}`);
}

async function bindUnixSockets(config: AppConfig, beside: boolean): Promise<Map<string, BoundSocket>> {
  const sockets = new Map<string, BoundSocket>();
  try {
    for (const [i, group] of config.workers.entries()) {
      if (group.listen.scheme !== "unix" || !group.listen.path) continue;
      sockets.set(group.name, await bindGroupSocket(group.listen.path, group.socketMode, `workers[${i}].listen`, beside));
    }
  } catch (err) {
    closeSockets(sockets);
    throw err;
  }
  return sockets;
}

function closeSockets(sockets: Map<string, BoundSocket>): void {
  for (const socket of sockets.values()) closeSocket(socket);
  sockets.clear();
}

/** A reload removed a unix:// group: nothing accepts on its socket any more, so no client may queue there. */
function closeGroupSocket(sockets: Map<string, BoundSocket>, listenFds: Map<string, number>, name: string): void {
  const socket = sockets.get(name);
  if (!socket) return;
  sockets.delete(name);
  listenFds.delete(name);
  closeSocket(socket);
}

/** The workers keep their own copies of the descriptor until they exit; the file goes at once. */
function closeSocket(socket: BoundSocket): void {
  closeSync(socket.fd);
  removeOwnSocketFile(socket);
}
