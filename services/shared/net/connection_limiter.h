// ConnectionLimiter: admission control for Server: at most N connections in total and M per
// client address (DESIGN.md invariant 7). Separate from Server so it is testable without sockets.
#ifndef MAILROOM_SERVICES_SHARED_NET_CONNECTION_LIMITER_H_
#define MAILROOM_SERVICES_SHARED_NET_CONNECTION_LIMITER_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace mailroom::net {

// Why a connection was turned away before reaching the handler.
enum class Refusal {
  kTooManyConnections,  // ServerConfig::max_connections reached
  kTooManyFromAddress,  // ServerConfig::max_connections_per_ip reached for the client
  kShuttingDown,        // accepted while the server was draining
};

// "too_many_connections", "too_many_from_address", "shutting_down" (metrics labels, logs).
absl::string_view RefusalName(Refusal refusal);

// The key under which a client address counts: an IPv4 address as is, an IPv6 address by its
// /64 prefix (one host usually owns a whole /64), IPv4-mapped IPv6 as IPv4. Text that is not
// an IP address is its own key.
std::string AddressKey(absl::string_view address);

// Thread-safe.
class ConnectionLimiter {
 public:
  ConnectionLimiter(size_t max_total, size_t max_per_address)
      : max_total_(max_total), max_per_address_(max_per_address) {}

  // Counts a new connection from `address` and returns nullopt, or returns why it must be
  // refused (kTooManyConnections before kTooManyFromAddress) and counts nothing.
  std::optional<Refusal> TryAdmit(absl::string_view address);

  // Uncounts one admitted connection from `address`.
  void Release(absl::string_view address);

  size_t total() const;
  size_t CountFor(absl::string_view address) const;

 private:
  const size_t max_total_;
  const size_t max_per_address_;
  mutable absl::Mutex mu_;
  size_t total_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, size_t> per_key_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::net

#endif  // MAILROOM_SERVICES_SHARED_NET_CONNECTION_LIMITER_H_
