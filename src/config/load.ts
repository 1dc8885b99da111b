// Reads app.json, validates it and returns the resolved AppConfig, or throws one E_CONFIG error listing every problem.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { AppError } from "../errors.ts";
import { checkAddressClashes, checkUniqueNames } from "./cross-checks.ts";
import { parseJson } from "./json-errors.ts";
import { isLoopbackHost, parseHostPort } from "./listen-url.ts";
import { ConfigProblems } from "./problems.ts";
import { resolveWorker } from "./resolve-worker.ts";
import { appJsonSchema, type RawAppJson } from "./schema.ts";
import type { AdminConfig, AppConfig } from "./types.ts";
import { addZodIssues } from "./zod-issues.ts";

/** Load and validate the config file at `path` (relative to the current folder). */
export async function loadConfig(path: string): Promise<AppConfig> {
  const configPath = resolve(path);
  const text = await readConfigText(configPath);
  return validateConfigObject(parseJson(text, configPath), configPath);
}

/** Validate an already parsed app.json; `configPath` anchors its relative paths. Checks files on disk. */
export function validateConfigObject(raw: unknown, configPath: string): AppConfig {
  const absolutePath = resolve(configPath);
  const baseDir = dirname(absolutePath);
  const problems = new ConfigProblems();
  const parsed = appJsonSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    // Later checks assume the shape is right, so shape problems are reported on their own.
    addZodIssues(parsed.error.issues, appJsonSchema, problems);
    problems.throwIfAny();
  }
  const data = parsed.data as RawAppJson;

  const admin = problems.attempt("admin.listen", () => resolveAdmin(data.admin, baseDir));
  const workers = data.workers.map((group, index) => resolveWorker(group, index, baseDir, problems));
  checkUniqueNames(
    data.workers.map((group) => group.name),
    problems,
  );
  checkAddressClashes(admin, workers, problems);
  problems.throwIfAny();

  return {
    name: data.name,
    configPath: absolutePath,
    baseDir,
    dataDir: resolve(baseDir, data.dataDir),
    stopTimeout: data.stopTimeout,
    drainWindowMs: data.drainWindowMs,
    admin: admin!,
    log: data.log,
    store: data.store,
    reload: data.reload,
    cluster: data.cluster,
    channel: data.channel,
    workers: workers.filter((group) => group !== undefined),
  };
}

async function readConfigText(configPath: string): Promise<string> {
  try {
    return await readFile(configPath, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT"
        ? `config file not found: ${configPath} (create it, or pass another path with --config)`
        : code === "EISDIR"
          ? `config path ${configPath} is a folder: pass the app.json file inside it`
          : `cannot read config file ${configPath}: ${(err as Error).message}`;
    throw new AppError("E_CONFIG", why, { cause: err });
  }
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
    passwordHash: raw.passwordHash,
    allowedHosts: raw.allowedHosts,
  };
}
