/**
 * The configuration file of targets C and E (Hive Gateway CLI, with its JavaScript query
 * planner and with `--hive-router-runtime`, its Rust one), given with `--config-path`.
 * Hive Gateway forwards no client header to subgraphs unless told; like Atrium's and the
 * stock gateway, it passes the caller's `Authorization` on so subgraphs can verify the
 * token, and the caller's `x-request-id` (Atrium's gateway forwards it too, for tracing).
 *
 * Forwarding the request id also makes each request's subgraph fetches distinct, so Hive's
 * in-flight deduplication of identical concurrent fetches (on by default in its HTTP
 * executor) only merges what is really identical: `npm run bench -- --identical` sends
 * byte-identical requests to measure that case. Nothing else is configured.
 */
export const gatewayConfig = {
  propagateHeaders: {
    fromClientToSubgraphs: ({ request }: { request: Request }) => {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'x-request-id']) {
        const value = request.headers.get(name);
        if (value) headers[name] = value;
      }
      return headers;
    },
  },
};
