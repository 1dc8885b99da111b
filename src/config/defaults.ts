// Defaults the schema fills in that code which runs before the schema (validation-memo.ts) needs too.
export const DEFAULT_DATA_DIR = ".workerman";

/** How long a stop may take; `stop` waits this long when app.json is unreadable and the running values are unknown. */
export const DEFAULT_STOP_TIMINGS = { stopTimeout: 2, gracefulTimeout: 60, drainWindowMs: 300 };

/** http/websocket: a keep-alive connection or WebSocket silent this long is closed (Bun allows at most 255). */
export const SERVED_IDLE_TIMEOUT = 60;
/**
 * tcp/text/frame/unix: past the usual device heartbeats (Workerman closes none by default, and a device that reports
 * every few minutes must not be cut off each minute), yet peers gone without a FIN (a NAT that forgot them) do not
 * pile up for ever.
 */
export const STREAM_IDLE_TIMEOUT = 600;
