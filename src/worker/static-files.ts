// Serves a folder over http:// with content types, validators (ETag, Last-Modified) and no way out of the folder.
import { stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { chooseEncoding, compressedBytes, isCompressible } from "./compressed-files.ts";

/** Returns a Response for the file under `root` that `request` names, or null to let the handler answer. */
export async function serveStatic(root: string, request: Request): Promise<Response | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const pathname = decodedPath(request.url);
  if (pathname === null) return new Response("Bad Request", { status: 400 });
  let file = resolve(root, "." + pathname);
  if (file !== root && !file.startsWith(root.endsWith(sep) ? root : root + sep)) return new Response("Forbidden", { status: 403 });
  let info = await stat(file).catch(() => null);
  if (info?.isDirectory()) {
    file = join(file, "index.html");
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) return null;

  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(info.mtimeMs / 1000) * 1000).toUTCString();
  const headers = new Headers({ ETag: etag, "Last-Modified": lastModified, "Cache-Control": "no-cache" });
  const body = Bun.file(file);
  const encoding = chooseEncoding(request, body.type, info.size);
  // Caches must keep the encodings apart; the weak ETag may be shared by them (RFC 9110 8.8.1).
  if (isCompressible(body.type, info.size)) headers.set("Vary", "Accept-Encoding");
  if (isFresh(request, etag, info.mtimeMs)) return new Response(null, { status: 304, headers });
  headers.set("Content-Type", body.type);
  if (encoding !== null) {
    const bytes = await compressedBytes(file, etag, encoding, body);
    headers.set("Content-Encoding", encoding);
    headers.set("Content-Length", String(bytes.byteLength));
    return new Response(request.method === "HEAD" ? null : (bytes as Uint8Array<ArrayBuffer>), { headers });
  }
  headers.set("Content-Length", String(info.size));
  return new Response(request.method === "HEAD" ? null : body, { headers });
}

/** The URL path, percent-decoded; null when it smuggles a NUL or is not valid UTF-8. */
function decodedPath(url: string): string | null {
  const raw = new URL(url).pathname;
  try {
    const path = decodeURIComponent(raw);
    return path.includes("\0") ? null : path.replaceAll("\\", "/");
  } catch {
    return null;
  }
}

function isFresh(request: Request, etag: string, mtimeMs: number): boolean {
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch !== null) return ifNoneMatch.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*");
  const ifModifiedSince = request.headers.get("if-modified-since");
  if (ifModifiedSince === null) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}
