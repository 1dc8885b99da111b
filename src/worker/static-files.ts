// Serves a folder over http:// with content types, validators (ETag, Last-Modified), synchronously, from an index.
import { lstatSync } from "node:fs";
import { chooseEncoding, compressedBytes, isCompressible } from "./compressed-files.ts";
import { StaticIndex, type StaticIndexOptions } from "./static-index.ts";

/**
 * Answers without awaiting anything: Bun 1.4 closes a connection whose pipelined request arrives while an earlier
 * response is still pending, so a synchronous answer is what keeps pipelining working.
 */
export class StaticFiles {
  readonly index: StaticIndex;

  constructor(root: string, options: StaticIndexOptions) {
    this.index = new StaticIndex(root, options);
  }

  /** A Response for the file `request` names, or null to let the handler answer. `url` is request.url, already read. */
  serve(request: Request, url: string): Response | null {
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return null;
    const pathname = decodedPath(url);
    if (pathname === null) return new Response("Bad Request", { status: 400 });
    // Only indexed paths are served: "..", dotfiles and links out of the folder are simply not in the index.
    const file = this.index.lookup(pathname);
    if (file === undefined) return null;
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) {
      // Removed or replaced since the last walk (the watcher will catch up): let the handler answer this one.
      this.index.refreshSoon();
      return null;
    }
    return fileResponse(request, file, info.size, info.mtimeMs, method === "HEAD");
  }

  close(): void {
    this.index.close();
  }
}

function fileResponse(request: Request, file: string, size: number, mtimeMs: number, head: boolean): Response {
  const etag = `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
  const lastModified = new Date(Math.floor(mtimeMs / 1000) * 1000).toUTCString();
  const headers = new Headers({ ETag: etag, "Last-Modified": lastModified, "Cache-Control": "no-cache" });
  const body = Bun.file(file);
  const encoding = chooseEncoding(request, body.type, size);
  // Caches must keep the encodings apart; the weak ETag may be shared by them (RFC 9110 8.8.1).
  if (isCompressible(body.type, size)) headers.set("Vary", "Accept-Encoding");
  if (isFresh(request, etag, mtimeMs)) return new Response(null, { status: 304, headers });
  headers.set("Content-Type", body.type);
  if (encoding !== null) {
    const bytes = compressedBytes(file, etag, encoding);
    headers.set("Content-Encoding", encoding);
    headers.set("Content-Length", String(bytes.byteLength));
    return new Response(head ? null : (bytes as Uint8Array<ArrayBuffer>), { headers });
  }
  headers.set("Content-Length", String(size));
  return new Response(head ? null : body, { headers });
}

/** The path of an absolute request URL, percent-decoded; null when it smuggles a NUL or is not valid UTF-8. */
function decodedPath(url: string): string | null {
  // "http://host/..." and "https://host/...": the path starts at the first "/" after the scheme's "//".
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start === -1) return "/";
  const query = url.indexOf("?", start);
  const raw = query === -1 ? url.slice(start) : url.slice(start, query);
  if (!raw.includes("%")) return raw;
  try {
    const path = decodeURIComponent(raw);
    return path.includes("\0") ? null : path;
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
