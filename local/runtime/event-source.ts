/** A running local event source mapping. */
export interface EventSource {
  /** Stops polling and waits for the invocation in flight to finish. */
  stop(): Promise<void>;
}
