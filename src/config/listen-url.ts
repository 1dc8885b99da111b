// Parses a worker group's `listen` URL (and the admin "host:port") into a ListenAddress.
import { isAbsolute, resolve } from "node:path";
import { AppError } from "../errors.ts";
import { suggest } from "./suggest.ts";
import type { ListenAddress, Scheme } from "./types.ts";

const SCHEMES: readonly Scheme[] = ["tcp", "udp", "unix", "http", "websocket", "text", "frame"];
const ALIASES: Record<string, Scheme> = { ws: "websocket" };
// sun_path is 108 bytes on Linux, one of them the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 107;

/** Parse `url` as written in app.json; relative unix:// paths are resolved against `baseDir`. */
export function parseListenUrl(url: string, baseDir: string, field?: string): ListenAddress {
  const fail = (message: string): never => {
    throw new AppError("E_CONFIG", message, { field });
  };
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(.*)$/s.exec(url.trim());
  if (!match) return fail(`"${url}" is not a listen URL (expected scheme://host:port, e.g. tcp://127.0.0.1:8000)`);
  const written = match[1]!.toLowerCase();
  const rest = match[2]!;
  const scheme = ALIASES[written] ?? SCHEMES.find((s) => s === written);
  if (scheme === undefined) return fail(unknownScheme(written));

  if (scheme === "unix") {
    if (rest === "") return fail('unix:// needs a socket path, e.g. "unix://./app.sock" or "unix:///run/app.sock"');
    const path = isAbsolute(rest) ? rest : resolve(baseDir, rest);
    const bytes = Buffer.byteLength(path);
    if (bytes > MAX_SOCKET_PATH_BYTES) {
      fail(`socket path ${path} is ${bytes} bytes; Linux allows ${MAX_SOCKET_PATH_BYTES}: use a shorter path`);
    }
    return { scheme, host: "", port: 0, path, url };
  }

  const authority = rest.endsWith("/") ? rest.slice(0, -1) : rest;
  if (authority.includes("/")) return fail(`"${url}" has a path; a listen URL is only ${scheme}://host:port`);
  const { host, port } = parseHostPort(authority, `${scheme}://`, fail);
  return { scheme, host, port, url };
}

/**
 * Split "host:port" or "[v6]:port". `prefix` shapes the examples in messages ("tcp://" or "" for admin.listen);
 * `fail` throws.
 */
export function parseHostPort(text: string, prefix: string, fail: (message: string) => never): { host: string; port: number } {
  let host: string;
  let portText: string | undefined;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0) return fail(`"${text}": missing "]" after the IPv6 address`);
    host = text.slice(1, close);
    const after = text.slice(close + 1);
    if (after !== "" && !after.startsWith(":")) return fail(`"${text}": expected ":port" after "]"`);
    portText = after === "" ? undefined : after.slice(1);
  } else {
    const colons = text.split(":").length - 1;
    if (colons > 1) return fail(`"${text}": put an IPv6 address in brackets, e.g. ${prefix}[::1]:8000`);
    const at = text.lastIndexOf(":");
    host = at < 0 ? text : text.slice(0, at);
    portText = at < 0 ? undefined : text.slice(at + 1);
  }
  if (host === "") {
    return fail(`missing host in "${text}" (use 0.0.0.0 for all interfaces, 127.0.0.1 for this machine)`);
  }
  if (portText === undefined || portText === "") {
    return fail(`missing port in "${text}", e.g. ${prefix}${text}:8000 (port 0 picks a free port)`);
  }
  if (!/^\d+$/.test(portText)) return fail(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port > 65535) return fail(`port ${port} is out of range (0..65535; 0 picks a free port)`);
  return { host, port };
}

function unknownScheme(written: string): string {
  const expected = `expected ${SCHEMES.join(", ")}`;
  if (written === "https" || written === "wss") {
    const plain = written === "https" ? "http" : "websocket";
    return `unknown scheme "${written}" (${expected}): use ${plain}:// and add "ssl": { "cert", "key" } for TLS`;
  }
  const near = suggest(written, [...SCHEMES, "ws"]);
  return `unknown scheme "${written}" (${expected})${near ? `: did you mean ${near}?` : ""}`;
}

/** Loopback hosts are the only ones the admin plane may use without `allowRemote`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** A ListenAddress as the URL an operator reads (status, the start table, check). */
export function listenText(listen: ListenAddress): string {
  if (listen.scheme === "unix") return `unix://${listen.path}`;
  const host = listen.host.includes(":") ? `[${listen.host}]` : listen.host;
  return `${listen.scheme}://${host}:${listen.port}`;
}
