// The admin API's answers as zod schemas for the OpenAPI document, each checked at compile time against its contract type.
import { z } from "zod";
import type { ErrorCode } from "../errors.ts";
import type {
  ConfigVersion,
  ConfigVersionDetail,
  ConnectionItem,
  ConnectionsResponse,
  FailureReason,
  IpcStatus,
  LastExit,
  ListResponse,
  LoginResponse,
  LogItem,
  LogsResponse,
  MetricsHistoryResponse,
  ProcessError,
  ReloadGroup,
  ReloadRecord,
  RunningConfigResponse,
  StatusCluster,
  StatusGroup,
  StatusProcess,
  StatusResponse,
  StoredEvent,
  StoreHealth,
  TimerItem,
  AuditRecord,
  HistorySeries,
} from "./contract.ts";

// `satisfies z.ZodType<T>`: a schema must name every required field of its contract type, with that type, so the
// document cannot lose or mistype a field the code sends. Deep records are typed objects with a description.

/** A nested record documented by its description: the type is the contract's, the fields are in src/admin/contract.ts. */
const record = <T>(description: string) => z.custom<T>().meta({ type: "object", description });
const ms = (what: string) => z.number().describe(`${what} (unix ms)`);

export const apiError = z
  .object({
    error: z.object({
      code: z.custom<ErrorCode>().meta({ type: "string", description: "E_USAGE, E_AUTH, E_NOT_FOUND, ... (one code per status: see the admin API page)" }),
      message: z.string().describe("The whole sentence, meant to be read as it is (it names the field where there is one)"),
      field: z.string().optional().describe("The query parameter, body path or app.json key at fault"),
    }),
  })
  .describe("Every error answer of the admin API");

const processError = z.object({
  pid: z.number(),
  error: z.object({ code: z.custom<ErrorCode>().meta({ type: "string" }), message: z.string() }),
}) satisfies z.ZodType<ProcessError>;

/** `{ items, errors }`: every list answer; `errors` names the processes whose rows are missing. */
export function listOf<T>(item: z.ZodType<T>) {
  return z.object({ items: z.array(item), errors: z.array(processError) }) satisfies z.ZodType<ListResponse<T>>;
}

const inOut = z.object({ in: z.number(), out: z.number() });
const percentiles = { p50: z.number().nullable(), p99: z.number().nullable() };

/** Traffic figures of a process or a group (src/master/traffic-records.ts). */
const traffic = {
  errors: z.object({ http5xx: z.number(), handler: z.number() }),
  latency: z.object(percentiles).describe("Seconds over about the last 10 s; null: not http, or no request then"),
  eventLoopLagSeconds: z.number().nullable(),
  responses: z.record(z.string(), z.number()).describe("http: responses by status code"),
  bytes: inOut,
  messages: inOut,
  app: z.object({
    values: z.record(z.string(), z.number()),
    histograms: z.record(z.string(), z.object({ count: z.number(), sum: z.number(), ...percentiles })),
  }),
};

const lastExit = record<LastExit>("The slot's last unasked exit: { code, signal, at, reason }");
const failureReason = record<FailureReason>(
  "Why a process failed: { kind, text, message, at?, file?, line?, column?, lineText?, code?, signal?, stderrTail?, pid?, index? }",
);

const statusProcess = z.object({
  ...traffic,
  pid: z.number().nullable().describe("null on a slot's row while no process fills it (backoff, crashloop)"),
  group: z.string(),
  index: z.number(),
  generation: z.number(),
  state: z.string().describe("starting, ready, draining, exited; backoff or crashloop for a slot waiting to restart"),
  startedAt: ms("Started"),
  restarts: z.number(),
  nextRetryAt: ms("backoff / crashloop: the next start").optional(),
  lastExit: lastExit.optional(),
  listen: z.string(),
  connections: z.number(),
  requests: z.number(),
  qps: z.number(),
  sendFail: z.number(),
  handlerErrors: z.number(),
  protocolErrors: z.number(),
  bytesRead: z.number(),
  bytesWritten: z.number(),
  idleClosed: z.number(),
  timers: z.number(),
  rssBytes: z.number(),
  cpuPercent: z.number(),
  metrics: z.record(z.string(), z.number()).optional().describe("The handler's worker.metrics values"),
}) satisfies z.ZodType<StatusProcess>;

const statusGroup = z.object({
  ...traffic,
  requests: z.number(),
  name: z.string(),
  listen: z.string(),
  count: z.number(),
  reloadable: z.boolean(),
  healthySeconds: z.number(),
}) satisfies z.ZodType<StatusGroup>;

const reloadGroup = z.object({
  name: z.string(),
  change: z.enum(["added", "removed", "changed", "unchanged"]),
  keys: z.array(z.string()),
  phase: z.enum(["starting", "settling", "probation", "replaced", "rolled-back", "removed"]),
  replaced: z.number(),
  count: z.number(),
  settleUntil: ms("settling: the settle window ends").optional(),
  drainUntil: ms("replaced: the old generation is killed if still there").optional(),
  reason: failureReason.optional(),
  probation: record<NonNullable<ReloadGroup["probation"]>>("{ until, parked, lost, outcome?, endedAt?, endedBy? }").optional(),
}) satisfies z.ZodType<ReloadGroup>;

export const reloadRecord = z.object({
  id: z.number(),
  generation: z.number(),
  state: z.enum(["running", "done", "rolled-back", "failed"]),
  graceful: z.boolean(),
  startedAt: ms("Started"),
  finishedAt: ms("Ended").optional(),
  groups: z.array(reloadGroup),
  needsRestart: z.array(z.string()).describe("Top-level keys that changed but apply only after restart"),
  error: z.string().optional(),
}) satisfies z.ZodType<ReloadRecord>;

export const statusResponse = z.object({
  master: z.object({
    pid: z.number(),
    version: z.string(),
    startedAt: ms("Started"),
    configPath: z.string(),
    name: z.string(),
    tcpMigrateReq: z.number().nullable(),
    storeError: record<StoreHealth>("{ errors, lastError, lastErrorAt, available }: set once a store write failed").nullable().optional(),
  }),
  groups: z.array(statusGroup),
  processes: z.array(statusProcess),
  lastReload: reloadRecord.optional(),
  cluster: record<StatusCluster>("The Redis link: { redis, instance, connected, failures, reconnects, lastError, pendingBytes, pendingRefused }")
    .nullable()
    .optional(),
  ipc: record<IpcStatus>("{ capBytes, dropped: { to-worker, to-master } }").optional(),
}) satisfies z.ZodType<StatusResponse>;

const connectionItem = z.object({
  pid: z.number(),
  id: z.number(),
  group: z.string(),
  protocol: z.string(),
  transport: z.string().describe("tcp, ssl, udp or unix"),
  remoteAddress: z.string(),
  remotePort: z.number(),
  localAddress: z.string(),
  localPort: z.number(),
  bytesRead: z.number(),
  bytesWritten: z.number(),
  pendingSendBytes: z.number(),
  openedAt: ms("Opened"),
  state: z.string().describe("ESTABLISHED, or DRAINING while its process is replaced or stopped"),
  outbound: z.boolean(),
}) satisfies z.ZodType<ConnectionItem>;

export const connectionsResponse = listOf(connectionItem).extend({ total: z.number() }) satisfies z.ZodType<ConnectionsResponse>;

export const timerList = listOf(
  z.object({
    pid: z.number(),
    group: z.string(),
    id: z.number(),
    intervalMs: z.number(),
    persistent: z.boolean(),
    runs: z.number(),
    nextAt: ms("The next run"),
  }) satisfies z.ZodType<TimerItem>,
);

const configVersion = z.object({
  version: z.number(),
  at: ms("Applied"),
  who: z.string(),
  diff: record<ConfigVersion["diff"]>("{ groups: [{ name, change, keys }], needsRestart }"),
}) satisfies z.ZodType<ConfigVersion>;
export const configList = listOf(configVersion);
export const configDetail = configVersion.extend({ config: z.record(z.string(), z.unknown()) }) satisfies z.ZodType<ConfigVersionDetail>;
export const runningConfig = z.object({
  version: z.number().nullable(),
  config: z.record(z.string(), z.unknown()),
  generation: z.number(),
}) satisfies z.ZodType<RunningConfigResponse>;

export const eventList = listOf(
  z.object({
    id: z.number(),
    at: ms("Happened"),
    type: z.string(),
    pid: z.number().nullable(),
    group: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  }) satisfies z.ZodType<StoredEvent>,
);

export const auditList = listOf(
  z.object({
    id: z.number(),
    at: ms("Happened"),
    action: z.string(),
    target: z.string(),
    actor: z.string().describe('"token", "session" or "none"'),
    source: z.string(),
    result: z.string(),
    detail: z.record(z.string(), z.unknown()).optional(),
  }) satisfies z.ZodType<AuditRecord>,
);

const perSecond = z.number().describe("Per second over the bucket");
const historyPoint = z.object({
  at: ms("Bucket start"),
  connections: z.number(),
  qps: z.number(),
  rssBytes: z.number(),
  cpuPercent: z.number(),
  eventLoopLagSeconds: z.number().nullable().describe("The worst event-loop delay in the bucket (a group: its slowest process); null: none kept"),
  latency: z
    .object(percentiles)
    .optional()
    .describe("Group points: seconds, from the histogram counts summed over the bucket; null: no request then, or not http"),
  responsesPerSecond: z
    .object({ "2xx": perSecond, "3xx": perSecond, "4xx": perSecond, "5xx": perSecond })
    .nullable()
    .optional()
    .describe("Group points: http responses per second by class; null: not http, or no traffic kept for the bucket"),
  handlerErrorsPerSecond: perSecond.nullable().optional().describe("Group points: callbacks that threw, per second; null: no traffic kept"),
});
const series = z.object({
  group: z.string(),
  pid: z.number().optional(),
  points: z.array(historyPoint),
}) satisfies z.ZodType<HistorySeries>;
export const metricsHistory = z.object({
  from: z.number(),
  to: z.number(),
  step: z.number().describe("Bucket size in seconds"),
  groups: z.array(series),
  processes: z.array(series),
}) satisfies z.ZodType<MetricsHistoryResponse>;

const logItem = z.object({
  seq: z.number(),
  at: ms("Written"),
  source: z.enum(["master", "worker"]),
  pid: z.number(),
  group: z.string().optional(),
  index: z.number().optional(),
  text: z.string(),
}) satisfies z.ZodType<LogItem>;
export const logsResponse = listOf(logItem).extend({ lastSeq: z.number() }) satisfies z.ZodType<LogsResponse>;

export const loginResponse = z.object({ ok: z.literal(true), session: z.string(), expiresAt: ms("Expires") }) satisfies z.ZodType<LoginResponse>;
