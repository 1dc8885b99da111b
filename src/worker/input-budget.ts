// The process's budget for bytes held in partial packets and unread request bodies: past it the heaviest holders are closed.
import { BIG_BUFFER, collectNow, freedSinceCollection } from "../released-memory.ts";
import { inputReasons, ShedLog } from "./shed-log.ts";

export type ShedReason = "budget" | "timeout";

/** Something that keeps received bytes a handler has not been given yet: a stream connection, a request body. */
export interface InputHolder {
  /** Bytes it keeps now. */
  readonly inputHeld: number;
  readonly remoteAddress: string;
  /** Closes it (the budget has counted and logged why); its bytes are given back to the budget by then. */
  shedInput(reason: ShedReason): void;
}

/** What counts a shed, a timeout, and lists the stream connections that may hold bytes (the runtime's registry). */
export interface BudgetHost {
  counters: { inputShed: number; packageTimeouts: number };
  forEachStreamHolder(visit: (holder: InputHolder) => void): void;
}

/** A request body being read: held while its bytes wait for the handler (see http-body-read.ts). */
export interface BodyHold extends InputHolder {
  inputHeld: number;
  readonly startedAt: number;
}

/** Forced collections at least this far apart, and spending at most a third of the time (COST_SHARE). */
const GC_EVERY_MS = 10;
const COST_SHARE = 3;

/**
 * Two numbers on the data path (each chunk adds what its connection's kept bytes grew or shrank by); the walk to find
 * the heaviest holders runs only once the total passes the limit, and leaves the total at or below it.
 *
 * Freed input is not free memory until the collector runs, and left to itself it ran late: a flood of partial packets
 * measured 5x the budget in RSS. So what was let go since the last collection counts too, and passing the limit
 * forces a collection before anyone is shed for it. Buffers nobody else views are freed at once (releaseBuffer),
 * but the allocator keeps freed pages up to 100 ms before giving them back, and under a flood it reused too few of
 * them: so those count until the next forced collection as well, which returns them (see released-memory.ts).
 */
export class InputBudget {
  /** Bytes kept now by partial packets and bodies being read. */
  held = 0;
  /** Bytes let go to the collector since the last forced collection (buffers outgrown, packets completed, holders closed). */
  dropped = 0;
  readonly #bodies = new Set<BodyHold>();
  readonly #log: ShedLog;
  #bodyTimer: ReturnType<typeof setInterval> | null = null;
  /** performance.now() before which no collection is forced. */
  #nextCollection = 0;

  constructor(
    private readonly host: BudgetHost,
    readonly limit: number,
    /** Seconds a body may take (0: never); stream packets are timed by the idle sweep. */
    private readonly packageTimeout: number,
    log: ShedLog = new ShedLog(inputReasons(limit, packageTimeout)),
  ) {
    this.#log = log;
  }

  add(delta: number): void {
    this.held += delta;
    if (delta <= -BIG_BUFFER) this.dropped -= delta;
  }

  /** A holder's kept buffer went from `before` bytes to `after`: the one replaced (grown, trimmed, dropped) is garbage unless it was `freed`. */
  changed(before: number, after: number, freed = false): void {
    this.held += after - before;
    if (before >= BIG_BUFFER && !freed) this.dropped += before;
  }

  /** Kept, let go and freed bytes together pass the limit: memory the process has not given back yet. */
  get over(): boolean {
    return this.held + this.dropped + freedSinceCollection() > this.limit;
  }

  /** Closes the holders with the most bytes until what they keep is back within the limit, then collects what is let go. */
  shed(): number {
    const closed = this.held > this.limit ? this.#closeHeaviest() : 0;
    this.#collect();
    return closed;
  }

  #closeHeaviest(): number {
    const holders: InputHolder[] = [];
    this.host.forEachStreamHolder((holder) => {
      if (holder.inputHeld > 0) holders.push(holder);
    });
    for (const body of this.#bodies) if (body.inputHeld > 0) holders.push(body);
    holders.sort((a, b) => b.inputHeld - a.inputHeld);
    let excess = this.held - this.limit;
    let closed = 0;
    for (const holder of holders) {
      if (excess <= 0) break;
      excess -= holder.inputHeld;
      this.host.counters.inputShed++;
      this.#log.record("budget", holder.remoteAddress);
      holder.shedInput("budget");
      closed++;
    }
    return closed;
  }

  /** A connection's partial packet or a body took longer than packageTimeout: counted and logged with the sheds. */
  timedOut(holder: InputHolder): void {
    this.host.counters.packageTimeouts++;
    this.#log.record("timeout", holder.remoteAddress);
    holder.shedInput("timeout");
  }

  /** A body starts being read: it counts towards the budget, and is timed. */
  holdBody(body: BodyHold): void {
    this.#bodies.add(body);
    if (this.packageTimeout > 0 && this.#bodyTimer === null) {
      this.#bodyTimer = setInterval(() => this.#checkBodies(), Math.min(1000, (this.packageTimeout * 1000) / 4));
      this.#bodyTimer.unref();
    }
  }

  /** The body is read (or abandoned): what it still holds goes back to the budget, as garbage unless its chunks were `freed`. */
  releaseBody(body: BodyHold, freed = false): void {
    if (!this.#bodies.delete(body)) return;
    this.changed(body.inputHeld, 0, freed);
    body.inputHeld = 0;
    if (this.#bodies.size === 0 && this.#bodyTimer !== null) {
      clearInterval(this.#bodyTimer);
      this.#bodyTimer = null;
    }
  }

  /**
   * Frees what was let go and returns what was freed (see the class comment) while the limit is being passed, at most
   * every GC_EVERY_MS and a third of the time: a collection on a big heap costs more, so it runs less often.
   */
  #collect(): void {
    const start = performance.now();
    if ((this.dropped === 0 && freedSinceCollection() === 0) || start < this.#nextCollection) return;
    this.dropped = 0;
    collectNow();
    const end = performance.now();
    this.#nextCollection = end + Math.max(GC_EVERY_MS, (COST_SHARE - 1) * (end - start));
  }

  #checkBodies(): void {
    const deadline = Date.now() - this.packageTimeout * 1000;
    for (const body of this.#bodies) if (body.startedAt <= deadline) this.timedOut(body);
  }
}
