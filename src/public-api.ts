// What user code imports from "workerman-app": the handler types, and a few runtime values.
import type { Worker } from "./worker/types.ts";
export type { App, Connection, ConnectOptions, Metrics, OutboundConnection, Timers, TimerOptions, Worker } from "./worker/types.ts";
export type { Channel, ConnectionRef, GroupHistory, GroupMessage, GroupPosition, RecoverResult, SendAllOptions, SendOptions } from "./worker/types.ts";
export type { Shared, SharedSetOptions } from "./key-value/types.ts";
export { sse, type SseMessage, type SseOptions, type SseStream } from "./worker/server-sent-events.ts";
export type { Protocol, ProtocolConnection } from "./protocols/protocol.ts";
export type { ListenAddress, WorkerGroupConfig } from "./config/types.ts";
export { AppError } from "./errors.ts";
export { VERSION } from "./version.ts";
/** The worker process this code runs in, for code that no callback hands it to (an http `fetch`, module scope). */
export declare const worker: Worker;
