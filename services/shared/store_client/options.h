// Configuration of the store client: where the mailbox store is, how long each call may take,
// how idempotent reads are retried and how the gRPC channel behaves (DESIGN.md invariant 9).
//
// Defaults live here and only here; front ends fill an Options from their own Config (flags and
// MAILROOM_* environment variables) and pass it by const reference.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_OPTIONS_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_OPTIONS_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace mailroom::store_client {

struct Options {
  // gRPC target of the store. With the `dns:///` scheme the channel resolves every A/AAAA
  // record of the name (e.g. a Kubernetes headless Service or a Compose service scaled to N
  // replicas) and the `round_robin` policy set by CreateStoreChannel() spreads calls over all
  // store replicas, skipping the ones that are down. gRPC re-resolves when a connection drops;
  // the store should cap connection age (GRPC_ARG_MAX_CONNECTION_AGE_MS) so that new replicas
  // are picked up too.
  std::string target = "dns:///127.0.0.1:50051";

  // Deadline of each unary call (and of each attempt when retried).
  absl::Duration unary_deadline = absl::Seconds(5);
  // Deadline of a whole streaming call: AppendMessage, DeliverMessage, FetchMessages,
  // ReadMessage (not Watch, which lives as long as its handle).
  absl::Duration stream_deadline = absl::Seconds(60);
  // Deadline of a stream started with StartAppendMessage/StartDeliverMessage, which is fed at
  // the pace of the remote client (an SMTP client may take minutes over a large DATA).
  absl::Duration stream_writer_deadline = absl::Minutes(10);

  // Idempotent reads (and DeliverMessage with a transaction_id) that fail with UNAVAILABLE are
  // tried again up to this many times, waiting retry_initial_backoff, doubling up to
  // retry_max_backoff, with +-20% jitter.
  int max_retries = 3;
  absl::Duration retry_initial_backoff = absl::Milliseconds(50);
  absl::Duration retry_max_backoff = absl::Seconds(1);

  // Upper bound on what FetchMessagesAll() and ReadMessageAll() collect in memory; a larger
  // result fails with RESOURCE_EXHAUSTED (use the reader variants for large bodies).
  uint64_t max_collected_bytes = 64ull << 20;

  // gRPC message size limits of the channel (each streamed chunk or batch is one message).
  int max_receive_message_bytes = 16 << 20;
  int max_send_message_bytes = 16 << 20;

  // HTTP/2 keepalive pings, so that a Watch stream to a vanished store replica fails within
  // keepalive_time + keepalive_timeout and the session re-subscribes elsewhere. The store
  // server must accept pings this often (GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS
  // <= keepalive_time, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS = 1), else it answers with
  // GOAWAY "too_many_pings".
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // Cap on the channel's reconnect backoff (gRPC's default is 120 s), so a restarted store
  // replica is used again quickly.
  absl::Duration max_reconnect_backoff = absl::Seconds(5);
  // A store replica that comes back at another address (a restarted container or pod) is
  // found by re-resolving the target's DNS name, which gRPC does when connections fail, but at
  // most this often (its default, 30 s, stalls every front end after each store restart).
  absl::Duration dns_min_reresolution = absl::Seconds(1);
  // Cap on one DNS lookup of the target (gRPC's c-ares default is 120 s). While a restarted
  // store has no record yet, the cluster DNS may forward its name upstream, and an upstream
  // that never answers would hold the lookup (and every front end) for 4 tries x 5 s or more
  // after the store is back; a lookup cut at this cap is retried by gRPC within seconds.
  absl::Duration dns_query_timeout = absl::Seconds(2);
  // How long one connection attempt may take (gRPC's default is 20 s): the address of a
  // vanished replica must fail fast, so that re-resolution finds its successor.
  absl::Duration connect_timeout = absl::Seconds(2);

  // Transport security. With tls_ca_file empty the channel is plaintext (loopback, tests).
  // Otherwise TLS verifying the store against tls_ca_file; with tls_cert_file and
  // tls_key_file also set, the front end authenticates itself (mTLS, DESIGN.md invariant 8).
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
};

}  // namespace mailroom::store_client

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_OPTIONS_H_
