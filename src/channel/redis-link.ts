// The master's Redis connections (commands + subscriber): connects, counts failures, and rejoins with fresh clients.
import { RedisClient } from "bun";

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
}

export interface LinkStatus {
  connected: boolean;
  /** Failed Redis operations and lost connections since start. */
  failures: number;
  /** Times the link came back after a loss. */
  reconnects: number;
  lastError: string | null;
}

const RETRY_FIRST_MS = 200;
const RETRY_MAX_MS = 3000;

export class RedisLink {
  readonly status: LinkStatus = { connected: false, failures: 0, reconnects: 0, lastError: null };
  #cmd: RedisClient | null = null;
  #sub: RedisClient | null = null;
  #retryMs = RETRY_FIRST_MS;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #everUp = false;

  constructor(private readonly options: RedisLinkOptions) {}

  /** Connects in the background: a Redis that is down at start does not stop the master. */
  start(): void {
    void this.#attempt();
  }

  /** Runs a command when connected; a failure is counted and rethrown. */
  async command(name: string, args: string[]): Promise<unknown> {
    const cmd = this.#cmd;
    if (!this.status.connected || !cmd) throw new Error("not connected to Redis");
    try {
      return await cmd.send(name, args);
    } catch (err) {
      this.fail(err);
      throw err;
    }
  }

  /** Fire and forget; false when the message could not be handed to Redis (counted). */
  publish(text: string): boolean {
    if (!this.status.connected || !this.#cmd) {
      this.status.failures++;
      return false;
    }
    this.#cmd.publish(this.options.channel, text).catch((err) => this.fail(err));
    return true;
  }

  fail(err: unknown): void {
    this.status.failures++;
    this.status.lastError = err instanceof Error ? err.message : String(err);
  }

  async stop(beforeClose?: () => Promise<void>): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    // Bounded: a stop must not wait on a Redis that stopped answering.
    if (this.status.connected && beforeClose) await Promise.race([beforeClose().catch(() => {}), Bun.sleep(1000)]);
    this.#closeClients();
    this.status.connected = false;
  }

  async #attempt(): Promise<void> {
    this.#retryTimer = undefined;
    if (this.#stopped) return;
    // Fresh clients every time: Bun's own reconnect would drop our subscription (or double it if we subscribe again).
    const options = { autoReconnect: false, enableOfflineQueue: false, connectionTimeout: 2000 };
    const cmd = new RedisClient(this.options.url, options);
    const sub = new RedisClient(this.options.url, options);
    this.#cmd = cmd;
    this.#sub = sub;
    try {
      await Promise.all([cmd.connect(), sub.connect()]);
      // Named, so an operator's CLIENT LIST (or a test's CLIENT KILL) can tell which instance a connection serves.
      await Promise.all([cmd.send("CLIENT", ["SETNAME", `${this.options.name}:cmd`]), sub.send("CLIENT", ["SETNAME", `${this.options.name}:sub`])]);
      await sub.subscribe(this.options.channel, (message) => this.options.onMessage(message));
      for (const client of [cmd, sub]) client.onclose = (err) => this.#lost(client, err);
      this.status.connected = true;
      await this.options.onUp();
    } catch (err) {
      this.fail(err);
      this.status.connected = false;
      this.#closeClients();
      if (!this.#everUp && this.status.failures === 1)
        this.options.log(`cluster: cannot reach ${redact(this.options.url)} (${this.status.lastError}); local delivery works, retrying`);
      return this.#retry();
    }
    this.#retryMs = RETRY_FIRST_MS;
    if (this.#everUp) this.status.reconnects++;
    this.options.log(`cluster: ${this.#everUp ? "rejoined" : "joined"} through ${redact(this.options.url)}`);
    this.#everUp = true;
  }

  #lost(client: RedisClient, err: Error | undefined): void {
    if (this.#stopped || (client !== this.#cmd && client !== this.#sub) || !this.status.connected) return;
    this.status.connected = false;
    this.fail(err ?? new Error("connection closed"));
    this.options.log(`cluster: lost Redis (${this.status.lastError}); local delivery continues, rejoining when it is back`);
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
