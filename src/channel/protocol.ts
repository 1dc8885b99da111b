// The channel's wire: payloads of the IPC `channel` message both ways and of the Redis bus, and how data is packed.
import { toWire } from "../worker/wire.ts";
import { checkNameLength } from "./channel-limits.ts";

/** The master sets this in its environment before it spawns workers, so every process knows its instance. */
export const INSTANCE_ENV = "WORKERMAN_INSTANCE";

/** Connection data, converted once by the sender: a string, or bytes as base64 (IPC and Redis carry JSON). */
export type WireData = string | { b: string };
/** Topic data: any JSON value, or bytes. */
export type TopicData = { j: unknown } | { b: string };
/** An excluded connection: [pid, id] on the sender's instance, or [pid, id, instance]. */
export type WireRef = [number, number] | [number, number, string];

/** Routed sends, the same shape from a worker, to a worker and over Redis. */
export type Delivery =
  | { op: "pub"; topic: string; data: TopicData }
  | { op: "uid"; uid: string; data: WireData }
  | { op: "group"; group: string; data: WireData; ex?: WireRef[] }
  /** `wg`: only the processes of that worker group. */
  | { op: "all"; data: WireData; ex?: WireRef[]; wg?: string }
  /** A kept group message (publishToGroup), stamped by the master or Redis with its offset and the group's epoch. */
  | { op: "kept"; group: string; offset: number; epoch: string; data: WireData; ex?: WireRef[] };

/** A slice of a group's history: the epoch, the last offset given out, and the kept messages after `since`. */
export interface HistorySlice {
  epoch: string;
  offset: number;
  /** [offset, data], oldest first. */
  messages: [number, WireData][];
  /** false when messages after `since` were dropped (older than the history, or a different epoch). */
  complete: boolean;
  /** The page ended before the last kept message: ask again after the last offset it holds. */
  more?: boolean;
}

export type Query =
  | { what: "uidOnline"; uid: string }
  | { what: "uidCount" }
  | { what: "groupCount"; group: string }
  | { what: "groupMembers"; group: string }
  | { what: "history"; group: string; since?: number; limit?: number }
  /** Answered once the master has read every message this process sent before it (bindings included). */
  | { what: "sync" };

export type QueryValue = number | boolean | string[] | HistorySlice;

export type WorkerToRelay =
  | Delivery
  /** Absolute local counts (connections per uid / per group) and topic (un)subscriptions since the last state. */
  /** publishToGroup: the master (or Redis) gives it an offset, keeps it, and delivers it to every member, the sender's included. */
  | { op: "gpub"; group: string; data: WireData; ex?: WireRef[] }
  | { op: "state"; uids?: [string, number][]; groups?: [string, number][]; sub?: string[]; unsub?: string[] }
  | { op: "q"; qid: number; q: Query }
  | { op: "ack"; qid: number; ok: boolean }
  /** The answer to a `members` request: uids bound to the group's members in this process. */
  | { op: "mem"; qid: number; uids: string[] };

export type RelayToWorker =
  | Delivery
  | { op: "a"; qid: number; value: QueryValue; error?: string }
  /** Push to one connection of this process; answered with an ack. */
  | { op: "conn"; qid: number; id: number; data: WireData }
  /** The master gathers a group's uids from the processes that hold members; answered with `mem`. */
  | { op: "members"; qid: number; group: string };

/** A bus message: a delivery stamped with the instance that sent it. */
export type BusMessage = Delivery & { o: string };
/** Member gathering across instances: a request to all, answers addressed to the asker (`to`). */
export type BusControl = { op: "mq"; qid: number; group: string; o: string } | { op: "ma"; qid: number; uids: string[]; to: string; o: string };

export function packData(data: unknown): WireData {
  const wire = toWire(data);
  return typeof wire === "string" ? wire : { b: Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength).toString("base64") };
}

export function unpackData(data: WireData): string | Buffer {
  return typeof data === "string" ? data : Buffer.from(data.b, "base64");
}

export function packTopic(data: unknown): TopicData {
  if (data instanceof Uint8Array) return { b: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") };
  if (data instanceof ArrayBuffer) return { b: Buffer.from(data).toString("base64") };
  return { j: data };
}

export function unpackTopic(data: TopicData): unknown {
  return "b" in data ? Buffer.from(data.b, "base64") : data.j;
}

export function normalizeUid(uid: string | number): string {
  if (typeof uid === "number" && Number.isFinite(uid)) return String(uid);
  if (typeof uid === "string" && uid !== "") return checkNameLength("uid", uid);
  throw new TypeError(`a uid must be a non-empty string or a finite number, got ${JSON.stringify(uid)}`);
}

export function checkName(kind: "group" | "topic" | "worker group", name: string): string {
  if (typeof name !== "string" || name === "") throw new TypeError(`a ${kind} must be a non-empty string, got ${JSON.stringify(name)}`);
  return checkNameLength(kind, name);
}
