// Signed commands between instances over the Redis bus: sends them, routes replies to whoever waits, checks and counts what arrives.
import { CommandGuard, signCommand, type CommandEnvelope, type Refusal } from "./signed-command.ts";

export interface BusLink {
  publishCommand(text: string): boolean;
}

export interface CommandBusOptions {
  link: BusLink;
  self: string;
  secret: Buffer | null;
  /** A verified command addressed here (replies excluded). */
  handle: (kind: string, body: Record<string, unknown>, from: string) => void;
  /** A command addressed here that was refused: counted here, then recorded by the caller (audit, event). */
  refused: (from: string, kind: string, reason: Refusal) => void;
}

export interface CommandCounts {
  accepted: number;
  refused: Record<string, number>;
}

type ReplyWaiter = (body: Record<string, unknown>) => void;

export class CommandBus {
  readonly counts: CommandCounts = { accepted: 0, refused: {} };
  readonly #guard: CommandGuard;
  readonly #waiters = new Map<string, ReplyWaiter>();
  #nextRid = 1;

  constructor(private readonly options: CommandBusOptions) {
    this.#guard = new CommandGuard(options.secret);
  }

  get enabled(): boolean {
    return this.options.secret !== null;
  }

  /** A request id unique to this instance, for matching replies. */
  newRid(): string {
    return `${this.options.self}:${this.#nextRid++}`;
  }

  /** Signs and publishes; false when Redis is unavailable or commands are off here. */
  send(to: string, kind: string, body: Record<string, unknown>): boolean {
    if (!this.options.secret) return false;
    return this.options.link.publishCommand(JSON.stringify(signCommand(this.options.secret, this.options.self, to, kind, body)));
  }

  /** Replies carrying `rid` go to `waiter` until the returned function is called. */
  expect(rid: string, waiter: ReplyWaiter): () => void {
    this.#waiters.set(rid, waiter);
    return () => this.#waiters.delete(rid);
  }

  receive(text: string): void {
    let envelope: CommandEnvelope;
    try {
      envelope = JSON.parse(text) as CommandEnvelope;
    } catch {
      return;
    }
    // Commands for other instances are theirs to check and count.
    if (envelope.to !== this.options.self) return;
    const from = typeof envelope.from === "string" ? envelope.from : "?";
    const kind = typeof envelope.kind === "string" ? envelope.kind : "?";
    const checked = this.#guard.check(envelope);
    if (!checked.ok) {
      this.counts.refused[checked.reason] = (this.counts.refused[checked.reason] ?? 0) + 1;
      return this.options.refused(from, kind, checked.reason);
    }
    this.counts.accepted++;
    const body = (checked.body ?? {}) as Record<string, unknown>;
    if (kind === "reply") return void this.#waiters.get(String(body.rid))?.(body);
    this.options.handle(kind, body, from);
  }
}
