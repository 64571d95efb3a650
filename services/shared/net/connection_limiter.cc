#include "services/shared/net/connection_limiter.h"

#include <asio/ip/address.hpp>
#include <system_error>

#include "absl/strings/str_cat.h"

namespace mailroom::net {

absl::string_view RefusalName(Refusal refusal) {
  switch (refusal) {
    case Refusal::kTooManyConnections:
      return "too_many_connections";
    case Refusal::kTooManyFromAddress:
      return "too_many_from_address";
    case Refusal::kShuttingDown:
      return "shutting_down";
  }
  return "unknown";
}

std::string AddressKey(absl::string_view address) {
  std::error_code ec;
  asio::ip::address parsed = asio::ip::make_address(std::string(address), ec);
  if (ec) return std::string(address);
  if (parsed.is_v4()) return parsed.to_string();
  asio::ip::address_v6 v6 = parsed.to_v6();
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
  asio::ip::address_v6::bytes_type bytes = v6.to_bytes();
  for (size_t i = 8; i < bytes.size(); ++i) bytes[i] = 0;
  return absl::StrCat(asio::ip::address_v6(bytes).to_string(), "/64");
}

std::optional<Refusal> ConnectionLimiter::TryAdmit(absl::string_view address) {
  std::string key = AddressKey(address);
  absl::MutexLock lock(&mu_);
  if (total_ >= max_total_) return Refusal::kTooManyConnections;
  auto it = per_key_.find(key);
  if (it != per_key_.end() && it->second >= max_per_address_) return Refusal::kTooManyFromAddress;
  if (max_per_address_ == 0) return Refusal::kTooManyFromAddress;
  ++total_;
  ++per_key_[key];
  return std::nullopt;
}

void ConnectionLimiter::Release(absl::string_view address) {
  std::string key = AddressKey(address);
  absl::MutexLock lock(&mu_);
  auto it = per_key_.find(key);
  if (it == per_key_.end()) return;
  --total_;
  if (--it->second == 0) per_key_.erase(it);
}

size_t ConnectionLimiter::total() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

size_t ConnectionLimiter::CountFor(absl::string_view address) const {
  std::string key = AddressKey(address);
  absl::MutexLock lock(&mu_);
  auto it = per_key_.find(key);
  return it == per_key_.end() ? 0 : it->second;
}

}  // namespace mailroom::net
