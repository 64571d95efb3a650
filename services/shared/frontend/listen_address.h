// "host:port" listen addresses of the front ends' flags ("127.0.0.1:2525", "[::1]:143",
// ":25" = all addresses).
#ifndef MAILROOM_SERVICES_SHARED_FRONTEND_LISTEN_ADDRESS_H_
#define MAILROOM_SERVICES_SHARED_FRONTEND_LISTEN_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::frontend {

struct ListenAddress {
  std::string host;  // "0.0.0.0" when the flag gave none
  uint16_t port = 0;
};

// INVALID_ARGUMENT for a missing or non-numeric port, a port over 65535, or an unclosed "[".
absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text);

}  // namespace mailroom::frontend

#endif  // MAILROOM_SERVICES_SHARED_FRONTEND_LISTEN_ADDRESS_H_
