// What every load generator reports: completed messages (or requests) in the measured window, and what went wrong.
export interface LoadResult {
  /** Replies received while the clock ran. */
  messages: number;
  seconds: number;
  /** Refused connections, bad replies, HTTP errors, lost datagrams. */
  errors: number;
  note?: string;
}

export function rate(result: LoadResult): number {
  return result.messages / result.seconds;
}
