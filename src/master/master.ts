// The master process: validates the config, binds what must be shared, starts the supervisor and the admin plane, waits for a stop.
import type { ChannelRelay } from "../channel/master/relay.ts";
import { ClusterPlane } from "../cluster/cluster-plane.ts";
import { loadConfig } from "../config/load.ts";
import type { AppConfig } from "../config/types.ts";
import type { MasterStore } from "../store/master-store.ts";
import { VERSION } from "../version.ts";
import { masterTitle, setProcessTitle } from "../process-title.ts";
import { daemonLog } from "./daemon.ts";
import { dataDirModeWarning } from "./data-dir-mode.ts";
import { discardEarlyWorker } from "./early-worker.ts";
import { EventGate } from "./event-gate.ts";
import type { AdminContext, EarlyEvent, PlaneInputs, Planes } from "./planes.ts";
import { masterOutput } from "./log-output.ts";
import { RecentLog } from "./recent-log.ts";
import { installSignals } from "./signals.ts";
import { withResolvedPorts } from "./resolve-ports.ts";
import { refuseBusyPorts } from "./port-check.ts";
import { claimRuntimeFile, dataDirError, lockDataDir, prepareDataDir, removeRuntimeFile, unlockDataDir, writeRuntimeFile } from "./runtime-file.ts";
import { startTable } from "./start-table.ts";
import { buildStatus, readTcpMigrateReq } from "./status.ts";
import type { StatusResponse } from "./status-records.ts";
import { trafficTotals } from "./traffic-totals.ts";
import type { Supervisor } from "./supervisor.ts";
import { isAppError } from "../errors.ts";
import { traceStart } from "../start-trace.ts";
import { reloadFromConfigFile, type ConfigReloadOptions } from "./config-reload.ts";
import {
  claimRestart,
  drainPredecessor,
  findPredecessor,
  keepResolvedPorts,
  refuseStrangersBeside,
  readyForTakeover,
  stopRestartUnderWay,
  replacedBySuccessor,
  takeoverFromEnv,
  type Predecessor,
} from "./takeover.ts";
import { bindUnixSockets, closeSockets } from "./group-sockets.ts";
import { moveInto, type BoundSocket } from "./unix-socket.ts";
import { startRelays, supervisorOf, type Relays } from "./relay-wiring.ts";

/** How long the store and the admin plane wait for the workers to be ready before they open anyway. */
const PLANES_WAIT_MS = 100;

export interface MasterOptions {
  /** restart: the pid of the running master this one replaces once its own workers are ready. */
  takeoverFrom?: number;
}

/** Loads the config, takes the data directory and the console, and (restart) finds the master to replace. */
async function prepareMaster(configPath: string, options: MasterOptions) {
  const takeoverFrom = options.takeoverFrom ?? takeoverFromEnv();
  const loaded = await loadConfig(configPath, { remember: true });
  traceStart("master", "config loaded");
  prepareDataDir(loaded.dataDir);
  traceStart("master", "data dir probed");
  setProcessTitle(masterTitle(loaded.name));
  const daemon = daemonLog(loaded);
  const recentLog = new RecentLog();
  const output = masterOutput(loaded.log.format, daemon, recentLog);
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
    // The runtime file and the lock before the port check: a second start of this app (two at once too) hears
    // "already running/starting as pid N", not that its sibling holds the port. A restart shares the old master's ports.
    if (!predecessor) lockDataDir(config.dataDir);
    await (predecessor ? refuseStrangersBeside(config, predecessor.pid) : refuseBusyPorts(config));
    const tcpMigrateReq = readTcpMigrateReq();
    traceStart("master", "runtime file claimed, tcp_migrate_req read");
    if (tcpMigrateReq === 0) {
      console.warn(
        "warning: net.ipv4.tcp_migrate_req is 0: a reload resets connections waiting in an old listener's queue. Fix: sysctl -w net.ipv4.tcp_migrate_req=1",
      );
    }
    return { config, daemon, recentLog, output, predecessor, tcpMigrateReq, releaseRestart };
  } catch (err) {
    releaseRestart();
    unlockDataDir(loaded.dataDir);
    throw err;
  }
}

type Prepared = Awaited<ReturnType<typeof prepareMaster>>;
type Master = Awaited<ReturnType<typeof assembleMaster>>;
interface ShutdownParts {
  config: AppConfig;
  supervisor: Supervisor;
  events: EventGate;
  channel: Relays["channel"];
  cluster: ClusterPlane;
  planes: Planes;
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

/**
 * Builds what the workers' start needs (supervisor, event gate, channel relay, signals) and the shutdown that undoes
 * it; the store and the admin plane come later (planes.ts), while the workers boot.
 */
async function assembleMaster({ config, recentLog, output, predecessor, tcpMigrateReq, releaseRestart }: Prepared) {
  const startedAt = Date.now();
  const sockets = await bindUnixSockets(config, predecessor !== null);
  const listenFds = new Map([...sockets].map(([name, socket]) => [name, socket.fd]));
  const log = recentLog.tee(output.worker);
  // Generations go on across a restart: the new master's first is after the old one's latest.
  const generation = predecessor ? predecessor.generation + 1 : 1;
  const supervisor = supervisorOf({ config, listenFds, log, generation }, sockets, () => ({ channel, shared }));
  // The log, the store and the live feed all read events through the gate, which bounds what a stranger can repeat.
  const events = new EventGate(supervisor);
  events.on(output.event);
  // Until the store opens, the gate's events wait here; openPlanes records them in order after master-started.
  const early: EarlyEvent[] = [];
  const stopCollecting = events.on((event) => early.push({ at: Date.now(), event }));
  const { channel, shared } = startRelays(config, supervisor);
  const stopRequested = Promise.withResolvers<boolean>();
  let gracefulStopAsked = false;
  const requestStop = (graceful: boolean) => {
    // A plain stop during a graceful one escalates it: what still drains gets the ordinary stop deadline.
    if (gracefulStopAsked && !graceful) void supervisor.stop(false);
    gracefulStopAsked ||= graceful;
    stopRequested.resolve(graceful);
  };
  const { status, cluster } = statusWithCluster(config, supervisor, channel, startedAt, tcpMigrateReq);
  const planes: Planes = {};
  const planesOpened = Promise.withResolvers<void>();
  const { running, reloadFromFile } = configWiring(supervisor, planes, planesOpened.promise);
  const signals = installSignals({ stop: requestStop, reload: signalReload(reloadFromFile) });
  const shutdown = shutdownOf({ config, supervisor, events, channel, cluster, planes, signals, sockets, releaseRestart });
  // A getter, not a copy: the admin plane must see the config a reload applies.
  const adminContext = (store: MasterStore, token: string): AdminContext => ({
    get config() {
      return running();
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
    cluster: cluster.forAdmin(store, reloadFromFile, (pid) => supervisor.restartProcess(pid)),
  });
  const planeInputs: PlaneInputs = {
    config,
    startedAt,
    restart: predecessor !== null,
    context: adminContext,
    status,
    supervisor,
    early,
    stopCollecting,
    subscribe: (l) => events.on(l),
  };
  return { startedAt, sockets, supervisor, status, cluster, planes, planeInputs, planesOpened, stopRequested, shutdown };
}

/** SIGUSR1/SIGUSR2: a reload; a refusal (a bad app.json) is said on the log, the master keeps running. */
function signalReload(reloadFromFile: (options: ConfigReloadOptions) => Promise<unknown>) {
  return (graceful: boolean) => {
    reloadFromFile({ graceful, who: "signal" }).catch((err) => console.error(`reload refused: ${isAppError(err) ? err.toString() : (err as Error).message}`));
  };
}

/** The status view, and the cluster plane that adds the Redis link's facts to it and announces its rows (src/cluster/). */
function statusWithCluster(config: AppConfig, supervisor: Supervisor, channel: ChannelRelay, startedAt: number, tcpMigrateReq: number | null) {
  trafficTotals(supervisor); // made now: a process that exits before the first /metrics still counts in its group's totals
  const status = (): StatusResponse => buildStatus(supervisor.config, supervisor, startedAt, tcpMigrateReq, () => cluster.linkStatus());
  const cluster = new ClusterPlane({ config, channel, startedAt, rows: status, emit: (event) => supervisor.emit(event) });
  return { status, cluster };
}

/**
 * The config the master runs now (the supervisor holds it: a reload's commit and a probation rollback change it, and
 * /api/config, which `diff` and `restart` read, follows) and the reload that changes it. The reload code calls
 * configApplied once it applied a new one: the config history records it.
 */
function configWiring(supervisor: Supervisor, planes: Planes, planesOpened: Promise<void>) {
  const configApplied = (next: AppConfig, who: string) => planes.store?.configs.record(next, who);
  // Every reload re-reads app.json (src/master/config-reload.ts): signals, the API and the CLI alike; one asked for
  // while the master starts waits for the store, so the config history records it.
  const reloadFromFile = async (options: ConfigReloadOptions) => {
    await planesOpened;
    return reloadFromConfigFile(supervisor, options, configApplied);
  };
  return { running: () => supervisor.config, reloadFromFile };
}

/** Undoes what assembleMaster and openPlanes built, in order: processes first, then the admin plane, the store and the files. */
function shutdownOf(parts: ShutdownParts) {
  const { config, supervisor, events, channel, cluster, planes, signals, sockets, releaseRestart } = parts;
  const stopAdmin = () => {
    planes.admin?.stop();
    planes.admin = undefined;
  };
  return async (graceful: boolean) => {
    // Replaced by a restart: the successor shares the admin port, so leave it every request at once.
    if (replacedBySuccessor(config.dataDir)) stopAdmin();
    // Before draining: a new master that got ready meanwhile would take over and serve after this stop.
    const successor = stopRestartUnderWay(config.dataDir);
    if (successor) console.log(`a restart was under way: told the new master (pid ${successor}) to stop too`);
    await supervisor.stop(graceful);
    events.stop();
    await cluster.stop();
    await channel.stop();
    stopAdmin();
    planes.recorder?.stop();
    planes.store?.close();
    signals.remove();
    closeSockets(sockets);
    removeRuntimeFile(config.dataDir);
    releaseRestart();
  };
}

/**
 * Starts the workers (or, on restart, the ones that take over) first, opens the store and the admin plane while they
 * boot, then tells control commands where this master is.
 */
async function startServing(master: Master, { config, daemon, predecessor, releaseRestart }: Prepared): Promise<void> {
  const { supervisor, status, stopRequested } = master;
  const ready = predecessor ? readyForTakeover(supervisor, predecessor.pid) : supervisor.start();
  // Every slot has its process now: an early worker no group could take (unix://, its own env) is not left waiting.
  void discardEarlyWorker();
  // Observed below, once the planes are open; a failure to open them is the error reported instead.
  ready.catch(() => {});
  traceStart("master", "workers spawned");
  // On a busy machine the planes' CPU slows the workers' boot (bench/cold-start-phases.ts): they wait for the workers,
  // but not for long, so that `stop` and `status` reach a master whose handlers take their time to start.
  await Promise.race([ready.catch(() => {}), stopRequested.promise, Bun.sleep(PLANES_WAIT_MS)]);
  const { openPlanes } = await import("./planes.ts");
  const opened = openPlanes(master.planeInputs, master.planes);
  master.planesOpened.resolve();
  master.cluster.attach(opened.adminUrl);
  const runtimeInfo = {
    pid: process.pid,
    adminUrl: opened.adminUrl,
    configPath: config.configPath,
    startedAt: master.startedAt,
    version: VERSION,
    ready: false,
  };
  // A restart leaves the old master's runtime file in place until it takes over: control commands keep finding the master that serves.
  if (!predecessor) writeRuntimeFile(config.dataDir, runtimeInfo);
  if (opened.tokenCreated) console.log(`created the admin token at ${opened.tokenPath} (mode 0600)`);
  const started = await Promise.race([ready.then(() => true), stopRequested.promise.then(() => false)]);
  if (!started) {
    if (predecessor) console.log(`stopped during the restart: not taking over from master pid ${predecessor.pid}`);
    return;
  }
  traceStart("master", "workers ready");
  if (predecessor) takeOver(predecessor, master.sockets);
  // Last, after a restart's sockets moved: from here control commands find this master.
  writeRuntimeFile(config.dataDir, { ...runtimeInfo, ready: true });
  releaseRestart();
  console.log(startTable(status(), opened.adminUrl, opened.tokenPath, daemon !== null));
  traceStart("master", "start table printed");
  if (predecessor) void drainPredecessor(predecessor.pid, (line) => console.log(line));
}

/** The new master's workers are ready beside the old ones: unix sockets are renamed over the old paths (TCP and UDP share by reusePort). */
function takeOver(predecessor: Predecessor, sockets: Map<string, BoundSocket>): void {
  for (const socket of sockets.values()) moveInto(socket);
  console.log(`the new master is ready beside master pid ${predecessor.pid}`);
}
