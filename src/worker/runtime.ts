// The per-process core the listeners share: the handler, the connection registry, counters and safe callback calls.
import type { ListenAddress, WorkerGroupConfig } from "../config/types.ts";
import type { WorkerToRelay } from "../channel/protocol.ts";
import type { ConnectionInfo, ProcessCounters, WorkerToMaster } from "../ipc.ts";
import type { ChannelHost } from "../channel/worker/channel-host.ts";
import { WorkerChannel } from "../channel/worker/worker-channel.ts";
import { SharedClient } from "../key-value/worker-client.ts";
import type { ConnectionHost, Counted } from "./connection-host.ts";
import { ConnectionRegistry } from "./connection-registry.ts";
import { InputBudget, type InputHolder } from "./input-budget.ts";
import { connectOutbound } from "./outbound/connect.ts";
import { SweptConnection } from "./swept-connection.ts";
import { MetricsRegistry } from "./metrics.ts";
import { TimerRegistry } from "./timers.ts";
import { TrafficCounting } from "./traffic-report.ts";
import type { App, AppCallback, Connection, ConnectOptions, OutboundConnection, Worker } from "./types.ts";

export interface RuntimeIdentity {
  config: WorkerGroupConfig;
  index: number;
  generation: number;
}

export class WorkerRuntime implements Worker, ChannelHost, ConnectionHost {
  readonly name: string;
  readonly id: number;
  readonly pid = process.pid;
  readonly generation: number;
  readonly config: WorkerGroupConfig;
  readonly timers: TimerRegistry;
  readonly connections = new ConnectionRegistry();
  readonly metrics = new MetricsRegistry();
  readonly traffic = new TrafficCounting();
  #stopping = false;
  #listen: ListenAddress;
  #inFlight: () => number = () => 0;
  #app: App = {};
  readonly counters: Record<Counted, number> = {
    requests: 0,
    sendFail: 0,
    handlerErrors: 0,
    protocolErrors: 0,
    idleClosed: 0,
    inputShed: 0,
    packageTimeouts: 0,
    refusedMaxConnections: 0,
    refusedMaxConnectionsPerIp: 0,
    bytesRead: 0,
    bytesWritten: 0,
    sends: 0,
  };
  #nextConnectionId = 1;
  readonly channel = new WorkerChannel(this);
  readonly shared = new SharedClient((message) => this.toMaster(message) !== false);
  /** Bytes held in partial packets and unread bodies, all connections of this process together. */
  readonly input: InputBudget;

  constructor(
    identity: RuntimeIdentity,
    /** false: not sent (the master's queue is past its byte cap, or it is gone). */
    private readonly toMaster: (msg: WorkerToMaster) => boolean | void,
  ) {
    this.config = identity.config;
    this.name = identity.config.name;
    this.id = identity.index;
    this.generation = identity.generation;
    this.#listen = identity.config.listen;
    this.timers = new TimerRegistry((err) => this.reportError("timer", null, err));
    const budgetHost = { counters: this.counters, forEachStreamHolder: (visit: (h: InputHolder) => void) => this.#forEachStreamHolder(visit) };
    this.input = new InputBudget(budgetHost, this.config.maxBufferedInput ?? Number.POSITIVE_INFINITY, this.config.packageTimeout ?? 0);
  }

  #forEachStreamHolder(visit: (holder: InputHolder) => void): void {
    this.connections.forEach((conn) => {
      if (conn instanceof SweptConnection && conn.inputHeld > 0) visit(conn);
    });
  }

  /** The handler's callbacks: none until main has loaded the module (a stop or a query can come before). */
  get app(): App {
    return this.#app;
  }

  setApp(app: App): void {
    this.#app = app;
  }

  /** True once the master has asked this process to stop: outbound connections stop reconnecting. */
  get stopping(): boolean {
    return this.#stopping;
  }

  beginStopping(): void {
    this.#stopping = true;
  }

  /** An unpark (a rolled-back reload): the process serves again, so outbound connections reconnect again. */
  resumeServing(): void {
    this.#stopping = false;
  }

  /** The address served: the configured one until the listener has bound (port 0 resolved then). */
  get listen(): ListenAddress {
    return this.#listen;
  }

  /** The listener serves: its bound address, and the connections it counts itself (http: requests in flight) for status. */
  listening(started: { listen: ListenAddress; inFlight?: () => number }): void {
    this.#listen = started.listen;
    if (started.inFlight) this.#inFlight = started.inFlight;
  }

  /** Sends a channel payload to the master for relaying. */
  toMasterChannel(payload: WorkerToRelay): boolean {
    return this.toMaster({ type: "channel", payload }) !== false;
  }

  nextConnectionId(): number {
    return this.#nextConnectionId++;
  }

  add(conn: Connection & { info(): ConnectionInfo }): void {
    this.connections.set(conn.id, conn);
  }

  remove(conn: Connection): void {
    this.connections.delete(conn.id);
    this.channel.forget(conn);
  }

  count(counter: Counted, by = 1): void {
    this.counters[counter] += by;
  }

  connect(url: string, options: ConnectOptions = {}): OutboundConnection {
    return connectOutbound(this, url, options);
  }

  /** Calls a handler callback; a throw or a rejection goes to onError and the master, never further. */
  call(callback: AppCallback, conn: Connection | null, ...args: unknown[]): void {
    this.#invoke(this.#app, callback, conn, args);
  }

  /** As call(), on another set of callbacks (an outbound connection's own); its onError gets the errors. */
  callOn(target: App, callback: AppCallback, conn: Connection | null, ...args: unknown[]): void {
    this.#invoke(target, callback, conn, args);
  }

  /** The per-message path: onMessage(conn, message) with no argument arrays (measured: ~0.3 µs a message). */
  callMessage(target: App, conn: Connection, message: unknown): void {
    const fn = target.onMessage;
    if (fn === undefined) return;
    try {
      const result = fn.call(target, conn, message);
      if (result instanceof Promise) result.catch((err) => this.reportError("onMessage", conn, err, target));
    } catch (err) {
      this.reportError("onMessage", conn, err, target);
    }
  }

  #invoke(target: App, callback: AppCallback, conn: Connection | null, args: unknown[]): void {
    const fn = target[callback] as ((...a: unknown[]) => unknown) | undefined;
    if (!fn) return;
    try {
      const result = conn === null ? fn.call(target, this, ...args) : fn.call(target, conn, ...args);
      if (result instanceof Promise) result.catch((err) => this.reportError(callback, conn, err, target));
    } catch (err) {
      this.reportError(callback, conn, err, target);
    }
  }

  reportError(callback: string, conn: Connection | null, err: unknown, target: App = this.#app): void {
    this.counters.handlerErrors++;
    this.traffic.error(callback);
    const error = err instanceof Error ? err : new Error(String(err));
    // Not printed here: the master logs it from this message, through its rate bound (a handler may throw on every request).
    this.toMaster({ type: "handler-error", callback, message: error.message, stack: error.stack });
    if (callback === "onError" || !target.onError) return;
    try {
      const result = target.onError(conn, err);
      if (result instanceof Promise) result.catch((e) => this.reportError("onError", conn, e));
    } catch (e) {
      this.reportError("onError", conn, e);
    }
  }

  /** A peer sent bytes we cannot accept: count it, log it, and let the caller close that one connection. */
  reportProtocolError(conn: Connection, err: unknown): void {
    this.counters.protocolErrors++;
    const message = err instanceof Error ? err.message : String(err);
    console.error(`closing connection ${conn.id} from ${conn.remoteAddress}: ${message}`);
  }

  /** The stats report (once a second, and once more at the stop): it also moves the recent-latency windows on. */
  snapshot(): ProcessCounters {
    const cpu = process.cpuUsage();
    return {
      ...this.counters,
      connections: this.connections.size + this.#inFlight(),
      timers: this.timers.size,
      rssBytes: process.memoryUsage.rss(),
      cpuMicros: cpu.user + cpu.system,
      metrics: this.metrics.snapshot(),
      traffic: this.traffic.report(this.metrics),
    };
  }
}
