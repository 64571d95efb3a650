// EHLO and HELO (RFC 5321 §4.1.1.1) with the ESMTP keywords we implement.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/smtp/session/session.h"

namespace mailroom::smtp {

asio::awaitable<bool> Session::CmdEhlo(const Command& c) {
  std::string_view arg = c.args;
  while (!arg.empty() && arg.back() == ' ') arg.remove_suffix(1);
  // The name goes into the Received: header: no spaces and no control characters (a bare CR
  // inside the line would otherwise inject header lines).
  const bool has_control = std::any_of(arg.begin(), arg.end(), [](char ch) {
    return static_cast<unsigned char>(ch) < 0x21 || ch == 0x7F;
  });
  if (arg.empty() || arg.size() > 255 || has_control) {
    co_return co_await Error(501, "5.5.4", absl::StrCat(c.name, " needs one domain or address "
                                                                "literal"));
  }
  ResetTransaction();
  helo_ = std::string(arg);
  state_ = State::kReady;
  esmtp_ = c.verb == Verb::kEhlo;
  if (!esmtp_) co_return co_await Send(250, "", config_.hostname);

  std::vector<std::string> lines = {absl::StrCat(config_.hostname, " Hello ", helo_),
                                    "PIPELINING",
                                    absl::StrCat("SIZE ", config_.max_message_bytes),
                                    "8BITMIME",
                                    "SMTPUTF8",
                                    "ENHANCEDSTATUSCODES",
                                    "CHUNKING",
                                    "DSN"};
  if (context_.tls_available && !conn_.IsTls()) lines.push_back("STARTTLS");
  if (kind_ != ListenerKind::kMx && user_id_ == 0 && PlaintextAuthAllowed()) {
    lines.push_back("AUTH PLAIN LOGIN");
  }
  lines.push_back("HELP");
  co_return co_await SendRaw(FormatMultiline(250, lines));
}

}  // namespace mailroom::smtp
