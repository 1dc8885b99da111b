// The master's Redis connections (commands + subscriber): connects, checks Redis still answers, counts failures, and rejoins with fresh clients.
import { RedisClient } from "bun";
import { commandBytes, RedisInflight } from "./redis-inflight.ts";

export interface RedisLinkOptions {
  url: string;
  /** Shown by Redis's CLIENT LIST (no spaces). */
  name: string;
  /** The pub/sub channel to listen on. */
  channel: string;
  onMessage: (text: string) => void;
  /** Runs on every (re)connection before the link counts as connected: restore what Redis may have lost. */
  onUp: () => Promise<void>;
  log: (line: string) => void;
  /** Cap on the bytes handed to Redis and not yet answered (cluster.maxPendingBytes). */
  maxPendingBytes: number;
}

export interface LinkStatus {
  connected: boolean;
  /** Failed Redis operations and lost connections since start. */
  failures: number;
  /** Times the link came back after a loss. */
  reconnects: number;
  lastError: string | null;
  /** Bytes handed to Redis and not yet answered. */
  pendingBytes: number;
  /** Commands and publishes refused because pendingBytes would pass the cap (cross-host messages dropped). */
  pendingRefused: number;
}

/** Script text -> SHA1, for EVALSHA (the scripts are constants: a handful). */
const SCRIPT_SHAS = new Map<string, string>();
const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 3000;
/** A Redis that has not answered a command for this long counts as down, as a dropped connection would. */
export const COMMAND_TIMEOUT_MS = 2000;
/** How often the link PINGs both connections and checks the oldest unanswered command. */
const HEARTBEAT_MS = 500;

export class RedisLink {
  readonly status: Omit<LinkStatus, "pendingBytes" | "pendingRefused"> = { connected: false, failures: 0, reconnects: 0, lastError: null };
  readonly #inflight: RedisInflight;
  /** Which connection's replies are current: a kept message echoed by an older one was given up on (and delivered locally). */
  #generation = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #refusalLoggedAt = -Infinity;
  #lastPulse = performance.now();
  /** Scripts sent whole on the current connection (a Redis that restarted has none). */
  readonly #loaded = new Set<string>();
  #cmd: RedisClient | null = null;
  #sub: RedisClient | null = null;
  #retryMs = RETRY_FIRST_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #everUp = false;

  constructor(private readonly options: RedisLinkOptions) {
    this.#inflight = new RedisInflight(options.maxPendingBytes);
  }

  get generation(): number {
    return this.#generation;
  }

  report(): LinkStatus {
    return { ...this.status, pendingBytes: this.#inflight.bytes, pendingRefused: this.#inflight.refused };
  }

  /** Connects in the background: a Redis that is down at start does not stop the master. */
  start(): void {
    this.#heartbeat = setInterval(() => this.#pulse(), HEARTBEAT_MS);
    void this.#attempt();
  }

  /**
   * Runs a command when connected; a failure is counted and rethrown. It fails at the latest when the link is
   * declared lost (COMMAND_TIMEOUT_MS without an answer), and at once past the pending-bytes cap.
   */
  async command(name: string, args: string[]): Promise<unknown> {
    const cmd = this.#cmd;
    if (!this.status.connected || !cmd) throw new Error("not connected to Redis");
    const [sent, sentArgs] = this.#scripted(name, args);
    const bytes = commandBytes(sentArgs) + sent.length;
    if (!this.#inflight.admit(bytes)) throw this.#overCap(bytes);
    try {
      return await this.#inflight.track(bytes, cmd.send(sent, sentArgs));
    } catch (err) {
      if (sent === "EVALSHA" && String(err).includes("NOSCRIPT")) this.#loaded.delete(sentArgs[0]!);
      this.fail(err);
      throw err;
    }
  }

  /**
   * EVAL sends a script's text once per connection, then only its SHA1 (EVALSHA): about 1 KB less per kept message
   * on the wire and in what waits for Redis. Pipelined in order, the first EVAL has loaded the script before any
   * EVALSHA behind it runs.
   */
  #scripted(name: string, args: string[]): [string, string[]] {
    if (name !== "EVAL") return [name, args];
    const script = args[0]!;
    let sha = SCRIPT_SHAS.get(script);
    if (!sha) SCRIPT_SHAS.set(script, (sha = new Bun.CryptoHasher("sha1").update(script).digest("hex")));
    if (this.#loaded.has(sha)) return ["EVALSHA", [sha, ...args.slice(1)]];
    this.#loaded.add(sha);
    return [name, args];
  }

  /** Fire and forget; false when the message could not be handed to Redis (counted). */
  publish(text: string): boolean {
    const bytes = Buffer.byteLength(text);
    if (!this.status.connected || !this.#cmd) {
      this.status.failures++;
      return false;
    }
    if (!this.#inflight.admit(bytes)) {
      this.#overCap(bytes);
      return false;
    }
    this.#inflight.track(bytes, this.#cmd.publish(this.options.channel, text)).catch((err) => this.fail(err));
    return true;
  }

  #overCap(bytes: number): Error {
    const err = new Error(
      `${this.#inflight.bytes} bytes already wait for Redis: ${bytes} more would pass cluster.maxPendingBytes (${this.options.maxPendingBytes})`,
    );
    this.fail(err);
    // The first time a minute: status and /metrics count every one.
    const now = performance.now();
    if (now - this.#refusalLoggedAt >= 60_000) {
      this.#refusalLoggedAt = now;
      this.options.log(`cluster: ${err.message}; cross-host publishes are dropped until Redis answers (counted in pendingRefused)`);
    }
    return err;
  }

  /** The heartbeat: a Redis that stopped answering (stopped, swapping, a dead network path) is treated as gone. */
  #pulse(): void {
    const now = performance.now();
    const sinceLast = now - this.#lastPulse;
    this.#lastPulse = now;
    if (!this.status.connected) return;
    // Timers run before pending reads: after a long synchronous stretch here, Redis's answers may sit unread.
    if (sinceLast > 3 * HEARTBEAT_MS) this.#inflight.excuse(now);
    const silent = this.#inflight.silentForMs(now);
    if (silent > COMMAND_TIMEOUT_MS) return this.#lost(this.#cmd, new Error(`Redis did not answer for ${Math.round(silent)} ms`));
    for (const client of [this.#cmd, this.#sub]) {
      if (client && this.#inflight.admit(4)) this.#inflight.track(4, client.send("PING", [])).catch(() => {});
    }
  }

  fail(err: unknown): void {
    this.status.failures++;
    this.status.lastError = err instanceof Error ? err.message : String(err);
  }

  async stop(beforeClose?: () => Promise<void>): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    clearInterval(this.#heartbeat);
    // Bounded: a stop must not wait on a Redis that stopped answering.
    if (this.status.connected && beforeClose) await Promise.race([beforeClose().catch(() => {}), Bun.sleep(1000)]);
    this.#closeClients();
    this.status.connected = false;
    this.#inflight.failAll(new Error("the Redis link is stopping"));
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    if (this.#stopped) return;
    // Fresh clients every time: Bun's own reconnect would drop our subscription (or double it if we subscribe again).
    const options = { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: COMMAND_TIMEOUT_MS };
    const cmd = new RedisClient(this.options.url, options);
    const sub = new RedisClient(this.options.url, options);
    this.#cmd = cmd;
    this.#sub = sub;
    this.#loaded.clear();
    const current = () => this.#cmd === cmd && !this.#stopped;
    try {
      await this.#handshake(cmd, sub);
      if (!current()) return;
      for (const client of [cmd, sub]) client.onclose = (err) => this.#lost(client, err);
      this.#generation++;
      this.status.connected = true;
      await this.options.onUp();
    } catch (err) {
      // A link the heartbeat declared lost while onUp ran has already been closed, and its retry set.
      if (!current()) return;
      this.fail(err);
      this.status.connected = false;
      this.#closeClients();
      if (!this.#everUp && this.status.failures === 1)
        this.options.log(`cluster: cannot reach ${redact(this.options.url)} (${this.status.lastError}); local delivery works, retrying`);
      return this.#retry();
    }
    if (!current() || !this.status.connected) return;
    this.#retryMs = RETRY_FIRST_MS;
    if (this.#everUp) this.status.reconnects++;
    this.options.log(`cluster: ${this.#everUp ? "rejoined" : "joined"} through ${redact(this.options.url)}`);
    this.#everUp = true;
  }

  /** Connect, name, subscribe: bounded, since a stopped Redis accepts TCP connections (the kernel does) but answers nothing. */
  async #handshake(cmd: RedisClient, sub: RedisClient): Promise<void> {
    const steps = async () => {
      await Promise.all([cmd.connect(), sub.connect()]);
      // Named, so an operator's CLIENT LIST (or a test's CLIENT KILL) can tell which instance a connection serves.
      await Promise.all([cmd.send("CLIENT", ["SETNAME", `${this.options.name}:cmd`]), sub.send("CLIENT", ["SETNAME", `${this.options.name}:sub`])]);
      await sub.subscribe(this.options.channel, (message) => this.options.onMessage(message));
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer the handshake in ${COMMAND_TIMEOUT_MS} ms`)), COMMAND_TIMEOUT_MS);
    });
    try {
      await Promise.race([steps(), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  #lost(client: RedisClient | null, err: Error | undefined): void {
    if (this.#stopped || !client || (client !== this.#cmd && client !== this.#sub) || !this.status.connected) return;
    this.status.connected = false;
    this.fail(err ?? new Error("connection closed"));
    this.options.log(`cluster: lost Redis (${this.status.lastError}); local delivery continues, rejoining when it is back`);
    // In issue order, before anything new is published: the callers' local fallbacks keep the order they published in.
    this.#inflight.failAll(new Error(`Redis link lost: ${this.status.lastError}`));
    this.#closeClients();
    this.#retry();
  }

  #retry(): void {
    if (this.#stopped || this.#retryTimer) return;
    this.#retryTimer = setTimeout(() => void this.#attempt(), this.#retryMs);
    this.#retryMs = Math.min(this.#retryMs * 2, RETRY_MAX_MS);
  }

  #closeClients(): void {
    for (const client of [this.#cmd, this.#sub]) {
      if (!client) continue;
      client.onclose = null;
      try {
        client.close();
      } catch {
        // already closed
      }
    }
    this.#cmd = this.#sub = null;
  }
}

/** The URL without its password, for logs and status. */
export function redact(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, "//$1:***@");
}
