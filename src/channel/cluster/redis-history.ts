// Group history in Redis (with cluster.redis): per group a hash {epoch, offset} and a capped stream whose ids are the offsets.
import { HISTORY_PAGE_BYTES, HISTORY_PAGE_MESSAGES } from "../channel-limits.ts";
import { newEpoch } from "../master/memory-history.ts";
import type { Retention } from "../master/history-rules.ts";
import type { Delivery, HistorySlice, WireData, WireRef } from "../protocol.ts";
import type { RedisLink } from "./redis-link.ts";

// Entries are cut from the stream's head a few at a time (expired ones on every write and read; past the count or the
// bytes on every write), so memory follows ttlSeconds, size and maxBytes. meta.bytes is the data the stream holds.
const HEAD_TRIM = `local function dropHead(meta, stream, entry)
  redis.call('XDEL', stream, entry[1])
  local left = redis.call('HINCRBY', meta, 'bytes', -string.len(entry[2][4]))
  if left < 0 then redis.call('HSET', meta, 'bytes', 0) end
end
local function dropExpired(meta, stream, cutoff)
  for _ = 1, 8 do
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 32)
    if #head == 0 then return end
    for _, entry in ipairs(head) do
      if tonumber(entry[2][2]) >= cutoff then return end
      dropHead(meta, stream, entry)
    end
  end
end
local function trimHead(meta, stream, size, maxBytes)
  while true do
    local len = redis.call('XLEN', stream)
    local bytes = tonumber(redis.call('HGET', meta, 'bytes') or '0')
    if len == 0 or (len <= size and bytes <= maxBytes) then return end
    local head = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
    if #head == 0 then return end
    dropHead(meta, stream, head[1])
  end
end
local function epochOf(meta, stream, fresh)
  local epoch = redis.call('HGET', meta, 'epoch')
  if epoch then return epoch end
  -- No epoch: the group is new, expired, or Redis lost it; whatever the stream holds belongs to no epoch.
  redis.call('DEL', stream)
  redis.call('HSET', meta, 'epoch', fresh, 'offset', 0, 'bytes', 0)
  return fresh
end
`;

/**
 * KEYS: meta, stream. ARGV: size, ttlMs, now, fresh epoch, data (JSON), bus channel, delivery (JSON, no offset), maxBytes.
 * One script: the offset, the stream entry and the publish happen in one step, so every instance sees one order.
 * A message over maxBytes gets its offset and is published, but not kept, and the history before it goes: a recover
 * across it must say it could not.
 */
const APPEND = `${HEAD_TRIM}
local size, ttl, now, maxBytes = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[8])
local epoch = epochOf(KEYS[1], KEYS[2], ARGV[4])
local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)
if size > 0 then
  local bytes = string.len(ARGV[5])
  if bytes > maxBytes then
    redis.call('DEL', KEYS[2])
    redis.call('HSET', KEYS[1], 'bytes', 0)
  else
    redis.call('XADD', KEYS[2], offset .. '-0', 't', now, 'd', ARGV[5])
    redis.call('HINCRBY', KEYS[1], 'bytes', bytes)
    trimHead(KEYS[1], KEYS[2], size, maxBytes)
    dropExpired(KEYS[1], KEYS[2], now - ttl)
    redis.call('PEXPIRE', KEYS[2], ttl)
  end
end
redis.call('PEXPIRE', KEYS[1], 2 * ttl)
local message = cjson.decode(ARGV[7])
message.offset = offset
message.epoch = epoch
redis.call('PUBLISH', ARGV[6], cjson.encode(message))
return {epoch, offset}`;

/**
 * KEYS: meta, stream. ARGV: since (-1: all), limit, now, ttlMs, pageBytes.
 * Returns {epoch, offset, oldest, more (0/1), id, d, id, d...}: at most `limit` entries and `pageBytes` of data (one at least).
 */
const READ = `${HEAD_TRIM}
local now, ttl, limit, pageBytes = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[2]), tonumber(ARGV[5])
-- Reading never creates a group (a client naming groups at will must not cost Redis memory).
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then return {'', 0, 1, 0} end
dropExpired(KEYS[1], KEYS[2], now - ttl)
local offset = tonumber(redis.call('HGET', KEYS[1], 'offset'))
local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)
local oldest = offset + 1
if #first > 0 then oldest = tonumber(string.match(first[1][1], '^(%d+)')) end
local out = {epoch, offset, oldest, 0}
local since = tonumber(ARGV[1])
local from = '-'
if since >= 0 then from = (since + 1) .. '-0' end
local entries = redis.call('XRANGE', KEYS[2], from, '+', 'COUNT', limit + 1)
local bytes, taken = 0, 0
for _, entry in ipairs(entries) do
  local size = string.len(entry[2][4])
  if taken == limit or (taken > 0 and bytes + size > pageBytes) then
    out[4] = 1
    break
  end
  out[#out + 1] = tonumber(string.match(entry[1], '^(%d+)'))
  out[#out + 1] = entry[2][4]
  bytes, taken = bytes + size, taken + 1
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
      String(retention.maxBytes),
    ];
    try {
      await this.link.command("EVAL", args);
      return true;
    } catch {
      return false;
    }
  }

  /** A page of the history after `since` (at most `limit` messages and HISTORY_PAGE_BYTES of data); null when Redis cannot answer. */
  async read(group: string, since: number | undefined, limit: number | undefined, retention: Retention): Promise<HistorySlice | null> {
    const count = String(Math.max(1, Math.min(limit ?? HISTORY_PAGE_MESSAGES, HISTORY_PAGE_MESSAGES)));
    const args = [READ, "2", ...this.#keys(group), String(since ?? -1), count, String(Date.now()), String(retention.ttlMs), String(HISTORY_PAGE_BYTES)];
    let reply: unknown[];
    try {
      reply = (await this.link.command("EVAL", args)) as unknown[];
    } catch {
      return null;
    }
    const [epoch, offset, oldest, more] = [String(reply[0]), Number(reply[1]), Number(reply[2]), Number(reply[3]) === 1];
    const messages: [number, WireData][] = [];
    for (let i = 4; i + 1 < reply.length; i += 2) messages.push([Number(reply[i]), JSON.parse(String(reply[i + 1])) as WireData]);
    const complete = since !== undefined && since <= offset && since >= oldest - 1;
    return { epoch, offset, messages, complete, ...(more ? { more } : {}) };
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
