// Announces this instance in Redis every second as an expiring entry, and reads back every instance still announced.
import type { ClusterInstance } from "../cluster/cluster-records.ts";

/** Entries expire this long after their last refresh: a kill -9'd instance leaves the list within it. */
export const ENTRY_TTL_MS = 6000;
/** An entry not refreshed for this long is shown as stale (its master is probably gone, or cut off from Redis). */
export const STALE_MS = 2500;

/** What this instance says about itself; `lastSeenAt` is stamped at each refresh. */
export type OwnEntry = Omit<ClusterInstance, "self" | "stale" | "lastSeenAt">;

export interface RedisCommands {
  command(name: string, args: string[]): Promise<unknown>;
  readonly keyPrefix: string;
}

export class Announcer {
  #instances: number | null = null;
  #busy = false;
  #again = false;
  /** Bytes of the last entry written, for the announce-traffic figure. */
  lastEntryBytes = 0;

  constructor(
    private readonly redis: RedisCommands,
    private readonly own: () => OwnEntry,
    private readonly now: () => number = Date.now,
  ) {}

  /** Live instances at the last refresh, this one included (null before the first). */
  get instances(): number | null {
    return this.#instances;
  }

  /** One refresh: the entry (with its expiry), its place in the index, and the live count; one asked for meanwhile runs after it. */
  async refresh(): Promise<void> {
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    try {
      const now = this.now();
      const entry = { ...this.own(), lastSeenAt: now };
      const text = JSON.stringify(entry);
      this.lastEntryBytes = Buffer.byteLength(text);
      const [, , , live] = await Promise.all([
        this.redis.command("SET", [this.#entryKey(entry.id), text, "PX", String(ENTRY_TTL_MS)]),
        this.redis.command("ZADD", [this.#indexKey, String(now), entry.id]),
        // Ids whose entries have expired leave the index, so it does not grow with every restart.
        this.redis.command("ZREMRANGEBYSCORE", [this.#indexKey, "-inf", String(now - ENTRY_TTL_MS)]),
        this.redis.command("ZCOUNT", [this.#indexKey, String(now - ENTRY_TTL_MS), "+inf"]),
      ]);
      this.#instances = Number(live);
    } finally {
      this.#busy = false;
    }
    if (this.#again) {
      this.#again = false;
      await this.refresh();
    }
  }

  /** Every instance still announced, this one from memory (fresher than its copy in Redis). */
  async list(): Promise<ClusterInstance[]> {
    const now = this.now();
    const self = this.own();
    const ids = ((await this.redis.command("ZRANGEBYSCORE", [this.#indexKey, String(now - ENTRY_TTL_MS), "+inf"])) as string[]).filter((id) => id !== self.id);
    const texts = ids.length
      ? ((await this.redis.command(
          "MGET",
          ids.map((id) => this.#entryKey(id)),
        )) as (string | null)[])
      : [];
    const others = texts.flatMap((text) => {
      const entry = readEntry(text);
      return entry ? [{ ...entry, self: false, stale: now - entry.lastSeenAt > STALE_MS }] : [];
    });
    return sortInstances([{ ...self, lastSeenAt: now, self: true, stale: false }, ...others]);
  }

  /** Leaves at once instead of after the expiry (a graceful stop). */
  async withdraw(): Promise<void> {
    const id = this.own().id;
    await Promise.all([this.redis.command("DEL", [this.#entryKey(id)]), this.redis.command("ZREM", [this.#indexKey, id])]);
  }

  get #indexKey(): string {
    return `${this.redis.keyPrefix}nodes`;
  }

  #entryKey(id: string): string {
    return `${this.redis.keyPrefix}node:${id}`;
  }
}

/** An entry another instance wrote: anything unreadable (another version, a stranger) is left out rather than trusted. */
function readEntry(text: string | null): Omit<ClusterInstance, "self" | "stale"> | null {
  if (!text) return null;
  try {
    const entry = JSON.parse(text) as Omit<ClusterInstance, "self" | "stale">;
    if (typeof entry.id !== "string" || typeof entry.lastSeenAt !== "number" || !Array.isArray(entry.processes)) return null;
    return entry;
  } catch {
    return null;
  }
}

/** By host, then by start: a stable order for the CLI, the dashboard and a rolling reload's default. */
export function sortInstances(list: ClusterInstance[]): ClusterInstance[] {
  return list.sort((a, b) => a.host.localeCompare(b.host) || a.startedAt - b.startedAt || a.id.localeCompare(b.id));
}
