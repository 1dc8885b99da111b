// The checks and resolution after the shape is right: paths against app.json's folder, listen addresses, files on disk, clashes.
import { dirname, resolve } from "node:path";
import { readClusterSecret } from "../cluster/cluster-secret.ts";
import { AppError } from "../errors.ts";
import { checkAddressClashes, checkUniqueNames } from "./cross-checks.ts";
import { isLoopbackHost, parseHostPort } from "./listen-url.ts";
import { ConfigProblems } from "./problems.ts";
import { checkSpawnSizes } from "./spawn-size.ts";
import { resolveWorker } from "./resolve-worker.ts";
import type { RawAppJson } from "./schema.ts";
import type { AdminConfig, AppConfig } from "./types.ts";

/** `data` has passed the schema (validate.ts, or the memo of an earlier pass); `configPath` anchors its relative paths. */
export function resolveConfig(data: RawAppJson, configPath: string): AppConfig {
  const absolutePath = resolve(configPath);
  const baseDir = dirname(absolutePath);
  const problems = new ConfigProblems();
  const admin = problems.attempt("admin.listen", () => resolveAdmin(data.admin, baseDir));
  const workers = data.workers.map((group, index) => resolveWorker(group, index, baseDir, problems));
  checkUniqueNames(
    data.workers.map((group) => group.name),
    problems,
  );
  checkAddressClashes(admin, workers, problems);
  checkSpawnSizes(data.name, workers, problems);
  // Checked with the rest of the file (check, reload, start), before the master takes its data directory.
  const secretFile = data.cluster?.secretFile && resolve(baseDir, data.cluster.secretFile);
  if (secretFile) problems.attempt("cluster.secretFile", () => readClusterSecret(secretFile));
  problems.throwIfAny();

  return {
    name: data.name,
    configPath: absolutePath,
    baseDir,
    dataDir: resolve(baseDir, data.dataDir),
    stopTimeout: data.stopTimeout,
    gracefulTimeout: data.gracefulTimeout,
    drainWindowMs: data.drainWindowMs,
    admin: admin!,
    log: data.log,
    store: data.store,
    reload: data.reload,
    cluster: data.cluster && { ...data.cluster, secretFile },
    shared: data.shared,
    channel: data.channel,
    workers: workers.filter((group) => group !== undefined),
  };
}

function resolveAdmin(raw: RawAppJson["admin"], baseDir: string): AdminConfig {
  const fail = (message: string): never => {
    throw new AppError("E_CONFIG", message, { field: "admin.listen" });
  };
  // Two easy slips whose generic host:port messages would mislead.
  if (raw.listen.includes("://")) fail(`"${raw.listen}": write host:port without a scheme, e.g. "127.0.0.1:9090"`);
  if (/^\d+$/.test(raw.listen)) fail(`"${raw.listen}" has no host: write "127.0.0.1:${raw.listen}"`);
  const { host, port } = parseHostPort(raw.listen, "", fail);
  if (!isLoopbackHost(host) && !raw.allowRemote) {
    fail(`host "${host}" is reachable from other machines: set "admin": { "allowRemote": true } to allow it, ` + 'or use "127.0.0.1:9090"');
  }
  return {
    host,
    port,
    tokenFile: raw.tokenFile === undefined ? undefined : resolve(baseDir, raw.tokenFile),
    metricsPublic: raw.metricsPublic,
    allowRemote: raw.allowRemote,
    maxConnections: raw.maxConnections,
    passwordHash: raw.passwordHash,
    allowedHosts: raw.allowedHosts,
  };
}
