// Turns one raw worker group into its resolved form: listen address, absolute paths, per-listener rules.
import { statSync } from "node:fs";
import { resolve } from "node:path";
import { SERVED_IDLE_TIMEOUT, STREAM_IDLE_TIMEOUT } from "./defaults.ts";
import { parseListenUrl } from "./listen-url.ts";
import type { ConfigProblems } from "./problems.ts";
import type { RawWorkerGroup } from "./schema.ts";
import type { ListenAddress, WorkerGroupConfig } from "./types.ts";

const BUILTIN_PROTOCOLS = ["text", "frame", "json"];
// Bun.serve rejects a larger idleTimeout ("expects idleTimeout to be 255 or less").
const MAX_SERVE_IDLE_TIMEOUT = 255;

/** The resolved group, or undefined when its listen URL is unusable (the problem is recorded). */
export function resolveWorker(raw: RawWorkerGroup, index: number, baseDir: string, problems: ConfigProblems): WorkerGroupConfig | undefined {
  const at = (key: string) => `workers[${index}].${key}`;
  const listen = problems.attempt(at("listen"), () => parseListenUrl(raw.listen, baseDir, at("listen")));

  const handler = resolve(baseDir, raw.handler);
  requirePath(handler, "file", "handler module", at("handler"), baseDir, problems);
  const staticDir = raw.static === undefined ? undefined : resolve(baseDir, raw.static);
  if (staticDir) requirePath(staticDir, "folder", "static folder", at("static"), baseDir, problems);
  const ssl = raw.ssl && { cert: resolve(baseDir, raw.ssl.cert), key: resolve(baseDir, raw.ssl.key) };
  if (ssl) {
    requirePath(ssl.cert, "file", "certificate", at("ssl.cert"), baseDir, problems);
    requirePath(ssl.key, "file", "private key", at("ssl.key"), baseDir, problems);
  }
  let protocol = raw.protocol;
  if (protocol !== undefined && !BUILTIN_PROTOCOLS.includes(protocol)) {
    protocol = resolve(baseDir, protocol);
    requirePath(protocol, "file", "protocol module", at("protocol"), baseDir, problems);
  }
  if (listen === undefined) return undefined;
  checkListenerRules(raw, listen, at, problems);

  return {
    name: raw.name,
    listen,
    count: raw.count,
    handler,
    // text:// and frame:// name their framing, so readers need not derive it from the scheme.
    protocol: listen.scheme === "text" || listen.scheme === "frame" ? listen.scheme : streamOnly(listen, protocol),
    static: staticDir,
    staticDotfiles: raw.staticDotfiles,
    staticOutsideSymlinks: raw.staticOutsideSymlinks,
    reloadable: raw.reloadable,
    ssl,
    maxPackageSize: raw.maxPackageSize,
    maxSendBufferSize: raw.maxSendBufferSize,
    maxMemoryMB: raw.maxMemoryMB,
    maxBodySize: raw.maxBodySize,
    maxBufferedInput: raw.maxBufferedInput,
    packageTimeout: raw.packageTimeout,
    maxConnections: raw.maxConnections,
    maxConnectionsPerIp: raw.maxConnectionsPerIp,
    idleTimeout: raw.idleTimeout ?? (listen.scheme === "http" || listen.scheme === "websocket" ? SERVED_IDLE_TIMEOUT : STREAM_IDLE_TIMEOUT),
    socketMode: typeof raw.socketMode === "number" ? raw.socketMode : parseInt(raw.socketMode.replace(/^0o?/, ""), 8),
    env: raw.env,
    watchdogSeconds: raw.watchdogSeconds,
    ...(raw.healthySeconds === undefined ? {} : { healthySeconds: raw.healthySeconds }),
    ...(raw.probationSeconds === undefined ? {} : { probationSeconds: raw.probationSeconds }),
  };
}

function streamOnly(listen: ListenAddress, protocol: string | undefined): string | undefined {
  return listen.scheme === "tcp" || listen.scheme === "unix" ? protocol : undefined;
}

function checkListenerRules(raw: RawWorkerGroup, listen: ListenAddress, at: (key: string) => string, problems: ConfigProblems): void {
  const { scheme } = listen;
  const served = scheme === "http" || scheme === "websocket";
  if (raw.protocol !== undefined) {
    if (served || scheme === "udp") {
      const own = scheme === "udp" ? "each datagram is one message" : `${scheme}:// frames its own messages`;
      problems.add(at("protocol"), `"protocol" applies only to tcp:// and unix:// listeners (${own}): remove it`);
    } else if ((scheme === "text" || scheme === "frame") && raw.protocol !== scheme) {
      const fix = `remove "protocol" or listen on tcp://`;
      problems.add(at("protocol"), `${scheme}:// already means protocol "${scheme}": ${fix}`);
    }
  }
  if (raw.ssl && (scheme === "udp" || scheme === "unix")) {
    problems.add(at("ssl"), `"ssl" is not supported on ${scheme}:// listeners: remove it, or listen on tcp:// for TLS`);
  }
  if (raw.static !== undefined && !served) {
    problems.add(at("static"), `"static" is served only by http:// and websocket:// groups, not ${scheme}://`);
  }
  for (const key of ["staticDotfiles", "staticOutsideSymlinks"] as const) {
    if (raw[key] && raw.static === undefined) problems.add(at(key), `"${key}" applies to a "static" folder: add "static" or remove it`);
  }
  if (served && raw.idleTimeout !== undefined && raw.idleTimeout > MAX_SERVE_IDLE_TIMEOUT) {
    const limit = `${scheme}:// allows at most ${MAX_SERVE_IDLE_TIMEOUT} seconds`;
    problems.add(at("idleTimeout"), `${limit} (got ${raw.idleTimeout})`);
  }
}

/** Record a problem unless `path` exists and is a file (or folder). */
export function requirePath(path: string, kind: "file" | "folder", what: string, field: string, baseDir: string, problems: ConfigProblems): void {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (stat === undefined) {
    problems.add(field, `${what} not found: ${path} (paths are relative to the config file's folder ${baseDir})`);
  } else if (kind === "file" && !stat.isFile()) {
    problems.add(field, `${what} ${path} is not a file`);
  } else if (kind === "folder" && !stat.isDirectory()) {
    problems.add(field, `${what} ${path} is not a folder`);
  }
}
