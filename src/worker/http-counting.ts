// http:// groups: each response's time to a Response and its status code, counted on the request path (two clock reads, two array writes).
import type { Server } from "bun";
import { BUCKETS, Histogram } from "../latency-histogram.ts";
import { MAX_STATUS_CODES } from "../ipc.ts";

/** Set to 1 for the bench's "without counting" rounds only: the http path then skips the clock, the status and the histogram. */
export const UNCOUNTED_ENV = "WORKERMAN_BENCH_UNCOUNTED";

/** http-answer.ts's Answer, spelled out: importing it would close an import circle through the runtime. */
type Answer = (request: Request, server: Server<unknown>) => Response | Promise<Response>;

/** Where each figure sits in HttpCounting's one array: the buckets (the last is +Inf), their sum, then one slot per status code. */
const SUM = BUCKETS.length + 1;
const CODES = SUM + 1;
/** Bun's Response takes 101 and 200..599, so a slot per code below 600 is enough. */
const CODE_SLOTS = 600;

export class HttpCounting {
  readonly #histogram = new Histogram();
  /**
   * Every figure the request path writes, in one typed array: on a request that costs about 12 µs, the cache lines
   * the counting touches are most of its cost, so it touches as few as it can (measured with bench/counting-cost.ts).
   */
  readonly #slots = new Float64Array(CODES + CODE_SLOTS);
  #other = 0;
  /** The codes reported by name, first reported first (the cap keeps them; within one report, in code order). */
  readonly #named: number[] = [];

  record(response: Response, startedAt: number): void {
    const seconds = (performance.now() - startedAt) / 1000;
    const slots = this.#slots;
    // Most observations land in the first buckets: a scan from the bottom is a comparison or two.
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    slots[i]!++;
    slots[SUM]! += seconds;
    // Not a Response (a handler bug): Bun answers a 500 through its error handler, counted as a handler error only.
    const status = response?.status;
    if (typeof status !== "number") return;
    if (status < CODE_SLOTS) slots[CODES + status]!++;
    else this.#other++;
    // No response bytes: Bun writes the body natively, and even reading a Content-Length (response.headers makes a
    // Headers object) cost 0.5 µs a request, 3% of a hello-world's CPU; a string body has none to read anyway.
  }

  /** The durations as a Histogram (read once per stats report, not per request). */
  get duration(): Histogram {
    const h = this.#histogram;
    for (let i = 0; i < SUM; i++) h.counts[i] = this.#slots[i]!;
    h.sum = this.#slots[SUM]!;
    return h;
  }

  /** The codes for IPC; a code first seen after MAX_STATUS_CODES others is folded into "other". */
  codes(): Record<string, number> {
    const out: Record<string, number> = {};
    let other = this.#other;
    for (let code = 0; code < CODE_SLOTS; code++) {
      const n = this.#slots[CODES + code]!;
      if (n === 0) continue;
      if (!this.#named.includes(code) && this.#named.length < MAX_STATUS_CODES) this.#named.push(code);
      if (this.#named.includes(code)) out[code] = n;
      else other += n;
    }
    if (other > 0) out.other = other;
    return out;
  }
}

/** `answer` with each response timed and counted; a promise stays one promise (one `then` more). */
export function countedAnswer(counting: HttpCounting, answer: Answer): Answer {
  return (request: Request, server: Server<unknown>) => {
    const startedAt = performance.now();
    const result = answer(request, server);
    if (result instanceof Promise) {
      return result.then((response) => {
        counting.record(response, startedAt);
        return response;
      });
    }
    counting.record(result, startedAt);
    return result;
  };
}
