// Fuzzes ParseProxyHeader: besides not crashing, reading what the parser asks for (or less,
// as a socket may return) must reach the same answer as parsing the whole input at once, and
// must never read past the end of a header the parser accepts.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/shared/net/proxy_protocol.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  mailroom::net::ProxyLimits limits;
  if (size > 0 && (data[0] & 1) != 0) limits.max_v2_payload = 64;  // fuzz the limit too
  const absl::string_view whole(input.data(), input.size());
  absl::StatusOr<mailroom::net::ProxyParse> at_once =
      mailroom::net::ParseProxyHeader(whole, limits);
  if (at_once.ok()) {
    Check(at_once->header.has_value() ? at_once->consumed <= size && at_once->consumed > 0
                                      : at_once->need_more > 0);
  }

  // A reader that takes exactly need_more octets at a time from `input`.
  size_t have = 0;
  for (int round = 0; round < 4096; ++round) {
    absl::StatusOr<mailroom::net::ProxyParse> step =
        mailroom::net::ParseProxyHeader(whole.substr(0, have), limits);
    if (!step.ok()) {
      // Failing on a prefix means the whole input fails the same way.
      Check(!at_once.ok() && at_once.status().code() == step.status().code());
      return 0;
    }
    if (step->header.has_value()) {
      Check(step->consumed == have);  // never read past the header
      Check(at_once.ok() && at_once->header.has_value() && at_once->consumed == have);
      Check(at_once->header->source_address == step->header->source_address);
      Check(at_once->header->source_port == step->header->source_port);
      return 0;
    }
    Check(step->need_more > 0);
    if (have == size) {
      // The input ends inside the header: the whole input is incomplete too.
      Check(at_once.ok() && !at_once->header.has_value());
      return 0;
    }
    // A socket read may return fewer octets than asked for.
    have += std::min(step->need_more, size - have);
  }
  Check(false);  // every round reads at least one octet of a bounded header
  return 0;
}
