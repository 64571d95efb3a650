#include "services/shared/frontend/listen_address.h"

#include "absl/status/status.h"
#include "absl/strings/numbers.h"

namespace mailroom::frontend {

absl::StatusOr<ListenAddress> ParseListenAddress(std::string_view text) {
  ListenAddress out;
  size_t colon;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return absl::InvalidArgumentError("unclosed '['");
    out.host = std::string(text.substr(1, close - 1));
    colon = close + 1;
    if (colon >= text.size() || text[colon] != ':') {
      return absl::InvalidArgumentError("missing port");
    }
  } else {
    colon = text.rfind(':');
    if (colon == std::string_view::npos) return absl::InvalidArgumentError("missing port");
    out.host = std::string(text.substr(0, colon));
  }
  if (out.host.empty()) out.host = "0.0.0.0";
  uint32_t port = 0;
  std::string_view digits = text.substr(colon + 1);
  if (digits.empty() || !absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &port) ||
      port > 65535) {
    return absl::InvalidArgumentError("bad port");
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

}  // namespace mailroom::frontend
