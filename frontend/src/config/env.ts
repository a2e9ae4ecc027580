/** Runtime settings. The SPA is served by the backend, so the API and the socket share its origin. */
export const env = {
  apiUrl: typeof window === 'undefined' ? 'http://localhost' : window.location.origin,
  /** A send whose ack has not arrived by then is shown as failed, with a retry. */
  ackTimeoutMs: 10_000,
  pageSize: 50,
} as const;
