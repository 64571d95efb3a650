// MAIL FROM and RCPT TO arguments (RFC 5321 §4.1.1.2-3, §4.1.2) with the ESMTP parameters of
// SIZE (RFC 1870), BODY (RFC 6152, RFC 3030), SMTPUTF8 (RFC 6531), AUTH (RFC 4954 §5) and DSN
// (RFC 3461). Pure: no sockets, no store.
#ifndef MAILROOM_SERVICES_SMTP_PROTOCOL_ENVELOPE_H_
#define MAILROOM_SERVICES_SMTP_PROTOCOL_ENVELOPE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace mailroom::smtp {

enum class BodyType { k7Bit, k8BitMime, kBinaryMime };

struct MailFrom {
  std::string reverse_path;        // "" for the null path <>
  std::optional<uint64_t> size;    // SIZE=
  BodyType body = BodyType::k7Bit;
  bool smtputf8 = false;
  std::string ret;                 // DSN RET=FULL|HDRS
  std::string envid;               // DSN ENVID= (xtext, kept encoded)
  std::string auth;                // AUTH=<mailbox> or "<>"
};

struct RcptTo {
  std::string forward_path;        // the mailbox, source route removed
  bool had_source_route = false;   // "<@a,@b:user@c>" (RFC 5321 §4.1.1.3: route ignored)
  bool postmaster = false;         // "<Postmaster>" without a domain (RFC 5321 §4.5.1)
  std::string notify;              // DSN NOTIFY=
  std::string orcpt;               // DSN ORCPT=
};

// Parses the text after "MAIL " ("FROM:<a@b> SIZE=10 BODY=8BITMIME"). One space after the
// colon is tolerated. Errors: INVALID_ARGUMENT for path syntax (reply 501 5.1.7 / 5.5.4),
// UNIMPLEMENTED for an unknown or malformed parameter (reply 555 5.5.4).
absl::StatusOr<MailFrom> ParseMailFrom(std::string_view args);

// Parses the text after "RCPT " ("TO:<a@b> NOTIFY=SUCCESS,FAILURE"). Same error codes.
absl::StatusOr<RcptTo> ParseRcptTo(std::string_view args);

// True when `s` has only 7-bit characters (a UTF-8 address needs SMTPUTF8, RFC 6531 §3.4).
bool IsAscii(std::string_view s);

// Validates a path's mailbox (Local-part "@" Domain, RFC 5321 §4.1.2; UTF-8 allowed for
// SMTPUTF8, RFC 6531 §3.3) without its angle brackets; returns INVALID_ARGUMENT otherwise.
absl::Status ValidateMailbox(std::string_view mailbox);

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_PROTOCOL_ENVELOPE_H_
