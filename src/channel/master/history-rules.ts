// Which groups keep history and how much: the app's `channel.history` size and ttl, overridden per name pattern.
import type { ChannelConfig } from "../../config/types.ts";

export interface Retention {
  size: number;
  ttlMs: number;
  /** Bytes of message data kept for the group. */
  maxBytes: number;
}

export const DEFAULT_HISTORY_MAX_BYTES = 8 * 1024 * 1024;
export const DEFAULT_HISTORY_MAX_TOTAL_BYTES = 64 * 1024 * 1024;
const NONE: Retention = { size: 0, ttlMs: 60_000, maxBytes: 0 };

export class HistoryRules {
  readonly #rules: { pattern: RegExp; retention: Retention }[];
  readonly #default: Retention;
  /** Bytes kept over all groups in the master's memory. */
  readonly maxTotalBytes: number;
  // Group names repeat: match each once.
  readonly #cache = new Map<string, Retention>();

  constructor(
    config: (Omit<NonNullable<ChannelConfig["history"]>, "maxBytes" | "maxTotalBytes"> & Partial<NonNullable<ChannelConfig["history"]>>) | undefined,
  ) {
    // Configs built in code (tests, the bench) may leave the byte bounds out: the schema's defaults apply.
    const maxBytes = config?.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    this.maxTotalBytes = config?.maxTotalBytes ?? DEFAULT_HISTORY_MAX_TOTAL_BYTES;
    this.#default = config ? { size: config.size, ttlMs: config.ttlSeconds * 1000, maxBytes } : NONE;
    this.#rules = (config?.groups ?? []).map((rule) => ({
      pattern: globToRegExp(rule.match),
      retention: { size: rule.size, ttlMs: rule.ttlSeconds * 1000, maxBytes: rule.maxBytes ?? maxBytes },
    }));
  }

  /** The largest ttl of any rule: how long a group's offset and epoch must outlive its last message. */
  get longestTtlMs(): number {
    return Math.max(this.#default.ttlMs, ...this.#rules.map((rule) => rule.retention.ttlMs));
  }

  of(group: string): Retention {
    let found = this.#cache.get(group);
    if (found) return found;
    found = this.#rules.find((rule) => rule.pattern.test(group))?.retention ?? this.#default;
    if (this.#cache.size > 10_000) this.#cache.clear();
    this.#cache.set(group, found);
    return found;
  }
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}
