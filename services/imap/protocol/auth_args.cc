#include "services/imap/protocol/auth_args.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

// Strict base64: the alphabet, whole quads, padding only at the end.
absl::StatusOr<std::string> DecodeBase64(absl::string_view text) {
  const absl::Status invalid = absl::InvalidArgumentError("Invalid base64");
  if (text.size() % 4 != 0) return invalid;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size() || ++pad > 2) return invalid;
    } else if (pad > 0 || !(absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                            c == '/')) {
      return invalid;
    }
  }
  std::string out;
  if (!absl::Base64Unescape(text, &out)) return invalid;
  return out;
}

}  // namespace

absl::StatusOr<LoginArgs> ParseLoginArgs(absl::Span<const Token> args) {
  LoginArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.username, reader.Astring("user name"));
  ASSIGN_OR_RETURN(out.password, reader.Astring("password"));
  RETURN_IF_ERROR(reader.End());
  return out;
}

absl::StatusOr<AuthenticateArgs> ParseAuthenticateArgs(absl::Span<const Token> args) {
  AuthenticateArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(std::string mechanism, reader.Atom("SASL mechanism"));
  out.mechanism = absl::AsciiStrToUpper(mechanism);
  if (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(std::string initial, reader.Atom("initial response"));
    if (initial == "=") {
      out.initial_response = "";
    } else {
      ASSIGN_OR_RETURN(out.initial_response, DecodeBase64(initial));
    }
  }
  RETURN_IF_ERROR(reader.End());
  return out;
}

absl::StatusOr<std::string> DecodeSaslLine(absl::string_view line) {
  if (line == "*") return absl::CancelledError("AUTHENTICATE cancelled");
  return DecodeBase64(line);
}

}  // namespace mailroom::imap
