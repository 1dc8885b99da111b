// Every config the master applied (version, time, who, the diff, the config), the last few kept, newest first on read.
import type { ConfigVersion, ConfigVersionDetail } from "./records.ts";
import { diffConfig, isEmptyDiff, liveSettingChanges, type ConfigDiff } from "../config/config-diff.ts";
import type { AppConfig } from "../config/types.ts";
import type { StoreConnection } from "./store.ts";

/** Enough to see what changed across a day of deploys; each row holds a whole config, so not unbounded. */
export const KEEP_CONFIG_VERSIONS = 50;

interface ConfigRow {
  version: number;
  at: number;
  who: string;
  diff: string;
  config: string;
}

/** How often configs that could not be written are tried again. */
const RETRY_MS = 5000;

export class ConfigHistory {
  readonly #pending: { config: AppConfig; who: string; at: number }[] = [];
  #retry: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly conn: StoreConnection,
    readonly keep = KEEP_CONFIG_VERSIONS,
    private readonly retryMs = RETRY_MS,
  ) {}

  /**
   * Records `config` as applied by `who`, with its diff against the latest recorded one. A config equal to the
   * latest (a plain restart, a reload that changed only code) is not a new version: returns the latest instead.
   * Returns null when the store is unavailable: the config is then kept (the last `keep` of them) and written, with
   * its own time, once the store takes writes again (a full disk that got room), before any later one.
   */
  record(config: AppConfig, who: string, at = Date.now()): ConfigVersion | null {
    this.#pending.push({ config, who, at });
    if (this.#pending.length > this.keep) this.#pending.shift();
    return this.#flush();
  }

  /** Writes the waiting configs oldest first; returns the last one's version, or null (and retries later) if one fails. */
  #flush(): ConfigVersion | null {
    let version: ConfigVersion | null = null;
    while (this.#pending.length > 0) {
      const { config, who, at } = this.#pending[0]!;
      version = this.#write(config, who, at);
      if (!version) {
        this.#retry ??= setInterval(() => this.#flush(), this.retryMs);
        (this.#retry as { unref?: () => void }).unref?.();
        return null;
      }
      this.#pending.shift();
    }
    clearInterval(this.#retry);
    this.#retry = undefined;
    return version;
  }

  #write(config: AppConfig, who: string, at: number): ConfigVersion | null {
    return this.conn.attempt(
      "record config",
      (db) =>
        db.transaction(() => {
          const latest = db.query("SELECT version, at, who, diff, config FROM configs ORDER BY version DESC LIMIT 1").get() as ConfigRow | null;
          const previous = latest && (JSON.parse(latest.config) as AppConfig);
          const diff = previous ? diffConfig(previous, config) : firstDiff(config);
          if (latest && previous && isEmptyDiff(diff) && liveSettingChanges(previous, config).length === 0) return toVersion(latest);
          const version = (latest?.version ?? 0) + 1;
          db.query("INSERT INTO configs (version, at, who, diff, config) VALUES ($version, $at, $who, $diff, $config)").run({
            version,
            at,
            who,
            diff: JSON.stringify(diff),
            config: JSON.stringify(config),
          });
          db.query("DELETE FROM configs WHERE version <= $oldest").run({ oldest: version - this.keep });
          return { version, at, who, diff };
        })(),
      null,
    );
  }

  /** Newest first, without the configs themselves; `before` (a version) pages further back. */
  list(limit: number, before = Number.MAX_SAFE_INTEGER): ConfigVersion[] {
    const rows = this.conn.attempt(
      "read configs",
      (db) =>
        db.query("SELECT version, at, who, diff FROM configs WHERE version < $before ORDER BY version DESC LIMIT $limit").all({ before, limit }) as ConfigRow[],
      [] as ConfigRow[],
    );
    return rows.map(toVersion);
  }

  /** One version with its config (secrets hidden), or null. */
  get(version: number): ConfigVersionDetail | null {
    const row = this.conn.attempt(
      "read config",
      (db) => db.query("SELECT version, at, who, diff, config FROM configs WHERE version = $version").get({ version }) as ConfigRow | null,
      null,
    );
    return row && { ...toVersion(row), config: hideSecrets(JSON.parse(row.config) as AppConfig) as unknown as Record<string, unknown> };
  }

  /** The latest version number, or null when none is recorded (or the store is unavailable). */
  latestVersion(): number | null {
    const row = this.conn.attempt("read configs", (db) => db.query("SELECT MAX(version) AS v FROM configs").get() as { v: number | null } | null, null);
    return row?.v ?? null;
  }
}

/**
 * The config as the admin API shows it: the dashboard password's hash replaced by a digest of it, so an API
 * reader cannot attack the hash offline while `diff` still sees whether it changed (it hides the file's the same way).
 */
export function hideSecrets(config: AppConfig): AppConfig {
  const hash = config.admin.passwordHash;
  if (hash === undefined) return config;
  const digest = new Bun.CryptoHasher("sha256").update(hash).digest("hex").slice(0, 16);
  return { ...config, admin: { ...config.admin, passwordHash: `hidden (sha256 ${digest})` } };
}

function firstDiff(config: AppConfig): ConfigDiff {
  return { groups: config.workers.map((group) => ({ name: group.name, change: "added", keys: [] })), needsRestart: [] };
}

function toVersion(row: ConfigRow): ConfigVersion {
  return { version: row.version, at: row.at, who: row.who, diff: JSON.parse(row.diff) as ConfigDiff };
}
