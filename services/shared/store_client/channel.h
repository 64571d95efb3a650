// Creates the gRPC channel front ends use to reach the store replicas: round_robin load
// balancing over everything the target resolves to, keepalive, message size limits and
// (optionally) mTLS, all taken from Options.
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_CHANNEL_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_CHANNEL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/shared/store_client/options.h"

namespace grpc {
class Channel;
}  // namespace grpc

namespace mailroom::store_client {

// The service config JSON the channel is created with: selects the round_robin policy.
std::string StoreServiceConfigJson();

// Returns a channel to `options.target`. Connecting is lazy: an unreachable store shows up as
// UNAVAILABLE on the first calls, not here. Errors: INVALID_ARGUMENT for an empty target or
// for tls_cert_file without tls_key_file (or the reverse); NOT_FOUND / PERMISSION_DENIED when
// a TLS file cannot be read.
absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateStoreChannel(const Options& options);

}  // namespace mailroom::store_client

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_CHANNEL_H_
