// The worker.shared requests a worker sends its master over IPC, and the master's replies; values travel as JSON text.

/** One operation on the shared store. Values are canonical JSON text (src/key-value/values.ts). */
export type SharedOp =
  | { op: "get"; key: string }
  | { op: "set"; key: string; value: string; ttlMs?: number }
  | { op: "incr"; key: string; by: number }
  | { op: "delete"; key: string }
  /** expected null: the key must be absent. */
  | { op: "cas"; key: string; expected: string | null; value: string; ttlMs?: number };

export type SharedRequest = SharedOp & { sid: number };

export type SharedResult = string | number | boolean | null;

export type SharedReply =
  | { sid: number; ok: true; value: SharedResult }
  /** code: an AppError code the worker rethrows with this message. */
  | { sid: number; ok: false; code: string; error: string; field?: string };
