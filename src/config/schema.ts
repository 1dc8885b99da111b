// The zod schema of the raw app.json as a user writes it, and its JSON Schema for editors and `schema`.
import { z } from "zod";
import { channelSchema } from "./channel-schema.ts";
import { sharedSchema } from "./shared-schema.ts";
import { DEFAULT_DATA_DIR, DEFAULT_STOP_TIMINGS } from "./defaults.ts";

const MiB = 1024 * 1024;

const path = (what: string) => z.string().min(1, `must be a path to ${what}`);
const positiveInt = (units: string, one: string) => z.number().int(`must be a whole number of ${units}`).min(1, `must be at least 1 ${one}`);

export const sslSchema = z
  .strictObject({
    cert: path("a PEM certificate file").describe("Certificate chain (PEM), relative to app.json."),
    key: path("a PEM private key file").describe("Private key (PEM), relative to app.json."),
  })
  .describe("TLS for a stream listener (http, websocket, tcp, text, frame). Not allowed on udp:// or unix://.");

const protocolSchema = z
  .string()
  .regex(/^(text|frame|json|\.{1,2}\/.+|\/.+)$/, 'must be "text", "frame", "json" or a module path starting with "./", "../" or "/"')
  .describe(
    'Message framing for tcp:// and unix:// listeners: "text" (newline-delimited), "frame" (4-byte length prefix), ' +
      '"json" (newline-delimited JSON) or "./my-protocol.ts" exporting input/decode/encode. ' +
      "text:// and frame:// imply it; http, websocket and udp do not take one.",
  );

const socketModeSchema = z
  .union([
    z.number().int().min(0).max(0o777, 'a file mode above 511 (0o777): write it as an octal string like "0660"'),
    z.string().regex(/^(0o?)?[0-7]{3}$/, 'must be an octal file mode string like "0660"'),
  ])
  .describe('unix:// socket file mode: an octal string like "0660" (a JSON number is read as decimal: 438 = 0o666).');

export const workerSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'must start with a letter or "_" and use only letters, digits, "_" and "-"')
      .describe("Group name, unique in the file; used in the admin plane, logs and `reload <group>`."),
    listen: z
      .string()
      .min(1, "must be a listen URL such as tcp://127.0.0.1:8000")
      .describe(
        "Listen URL: http://, websocket:// (ws://), tcp://, text://, frame://, udp://host:port " +
          "(port 0 picks a free port once for the group), " +
          "or unix://./path.sock (relative to app.json) / unix:///abs.sock. " +
          "IPv6 hosts go in brackets: tcp://[::1]:8000.",
      ),
    count: positiveInt("processes", "process")
      .default(1)
      .describe(
        "Number of processes. Network listeners share the port with SO_REUSEPORT; for unix:// the master binds " +
          "the socket once and hands the listening descriptor to every process, so count > 1 works there too.",
      ),
    handler: path("the handler module (e.g. ./web.ts)").describe("Handler module (.ts/.js), relative to app.json; its default export holds the callbacks."),
    protocol: protocolSchema.optional(),
    static: path("a folder").optional().describe("Folder of static files served by http:// and websocket:// groups."),
    staticDotfiles: z
      .boolean()
      .default(false)
      .describe('Serve names starting with "." (.env, .git/config, .well-known) from the static folder; refused (404) by default.'),
    staticOutsideSymlinks: z.boolean().default(false).describe("Serve symlinks in the static folder that point outside it; refused (404) by default."),
    reloadable: z.boolean().default(true).describe("false: `reload` leaves this group's processes running."),
    ssl: sslSchema.optional(),
    maxPackageSize: positiveInt("bytes", "byte")
      .default(10 * MiB)
      .describe("Largest packet a protocol may frame, in bytes."),
    maxSendBufferSize: positiveInt("bytes", "byte").default(MiB).describe("Unsent bytes a connection may hold before onBufferFull, in bytes."),
    maxMemoryMB: positiveInt("MiB", "MiB").optional().describe("Restart a process whose resident memory passes this many MiB."),
    maxBodySize: positiveInt("bytes", "byte")
      .default(10 * MiB)
      .describe("http:// request body limit, in bytes."),
    maxBufferedInput: positiveInt("bytes", "byte")
      .default(64 * MiB)
      .describe(
        "Bytes each process may hold in partial packets and unread request bodies, all connections together; past it the connections holding the most are closed.",
      ),
    packageTimeout: z
      .number()
      .min(0, "must be 0 (never) or more seconds")
      .default(30)
      .describe("Seconds a partial packet or request body may take to complete before its connection is closed; 0 never."),
    maxConnections: positiveInt("connections", "connection")
      .optional()
      .describe("Connections each process accepts; past it a new one is closed at once. Default: 90% of the open-files limit less 256."),
    maxConnectionsPerIp: positiveInt("connections", "connection")
      .optional()
      .describe("Connections each process accepts from one address; past it a new one from there is closed at once. Default: no limit."),
    idleTimeout: z
      .number()
      .min(0, "must be 0 (never) or more seconds")
      .optional()
      .describe("Seconds a connection may stay silent before it is closed; 0 never. Default 60 for http/websocket (at most 255), 600 for tcp/text/frame/unix."),
    // 0660, not 0666: a unix socket's file mode is its only access control, so by default only the app's own user and
    // group may connect (php-fpm's choice too); "0666" opens it to every local account.
    socketMode: socketModeSchema.default(0o660),
    env: z.record(z.string(), z.string("environment values must be strings")).default({}).describe("Extra environment variables for this group's processes."),
    healthySeconds: z
      .number()
      .min(0, "must be 0 or more seconds")
      .optional()
      .describe("This group's settle window on reload (overrides reload.healthySeconds)."),
    probationSeconds: z
      .number()
      .min(0, "must be 0 or more seconds")
      .optional()
      .describe("This group's probation after a reload (overrides reload.probationSeconds)."),
    watchdogSeconds: z
      .number()
      .min(0, "must be 0 (off) or more seconds")
      .default(10)
      .describe("Seconds a ready process may stay silent (no once-a-second report) before it counts as unresponsive and is killed and replaced; 0 off."),
  })
  .describe("A group of identical processes serving one listen address with one handler.");

export const adminSchema = z
  .strictObject({
    listen: z.string().default("127.0.0.1:9090").describe("host:port of the admin API and dashboard; a non-loopback host needs allowRemote: true."),
    tokenFile: path("a token file").optional().describe("File holding the admin token, relative to app.json (default: generated in dataDir, mode 0600)."),
    metricsPublic: z.boolean().default(false).describe("Serve Prometheus /metrics without the token."),
    allowRemote: z.boolean().default(false).describe("Allow admin.listen on a non-loopback address."),
    maxConnections: z
      .number()
      .int("must be a whole number of connections")
      .min(8, "must be at least 8 (a dashboard page opens several)")
      .max(65_536, "must be at most 65536")
      .default(256)
      .describe(
        "Open connections the admin plane accepts (lowered to fit the open-files limit); idle unauthenticated ones are closed first, past it new ones are refused.",
      ),
    passwordHash: z
      .string()
      .regex(/^\$argon2id\$/, "must be an argon2id hash: run bun -e 'console.log(await Bun.password.hash(\"your password\"))'")
      .optional()
      .describe("argon2id hash of a dashboard password, accepted by POST /api/login besides the token."),
    allowedHosts: z
      .array(z.string().min(1))
      .optional()
      .describe("Host names (besides IP addresses and localhost) the admin plane answers to; others are refused (DNS rebinding)."),
  })
  .describe("The admin plane (HTTP API, dashboard, metrics).");

export const clusterSchema = z
  .strictObject({
    redis: z
      .string()
      .regex(/^rediss?:\/\/.+/, 'must be a Redis URL like "redis://127.0.0.1:6379"')
      .describe("Redis URL shared by every host of the cluster, for the cross-host channel."),
    maxPendingBytes: z
      .number()
      .int("must be a whole number of bytes")
      .min(65_536, "must be at least 65536 bytes (64 KiB)")
      .default(8 * 1024 * 1024)
      .describe("Bytes that may wait for Redis to answer (a slow or stopped Redis); past them cross-host publishes are dropped and counted."),
    secretFile: z.string().min(1).optional().describe("File (mode 0600, 32+ characters) whose secret signs cluster commands; without it they are off."),
  })
  .describe("Scale-out across hosts; leave out for one host.");

export const logSchema = z
  .strictObject({
    maxBytes: positiveInt("bytes", "byte")
      .default(10 * MiB)
      .describe("Rotate the daemon log past this size, in bytes."),
    keep: positiveInt("files", "file").default(5).describe("Rotated log files to keep (workerman.log.1 .. .N)."),
    format: z
      .enum(["text", "json"])
      .default("text")
      .describe(
        'How the daemon log and the foreground output are written: "text" (`[web#0 123] line`) or "json" (one object per line: time, level, source, pid, group, index, msg, and a supervisor event\'s own fields).',
      ),
  })
  .describe("The daemon log (<dataDir>/workerman.log) written by `start -d`, and the format of the master's output.");

const seconds = (what: string) => positiveInt("seconds", "second").describe(what);

export const storeSchema = z
  .strictObject({
    keepSecondSamples: seconds("Seconds per-second metrics samples are kept before they are folded into per-minute ones.").default(3600),
    keepMinuteSamples: seconds("Seconds per-minute metrics samples are kept.").default(7 * 24 * 3600),
    keepEvents: seconds("Seconds stored events and audit records are kept.").default(30 * 24 * 3600),
  })
  .describe("The master's SQLite store (<dataDir>/store.db): metrics history, events, audit log.");

export const reloadSchema = z
  .strictObject({
    healthySeconds: z
      .number()
      .min(0, "must be 0 or more seconds")
      .default(2)
      .describe("Seconds every new process must stay up (and onHealthCheck agree) before the old generation drains."),
    startTimeout: z
      .number()
      .positive("must be more than 0 seconds")
      .default(10)
      .describe("Seconds a new process may take to become ready, at start and on reload, before it counts as failed."),
    probationSeconds: z
      .number()
      .min(0, "must be 0 or more seconds")
      .default(30)
      .describe(
        "Seconds after a reload during which the old generation stays parked (listeners closed, code in memory): a new process that exits then rolls the group back to it. 0: the old generation exits at once.",
      ),
  })
  .describe("The reload health gate: a new generation replaces the old one only once it is ready and stays up.");

export const appJsonSchema = z
  .strictObject({
    $schema: z.string().optional().describe("Path or URL of this JSON Schema, for editors."),
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must use only letters, digits, ".", "_" and "-"')
      .describe("Application name, shown in the admin plane and process titles."),
    dataDir: path("a folder").default(DEFAULT_DATA_DIR).describe("Folder for the pid file, admin token and SQLite store, relative to app.json."),
    stopTimeout: z
      .number()
      .positive("must be more than 0 seconds")
      .default(DEFAULT_STOP_TIMINGS.stopTimeout)
      .describe("Seconds an old process may take to finish its connections on stop and reload."),
    gracefulTimeout: z
      .number()
      .positive("must be more than 0 seconds")
      .default(DEFAULT_STOP_TIMINGS.gracefulTimeout)
      .describe(
        "Seconds a graceful stop or reload (-g) waits for an old process's connections; then it closes the rest itself (WebSockets get 1001), and is killed (SIGKILL) 2 s later if it cannot.",
      ),
    drainWindowMs: z
      .number()
      .int("must be a whole number of milliseconds")
      .min(0, "must be 0 or more milliseconds")
      .default(DEFAULT_STOP_TIMINGS.drainWindowMs)
      .describe("Milliseconds an old http process answers `Connection: close` before closing its listener."),
    admin: adminSchema.prefault({}),
    log: logSchema.prefault({}),
    store: storeSchema.prefault({}),
    reload: reloadSchema.prefault({}),
    cluster: clusterSchema.optional(),
    shared: sharedSchema.prefault({}),
    channel: channelSchema.prefault({}),
    workers: z.array(workerSchema).min(1, "add at least one worker group").describe("The worker groups."),
  })
  .describe("workerman-app configuration (app.json). Paths are relative to this file.");

export { channelSchema, historyRuleSchema } from "./channel-schema.ts";

export type RawAppJson = z.output<typeof appJsonSchema>;
export type RawWorkerGroup = z.output<typeof workerSchema>;

/** The JSON Schema (draft 2020-12) of app.json as written: defaulted keys are optional. */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(appJsonSchema, { io: "input" }) as Record<string, unknown>;
}
