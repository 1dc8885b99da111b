// worker.shared with cluster.redis: the values live in Redis (one per key, with its expiry) and every call is one atomic command or script.
import { AppError } from "../errors.ts";
import type { RedisLink } from "../channel/cluster/redis-link.ts";
import { notAnInteger, tooManyKeys, type SharedBackend, type SharedLimits } from "./shared-backend.ts";

/** A Redis that has not answered by then counts as out of reach for this call (the link's heartbeat drops it soon after). */
export const REDIS_CALL_TIMEOUT_MS = 2000;

// KEYS[1] the value, KEYS[2] the index: a sorted set of keys scored by expiry (ms, +inf for none), which counts keys
// for shared.maxKeys without a SCAN; expired entries leave it when the count reaches the limit.
const NOW = "local t = redis.call('TIME')\nlocal now = t[1] * 1000 + math.floor(t[2] / 1000)\n";
const ROOM = `local function room(max)
  if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('ZCARD', KEYS[2]) < max then return true end
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  return redis.call('ZCARD', KEYS[2]) < max
end
local function put(value, ttl)
  if ttl == '' then
    redis.call('SET', KEYS[1], value)
    redis.call('ZADD', KEYS[2], 'inf', KEYS[1])
  else
    redis.call('SET', KEYS[1], value, 'PX', ttl)
    redis.call('ZADD', KEYS[2], now + tonumber(ttl), KEYS[1])
  end
end
`;
/** ARGV: value, ttl ms or '', maxKeys. */
const SET = `${NOW}${ROOM}if not room(tonumber(ARGV[3])) then return 'L' end
put(ARGV[1], ARGV[2])
return 'OK'`;
/** ARGV: by, maxKeys. {'L'} past maxKeys, {'N', value} not an integer, else {'=', new value} (an integer reply: Lua's tostring would round it). */
const INCR = `${NOW}${ROOM}local v = redis.call('GET', KEYS[1])
if not v then
  if not room(tonumber(ARGV[2])) then return {'L'} end
  put(ARGV[1], '')
  return {'=', tonumber(ARGV[1])}
end
if not string.match(v, '^-?%d+$') then return {'N', v} end
return {'=', redis.call('INCRBY', KEYS[1], ARGV[1])}`;
/** ARGV: expected (ignored when absent), value, ttl ms or '', maxKeys, '1' when the key must be absent. */
const CAS = `${NOW}${ROOM}local v = redis.call('GET', KEYS[1])
if ARGV[5] == '1' then
  if v then return 0 end
elseif v ~= ARGV[1] then return 0 end
if not room(tonumber(ARGV[4])) then return -1 end
put(ARGV[2], ARGV[3])
return 1`;
const DELETE = `redis.call('ZREM', KEYS[2], KEYS[1])
return redis.call('DEL', KEYS[1])`;

export class RedisStore implements SharedBackend {
  readonly where = "Redis";
  readonly #prefix: string;
  readonly #index: string;

  constructor(
    private readonly link: RedisLink,
    app: string,
    private readonly limits: SharedLimits,
  ) {
    // The channel's hash tag: every key of one app in one Redis Cluster slot, as a script over two keys needs.
    this.#prefix = `wm:{${app}}:shared:`;
    this.#index = `wm:{${app}}:shared-index`;
  }

  async get(key: string): Promise<string | null> {
    return (await this.#command("GET", [this.#prefix + key])) as string | null;
  }

  async set(key: string, value: string, ttlMs: number | undefined): Promise<void> {
    const answer = await this.#script(SET, key, [value, ttlMs === undefined ? "" : String(ttlMs), String(this.limits.maxKeys)]);
    if (answer === "L") throw tooManyKeys(this.limits.maxKeys, key);
  }

  async incr(key: string, by: number): Promise<number> {
    const [kind, value] = (await this.#script(INCR, key, [String(by), String(this.limits.maxKeys)])) as [string, unknown];
    if (kind === "L") throw tooManyKeys(this.limits.maxKeys, key);
    if (kind === "N") throw notAnInteger(key, String(value));
    return Number(value);
  }

  async delete(key: string): Promise<boolean> {
    return Number(await this.#script(DELETE, key, [])) > 0;
  }

  async cas(key: string, expected: string | null, value: string, ttlMs: number | undefined): Promise<boolean> {
    const ttl = ttlMs === undefined ? "" : String(ttlMs);
    const answer = Number(await this.#script(CAS, key, [expected ?? "", value, ttl, String(this.limits.maxKeys), expected === null ? "1" : "0"]));
    if (answer === -1) throw tooManyKeys(this.limits.maxKeys, key);
    return answer === 1;
  }

  close(): void {
    // The link is the channel's: it closes it.
  }

  #script(script: string, key: string, args: string[]): Promise<unknown> {
    return this.#command("EVAL", [script, "2", this.#prefix + key, this.#index, ...args]);
  }

  /** One command, failed fast: at once while the link is down, within REDIS_CALL_TIMEOUT_MS while Redis is silent. */
  async #command(name: string, args: string[]): Promise<unknown> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_CALL_TIMEOUT_MS} ms`)), REDIS_CALL_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.link.command(name, args), late]);
    } catch (err) {
      throw new AppError(
        "E_UNAVAILABLE",
        `worker.shared lives in Redis (cluster.redis), which is out of reach: ${(err as Error).message}; calls fail until it is back`,
        { cause: err },
      );
    } finally {
      clearTimeout(timer);
    }
  }
}
