#include "services/smtp/config.h"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, mx_listen, "127.0.0.1:2525", "MX listener (port 25 in production); "
          "empty = off");
ABSL_FLAG(std::string, submission_listen, "127.0.0.1:2587",
          "submission listener with STARTTLS and AUTH (587); empty = off");
ABSL_FLAG(std::string, submissions_listen, "127.0.0.1:2465",
          "submissions listener with implicit TLS and AUTH (465); empty = off");
ABSL_FLAG(uint64_t, max_message_bytes, 50ull << 20, "largest message accepted (SIZE)");
ABSL_FLAG(int, max_recipients, 100, "recipients per message (more get 452 4.5.3)");
ABSL_FLAG(int, max_errors, 20, "protocol errors per session before 421");
ABSL_FLAG(std::string, bare_line_endings, "reject",
          "bare CR or LF in DATA: reject (554 5.6.0) or normalize (to CRLF)");
ABSL_FLAG(bool, enforce_data_line_limit, false,
          "refuse messages with lines over 998 octets (RFC 5321 §4.5.3.1.6)");
ABSL_FLAG(bool, enable_vrfy, false, "answer VRFY from the store (default: 252 to everyone)");
ABSL_FLAG(int, data_block_timeout_seconds, 180, "RFC 5321 §4.5.3.2.6 data block timeout");

namespace mailroom::smtp {

absl::StatusOr<Config> ConfigFromFlags() {
  Config c;
  c.frontend = frontend::FrontendConfigFromFlags("smtp", 9025);
  c.session.hostname = c.frontend.hostname;
  c.session.max_message_bytes = absl::GetFlag(FLAGS_max_message_bytes);
  c.session.max_recipients = absl::GetFlag(FLAGS_max_recipients);
  c.session.max_errors = absl::GetFlag(FLAGS_max_errors);
  c.session.plaintext_auth_on_loopback = c.frontend.plaintext_auth_on_loopback;
  c.session.enforce_data_line_limit = absl::GetFlag(FLAGS_enforce_data_line_limit);
  c.session.vrfy = absl::GetFlag(FLAGS_enable_vrfy);
  c.session.data_block_timeout = absl::Seconds(absl::GetFlag(FLAGS_data_block_timeout_seconds));
  const std::string endings = absl::GetFlag(FLAGS_bare_line_endings);
  if (endings == "reject") {
    c.session.bare_line_endings = BareLineEndings::kReject;
  } else if (endings == "normalize") {
    c.session.bare_line_endings = BareLineEndings::kNormalize;
  } else {
    return absl::InvalidArgumentError("--bare_line_endings must be reject or normalize");
  }
  c.listeners = {{"mx", absl::GetFlag(FLAGS_mx_listen), false},
                 {"submission", absl::GetFlag(FLAGS_submission_listen), false},
                 {"submissions", absl::GetFlag(FLAGS_submissions_listen), true}};
  return c;
}

}  // namespace mailroom::smtp
