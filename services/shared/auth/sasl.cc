#include "services/shared/auth/sasl.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"

namespace mailroom::auth {
namespace {
constexpr size_t kMaxField = 255;

int Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}
}  // namespace

std::optional<Mechanism> ParseMechanism(std::string_view name) {
  const absl::string_view n(name.data(), name.size());
  if (absl::EqualsIgnoreCase(n, "PLAIN")) return Mechanism::kPlain;
  if (absl::EqualsIgnoreCase(n, "LOGIN")) return Mechanism::kLogin;
  return std::nullopt;
}

absl::StatusOr<std::string> DecodeBase64(std::string_view in) {
  if (in == "=") return std::string();
  if (in.size() % 4 != 0) return absl::InvalidArgumentError("bad base64 length");
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = in[i + k];
      if (c == '=' && i + 4 == in.size() && k >= 2) {
        ++pad;
        v[k] = 0;
        continue;
      }
      if (pad > 0 || (v[k] = Value(c)) < 0) return absl::InvalidArgumentError("bad base64");
    }
    const uint32_t bits = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>(bits >> 16));
    if (pad < 2) out.push_back(static_cast<char>((bits >> 8) & 0xFF));
    if (pad < 1) out.push_back(static_cast<char>(bits & 0xFF));
  }
  return out;
}

std::string EncodeBase64(std::string_view in) {
  std::string out;
  absl::Base64Escape(absl::string_view(in.data(), in.size()), &out);
  return out;
}

absl::StatusOr<Credentials> DecodePlain(std::string_view base64) {
  absl::StatusOr<std::string> raw = DecodeBase64(base64);
  if (!raw.ok()) return raw.status();
  const size_t first = raw->find('\0');
  const size_t second = first == std::string::npos ? first : raw->find('\0', first + 1);
  if (second == std::string::npos || raw->find('\0', second + 1) != std::string::npos) {
    return absl::InvalidArgumentError("PLAIN needs authzid NUL authcid NUL password");
  }
  Credentials c;
  c.authzid = raw->substr(0, first);
  c.authcid = raw->substr(first + 1, second - first - 1);
  c.password = raw->substr(second + 1);
  if (c.authcid.empty() || c.password.empty()) {
    return absl::InvalidArgumentError("PLAIN with an empty user name or password");
  }
  if (c.authzid.size() > kMaxField || c.authcid.size() > kMaxField ||
      c.password.size() > kMaxField) {
    return absl::InvalidArgumentError("PLAIN field too long");
  }
  return c;
}

}  // namespace mailroom::auth
