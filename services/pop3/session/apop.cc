#include "services/pop3/session/apop.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace mailroom::pop3 {

std::string ApopDigest(absl::string_view timestamp, absl::string_view secret) {
  const std::string input = absl::StrCat(timestamp, secret);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 0x0f]);
  }
  return hex;
}

bool ApopDigestMatches(absl::string_view timestamp, absl::string_view secret,
                       absl::string_view digest_hex) {
  const std::string want = ApopDigest(timestamp, secret);
  return want.size() == digest_hex.size() &&
         CRYPTO_memcmp(want.data(), digest_hex.data(), want.size()) == 0;
}

absl::StatusOr<std::map<std::string, std::string>> ParseApopSecrets(absl::string_view text) {
  std::map<std::string, std::string> out;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripSuffix(line, "\r");
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || trimmed[0] == '#') continue;
    const size_t sep = trimmed.find_first_of(" \t");
    if (sep == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat("APOP secrets line ", number, ": no secret"));
    }
    absl::string_view secret = absl::StripLeadingAsciiWhitespace(trimmed.substr(sep));
    out[absl::AsciiStrToLower(trimmed.substr(0, sep))] = std::string(secret);
  }
  return out;
}

}  // namespace mailroom::pop3
