// Group history in Redis (with cluster.redis): per group a hash {epoch, offset} and a capped stream whose ids are the offsets.
import { newEpoch } from "./memory-history.ts";
import type { Retention } from "./history-rules.ts";
import type { Delivery, HistorySlice, WireData, WireRef } from "./protocol.ts";
import type { RedisLink } from "./redis-link.ts";

// Expired entries are cut from the stream's head a few at a time, on every write and read, so memory follows ttlSeconds.
const DROP_EXPIRED = `local function dropExpired(stream, cutoff)
  for _ = 1, 8 do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 32)
    if #head == 0 then return end
    for _, entry in ipairs(head) do
      if tonumber(entry[2][2]) >= cutoff then return end
      redis.call('XDEL', stream, entry[1])
    end
  end
end
local function epochOf(meta, stream, fresh)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch end
  -- No epoch: the group is new, expired, or Redis lost it; whatever the stream holds belongs to no epoch.
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', fresh, 'offset', 0)
  return fresh
end
`;

/**
 * KEYS: meta, stream. ARGV: size, ttlMs, now, fresh epoch, data (JSON), bus channel, delivery (JSON, no offset).
 * One script: the offset, the stream entry and the publish happen in one step, so every instance sees one order.
 */
const APPEND = `${DROP_EXPIRED}
local size, ttl, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local epoch = epochOf(KEYS[1], KEYS[2], ARGV[4])
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
if size > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', size, offset .. '-0', 't', now, 'd', ARGV[5])
  dropExpired(KEYS[2], now - ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
end
redis.call('PEXPIRE', KEYS[1], 2 * ttl)
local message = cjson.decode(ARGV[7])
message.offset = offset
message.epoch = epoch
redis.call('PUBLISH', ARGV[6], cjson.encode(message))
return {epoch, offset}`;

/** KEYS: meta, stream. ARGV: since (-1: all), limit, now, ttlMs. Returns {epoch, offset, oldest, id, d, id, d...}. */
const READ = `${DROP_EXPIRED}
local now, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
-- Reading never creates a group (a client naming groups at will must not cost Redis memory).
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return {'', 0, 1} end
dropExpired(KEYS[2], now - ttl)
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset'))
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = offset + 1
if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
local out = {epoch, offset, oldest}
local since = tonumber(ARGV[1])
local from = '-'
if since >= 0 then from = (since + 1) .. '-0' end
local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', tonumber(ARGV[2]))
for _, entry in ipairs(entries) do
  out[#out + 1] = tonumber(string.match(entry[1], '^(%d+)'))
  out[#out + 1] = entry[2][4]
end
return out`;

export class RedisHistory {
  constructor(
    private readonly link: RedisLink,
    private readonly prefix: string,
    private readonly instance: string,
  ) {}

  /** Stores and publishes a kept message; resolves false when Redis could not take it (the caller falls back). */
  async append(group: string, data: WireData, ex: WireRef[] | undefined, retention: Retention): Promise<boolean> {
    // The script adds offset and epoch: what it publishes is a BusKept.
    const delivery = { op: "kept", group, data, ...(ex ? { ex } : {}), o: this.instance, g: this.link.generation };
    const args = [
      APPEND,
      "2",
      ...this.#keys(group),
      String(retention.size),
      String(retention.ttlMs),
      String(Date.now()),
      newEpoch(),
      JSON.stringify(data),
      `${this.prefix}bus`,
      JSON.stringify(delivery),
    ];
    try {
      await this.link.command("EVAL", args);
      return true;
    } catch {
      return false;
    }
  }

  /** The slice after `since`; null when Redis cannot answer. */
  async read(group: string, since: number | undefined, limit: number | undefined, retention: Retention): Promise<HistorySlice | null> {
    const args = [READ, "2", ...this.#keys(group), String(since ?? -1), String(limit ?? 1_000_000), String(Date.now()), String(retention.ttlMs)];
    let reply: unknown[];
    try {
      reply = (await this.link.command("EVAL", args)) as unknown[];
    } catch {
      return null;
    }
    const [epoch, offset, oldest] = [String(reply[0]), Number(reply[1]), Number(reply[2])];
    const messages: [number, WireData][] = [];
    for (let i = 3; i + 1 < reply.length; i += 2) messages.push([Number(reply[i]), JSON.parse(String(reply[i + 1])) as WireData]);
    const complete = since !== undefined && since <= offset && since >= oldest - 1;
    return { epoch, offset, messages, complete };
  }

  /**
   * Messages kept only on this instance while Redis was out of reach never reached the other instances: a new epoch
   * for those groups tells their clients that the history has a hole, instead of an offset sequence that hides it.
   */
  async newEpochs(groups: Iterable<string>): Promise<void> {
    for (const group of groups) await this.link.command("HSET", [this.#keys(group)[0], "epoch", newEpoch()]);
  }

  #keys(group: string): [string, string] {
    return [`${this.prefix}h:${group}`, `${this.prefix}hs:${group}`];
  }
}

/** What the append script publishes: a kept delivery that still names its sender instance. */
export type BusKept = Extract<Delivery, { op: "kept" }> & { o: string; g?: number };
