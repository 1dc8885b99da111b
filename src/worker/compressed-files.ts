// gzip and brotli for static files: picks the encoding a client accepts and keeps compressed bytes by ETag.
import { readFileSync } from "node:fs";

export type Encoding = "br" | "gzip";

/** Below this, compression saves less than the header costs; above this, compress-once-and-keep would use too much memory. */
const MIN_BYTES = 1024;
const MAX_BYTES = 8 * 1024 * 1024;
/** The cache's budget for compressed bytes in one worker; the oldest entries go first past it. */
const CACHE_BUDGET = 32 * 1024 * 1024;

/** node:zlib (and node:stream under it) costs a worker about 15 ms of CPU to load: taken on the first compression, not at start. */
const zlib = () => process.getBuiltinModule("node:zlib");

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|wasm|manifest\+json)|image\/svg\+xml)/;

/** Whether the response depends on Accept-Encoding at all (then it needs `Vary`). */
export function isCompressible(type: string, size: number): boolean {
  return size >= MIN_BYTES && size <= MAX_BYTES && COMPRESSIBLE.test(type);
}

/** The best encoding in the request's Accept-Encoding (br before gzip), or null for identity. */
export function chooseEncoding(request: Request, type: string, size: number): Encoding | null {
  if (!isCompressible(type, size)) return null;
  const accept = request.headers.get("accept-encoding");
  if (!accept) return null;
  const offered = new Set<string>();
  for (const part of accept.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    // "gzip;q=0" means "not gzip".
    if (params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p))) continue;
    if (name) offered.add(name);
  }
  if (offered.has("br")) return "br";
  if (offered.has("gzip")) return "gzip";
  return null;
}

/** Map order is insertion order: re-inserting on use makes the first key the least recently used. */
const cache = new Map<string, Uint8Array>();
let cachedBytes = 0;

/** The file's bytes in `encoding`, compressed once per (path, ETag) and then served from memory; synchronous, like the static path. */
export function compressedBytes(path: string, etag: string, encoding: Encoding): Uint8Array {
  const key = `${encoding} ${etag} ${path}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const raw = readFileSync(path);
  const { brotliCompressSync, constants, gzipSync } = zlib();
  const bytes =
    encoding === "br"
      ? brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 9, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length } })
      : gzipSync(raw, { level: 9 });
  cache.set(key, bytes);
  cachedBytes += bytes.byteLength;
  for (const [oldKey, old] of cache) {
    if (cachedBytes <= CACHE_BUDGET) break;
    cache.delete(oldKey);
    cachedBytes -= old.byteLength;
  }
  return bytes;
}
