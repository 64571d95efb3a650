// Session: one POP3 connection from greeting to close (RFC 1939 §3-§6). The state is one enum,
// checked once by the dispatcher against each command's allowed states before its handler
// runs (STYLE.md convention 4); the handlers live in cmd_*.cc, one file per verb or small
// group of verbs.
#ifndef MAILROOM_SERVICES_POP3_SESSION_SESSION_H_
#define MAILROOM_SERVICES_POP3_SESSION_SESSION_H_

#include <asio/awaitable.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/pop3/protocol/command.h"
#include "services/pop3/session/lease_keeper.h"
#include "services/pop3/session/maildrop.h"
#include "services/pop3/session/metrics.h"
#include "services/pop3/session/options.h"
#include "services/pop3/session/store.h"
#include "services/shared/auth/throttle.h"
#include "services/shared/net/connection.h"

namespace mailroom::pop3 {

// RFC 1939 §3: AUTHORIZATION until the client identifies itself, TRANSACTION while it holds
// the maildrop, UPDATE after QUIT in TRANSACTION; kClosed once the session is over.
enum class SessionState : uint8_t {
  kAuthorization = 1,
  kTransaction = 2,
  kUpdate = 4,
  kClosed = 8,
};

// What every session of a process shares; all of it outlives every session.
struct SessionContext {
  const SessionOptions& options;
  Pop3Store& store;
  auth::AuthThrottle& throttle;
  Pop3Metrics& metrics;
  bool tls_available = false;
};

class Session {
 public:
  Session(net::Connection& connection, const SessionContext& context);
  ~Session();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Greets, serves commands until QUIT, a dropped connection, the idle timeout or the server's
  // drain, releases the maildrop lease, and returns. Never throws.
  asio::awaitable<void> Run();

  SessionState state() const { return state_; }

 private:
  using Handler = asio::awaitable<void> (Session::*)(const Command&);
  struct CommandSpec {
    Verb verb;
    Handler handler;
    uint8_t states;  // OR of SessionState values where the command is valid
  };
  static const CommandSpec* FindSpec(Verb verb);

  asio::awaitable<void> Dispatch(const Command& command);
  // Answers a line that could not be parsed.
  void ReplyParseError(const absl::Status& status);

  // cmd_auth.cc: USER, PASS, APOP, AUTH and what a successful login does.
  asio::awaitable<void> CmdUser(const Command& command);
  asio::awaitable<void> CmdPass(const Command& command);
  asio::awaitable<void> CmdApop(const Command& command);
  asio::awaitable<void> CmdAuth(const Command& command);
  asio::awaitable<void> AuthPlain(const Command& command);
  asio::awaitable<void> AuthLogin(const Command& command);
  bool PlaintextAllowed() const;
  // Checks the throttle, authenticates with the store, then opens the maildrop.
  asio::awaitable<void> Login(std::string username, std::string password);
  // A failed login: counts it, answers, and closes after too many.
  void LoginFailed(absl::string_view username, absl::string_view reply);
  // Acquires the lease and reads the INBOX; enters TRANSACTION or answers why not.
  asio::awaitable<void> OpenMaildrop(Account account);

  // cmd_capa.cc: CAPA, STLS, UTF8.
  asio::awaitable<void> CmdCapa(const Command& command);
  asio::awaitable<void> CmdStls(const Command& command);
  asio::awaitable<void> CmdUtf8(const Command& command);

  // cmd_listing.cc: STAT, LIST, UIDL.
  asio::awaitable<void> CmdStat(const Command& command);
  asio::awaitable<void> CmdList(const Command& command);
  asio::awaitable<void> CmdUidl(const Command& command);

  // cmd_retr.cc: RETR and TOP.
  asio::awaitable<void> CmdRetr(const Command& command);
  // The raw bytes of `uid`, through the prefetch cache when small.
  asio::awaitable<absl::Status> SendMessage(uint32_t number, const InboxMessage& message,
                                            std::optional<uint64_t> body_lines);

  // cmd_mark.cc: DELE, RSET, NOOP.
  asio::awaitable<void> CmdDele(const Command& command);
  asio::awaitable<void> CmdRset(const Command& command);
  asio::awaitable<void> CmdNoop(const Command& command);

  // cmd_quit.cc: QUIT, with the UPDATE state in TRANSACTION.
  asio::awaitable<void> CmdQuit(const Command& command);
  // Releases the lease if held (connection end, whatever the reason).
  asio::awaitable<void> ReleaseMaildrop();

  // Output: replies are buffered and written by Flush(), so pipelined commands (RFC 2449 §6.6)
  // are answered in one write.
  void Reply(absl::string_view text) { out_.append(text.data(), text.size()); }
  // Writes the buffered output; false (and the session closes) if the write failed.
  asio::awaitable<bool> Flush();
  // Reads one line of a SASL exchange (RFC 5034 §4) after flushing the challenge.
  asio::awaitable<absl::StatusOr<std::string>> ReadSaslLine();
  asio::awaitable<void> Sleep(absl::Duration duration);
  std::string Peer() const;

  net::Connection& connection_;
  SessionContext context_;
  const SessionOptions& options_;
  SessionState state_ = SessionState::kAuthorization;
  std::string out_;
  bool close_after_reply_ = false;
  std::string apop_timestamp_;  // the greeting's <...@host> when APOP is enabled
  std::optional<std::string> user_;  // the name of the USER command just before
  int auth_failures_ = 0;
  bool utf8_ = false;
  Account account_;
  Maildrop maildrop_;
  std::unique_ptr<LeaseKeeper> lease_;
  std::map<uint32_t, std::string> prefetched_;  // UID → raw message, RETR read-ahead
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_SESSION_H_
