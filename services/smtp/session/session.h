// One SMTP connection: the state machine of RFC 5321 §4.1.4 / §4.3 over a net::Connection,
// talking to the store for recipients, authentication and delivery. One cmd_*.cc per verb.
#ifndef MAILROOM_SERVICES_SMTP_SESSION_SESSION_H_
#define MAILROOM_SERVICES_SMTP_SESSION_SESSION_H_

#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/shared/frontend/frontend.h"
#include "services/shared/net/connection.h"
#include "services/smtp/protocol/command.h"
#include "services/smtp/protocol/data_lines.h"
#include "services/smtp/protocol/envelope.h"
#include "services/smtp/protocol/reply.h"
#include "services/smtp/session/delivery.h"
#include "services/smtp/session/smtp_metrics.h"

namespace mailroom::smtp {

enum class ListenerKind {
  kMx,           // port 25: mail for local domains, no relaying
  kSubmission,   // port 587: STARTTLS, AUTH required (RFC 6409)
  kSubmissions,  // port 465: implicit TLS, AUTH required (RFC 8314)
};

struct SessionConfig {
  std::string hostname = "localhost";
  uint64_t max_message_bytes = 50ull << 20;
  int max_recipients = 100;
  int max_errors = 20;                 // then 421 and close
  BareLineEndings bare_line_endings = BareLineEndings::kReject;
  size_t max_data_line = 998;          // RFC 5321 §4.5.3.1.6 text line, without CRLF
  bool enforce_data_line_limit = false;  // refuse messages with longer lines
  bool plaintext_auth_on_loopback = true;
  absl::Duration data_block_timeout = absl::Minutes(3);  // RFC 5321 §4.5.3.2.6
  bool vrfy = false;                   // VRFY answers 252 unless enabled
};

class Session {
 public:
  Session(net::Connection& conn, frontend::FrontendContext& context, const SessionConfig& config,
          ListenerKind kind, SmtpMetrics& metrics);
  ~Session();

  // Greets, serves commands until QUIT, an error that ends the session, the peer leaving or
  // the server draining (421 4.3.2), and returns.
  asio::awaitable<void> Run();

 private:
  enum class State { kFresh, kReady, kMail, kRcpt };

  struct Recipient {
    std::string address;   // as sent
    uint64_t user_id = 0;
    std::string mailbox;   // plus-addressing folder, or empty
    std::string notify, orcpt;
  };

  // Returns false when the session must end after this command.
  asio::awaitable<bool> Dispatch(const Command& command);
  // Replies take plain values, never a braced temporary: g++ 12 destroys braced temporaries
  // inside a co_await expression twice.
  asio::awaitable<bool> Send(const Reply& reply);
  asio::awaitable<bool> Send(int code, std::string_view enhanced, std::string_view text);
  asio::awaitable<bool> SendRaw(std::string_view text);
  // Counts a protocol error; past the limit says 421 and asks the session to end.
  asio::awaitable<bool> Error(int code, std::string_view enhanced, std::string_view text);
  void ResetTransaction();
  bool AuthRequired() const { return kind_ != ListenerKind::kMx && user_id_ == 0; }
  bool PlaintextAuthAllowed() const;
  std::string TraceHeaders(const std::string& transaction_id) const;

  asio::awaitable<bool> CmdEhlo(const Command& c);
  asio::awaitable<bool> CmdMail(const Command& c);
  asio::awaitable<bool> CmdRcpt(const Command& c);
  asio::awaitable<bool> CmdData(const Command& c);
  asio::awaitable<bool> CmdBdat(const Command& c);
  asio::awaitable<bool> CmdAuth(const Command& c);
  asio::awaitable<bool> CmdStartTls(const Command& c);
  asio::awaitable<bool> CmdSimple(const Command& c);  // RSET NOOP QUIT VRFY EXPN HELP

  // Delivery of the current transaction (cmd_data.cc): opens the store stream with the
  // envelope and the trace headers; FinishDelivery replies and resets the transaction.
  std::unique_ptr<Delivery> StartDelivery();
  asio::awaitable<bool> FinishDelivery(std::unique_ptr<Delivery> delivery, bool bad_endings,
                                       bool overlong, bool truncated);

  net::Connection& conn_;
  frontend::FrontendContext& context_;
  const SessionConfig& config_;
  const ListenerKind kind_;
  SmtpMetrics& metrics_;

  State state_ = State::kFresh;
  bool esmtp_ = false;
  std::string helo_;
  uint64_t user_id_ = 0;       // authenticated user, 0 = none
  std::string login_;
  int errors_ = 0;
  std::optional<MailFrom> mail_;
  std::vector<Recipient> recipients_;
  std::unique_ptr<Delivery> bdat_;  // a BDAT transfer in progress
};

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_SESSION_SESSION_H_
