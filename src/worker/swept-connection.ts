// The stream connection's bookkeeping for the idle sweep and the input budget, kept in bits of its flags (no map per connection).
import { BaseConnection, FIRST_SUBCLASS_FLAG } from "./connection.ts";

export const CLOSING = FIRST_SUBCLASS_FLAG;
export const PAUSED = FIRST_SUBCLASS_FLAG << 1;
/**
 * The idle sweep's state lives in flags, not in a table entry per connection (a Map entry plus a mark object cost
 * ~130 bytes each at 10,000 idle connections): ACTIVE is set by any byte in or out, QUIET counts the sweeps since
 * the last one that found it set (8 bits: a sweep every idleTimeout/255 at the coarsest).
 */
export const ACTIVE = FIRST_SUBCLASS_FLAG << 2;
const QUIET_SHIFT = 5;
const QUIET_ONE = 1 << QUIET_SHIFT;
const QUIET_MASK = 255 << QUIET_SHIFT;
export const MAX_QUIET_SWEEPS = 255;
/** Sweeps since the partial packet kept now began (8 bits, as QUIET): packageTimeout's clock, also without a map. */
const STALL_SHIFT = 13;
const STALL_ONE = 1 << STALL_SHIFT;
export const STALL_MASK = 255 << STALL_SHIFT;

export abstract class SweptConnection extends BaseConnection {
  /** The budget learns what the kept bytes grew or shrank by; packageTimeout's clock restarts with each new packet. */
  protected heldChanged(before: number, after: number, completed: boolean): void {
    if (after !== before) this.runtime.input.changed(before, after, this.extra?.reader?.freesBuffers ?? false);
    if (after === 0 || before === 0 || completed) this.flags &= ~STALL_MASK;
  }

  /** Bytes of a partial packet this connection keeps (counted by the process's input budget). */
  get inputHeld(): number {
    const io = this.extra;
    const reader = io === null ? null : io.reader;
    return reader === null ? 0 : reader.held;
  }

  /** The input budget (or packageTimeout) closes this connection: its bytes are not worth a graceful close. */
  shedInput(): void {
    this.destroy();
  }

  /** Gives the kept partial packet back to the budget (the connection is gone, or starts afresh). */
  protected dropReader(): void {
    const io = this.extra;
    const reader = io === null ? null : io.reader;
    if (reader === null) return;
    const held = reader.held;
    if (held > 0) this.runtime.input.changed(held, 0, reader.freesBuffers);
    reader.clear();
    io!.reader = null;
  }

  /**
   * One idle sweep's look at this connection: true once `limit` sweeps in a row found it quiet (no byte either way).
   * A connection the handler paused (pauseRecv, a pipe waiting on its destination) is waiting on us, not idle.
   */
  quietFor(limit: number): boolean {
    const flags = this.flags;
    if ((flags & (ACTIVE | PAUSED)) !== 0) {
      this.flags = flags & ~(ACTIVE | QUIET_MASK);
      return false;
    }
    const quiet = ((flags & QUIET_MASK) >>> QUIET_SHIFT) + 1;
    if (quiet < limit) {
      this.flags = flags + QUIET_ONE;
      return false;
    }
    // Counted afresh: should the close it gets now not be done by the next sweep, that sweep does not close it again.
    this.flags = flags & ~QUIET_MASK;
    return true;
  }

  /**
   * One sweep's look at the partial packet: true once `limit` sweeps saw the same one unfinished. A paused connection
   * is waiting on its handler, not stalling, as for quietFor.
   */
  stalledFor(limit: number): boolean {
    const flags = this.flags;
    if ((flags & PAUSED) !== 0 || this.inputHeld === 0) {
      this.flags = flags & ~STALL_MASK;
      return false;
    }
    const sweeps = ((flags & STALL_MASK) >>> STALL_SHIFT) + 1;
    if (sweeps < limit) {
      this.flags = flags + STALL_ONE;
      return false;
    }
    this.flags = flags & ~STALL_MASK;
    return true;
  }
}
