// One IMAP connection (RFC 9051, RFC 3501): the state machine over a net::Connection, talking
// to the store for everything. Commands are read with the protocol layer's CommandReader,
// checked once against the command table (commands/command_table.h) for the session state and
// answered in order; each handler lives in commands/cmd_*.cc. The selected mailbox is a
// MailboxView fed by the store's Watch stream.
#ifndef MAILROOM_SERVICES_IMAP_SESSION_SESSION_H_
#define MAILROOM_SERVICES_IMAP_SESSION_SESSION_H_

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/imap/protocol/command_reader.h"
#include "services/imap/protocol/response_writer.h"
#include "services/imap/protocol/search_args.h"
#include "services/imap/protocol/status_args.h"
#include "services/imap/protocol/token.h"
#include "services/imap/session/imap_metrics.h"
#include "services/imap/session/mailbox_view.h"
#include "services/shared/frontend/frontend.h"
#include "services/shared/net/connection.h"

namespace mailroom::imap {

struct FetchArgs;

struct SessionConfig {
  std::string hostname = "localhost";
  uint64_t append_limit = 50ull << 20;       // APPENDLIMIT (RFC 7889), largest APPEND literal
  uint64_t max_literal = 64 * 1024;          // any other literal
  // FETCH BODY[] / RFC822 / BODY[TEXT] of messages up to this size come with the command's one
  // FetchMessages call; larger ones are read (streamed) from the store one by one.
  uint64_t fetch_inline_body_bytes = 256 * 1024;
  size_t max_command_bytes = 1 << 20;        // one command's buffered bytes
  int max_depth = 16;                        // nesting of parenthesised lists
  int max_bad_commands = 20;                 // then `* BYE`
  int max_append_messages = 100;             // MULTIAPPEND messages per command
  bool plaintext_auth_on_loopback = true;
  absl::Duration login_timeout = absl::Minutes(2);        // not yet authenticated
  absl::Duration idle_timeout = absl::Minutes(30);        // RFC 9051 §5.4: at least 30 min
  absl::Duration idle_keepalive = absl::Minutes(2);       // `* OK Still here` during IDLE
};

enum class State : uint8_t {
  kNotAuthenticated = 1,
  kAuthenticated = 2,
  kSelected = 4,
  kLogout = 8,
};

class Session {
 public:
  Session(net::Connection& conn, frontend::FrontendContext& context, const SessionConfig& config,
          ImapMetrics& metrics);
  ~Session();

  // Greets, serves commands until LOGOUT, the peer leaving, a fatal error or the server
  // draining (`* BYE`), and returns.
  asio::awaitable<void> Run();

  // --- For the command handlers (commands/cmd_*.cc) ------------------------------------
  using Handler = asio::awaitable<void> (Session::*)(const Command& command);

  asio::awaitable<void> CmdCapability(const Command& c);
  asio::awaitable<void> CmdNoop(const Command& c);
  asio::awaitable<void> CmdLogout(const Command& c);
  asio::awaitable<void> CmdId(const Command& c);
  asio::awaitable<void> CmdEnable(const Command& c);
  asio::awaitable<void> CmdNamespace(const Command& c);
  asio::awaitable<void> CmdStartTls(const Command& c);
  asio::awaitable<void> CmdLogin(const Command& c);
  asio::awaitable<void> CmdAuthenticate(const Command& c);
  asio::awaitable<void> CmdCreate(const Command& c);
  asio::awaitable<void> CmdDelete(const Command& c);
  asio::awaitable<void> CmdRename(const Command& c);
  asio::awaitable<void> CmdSubscribe(const Command& c);
  asio::awaitable<void> CmdList(const Command& c);
  asio::awaitable<void> CmdStatus(const Command& c);
  asio::awaitable<void> CmdSelect(const Command& c);
  asio::awaitable<void> CmdClose(const Command& c);
  asio::awaitable<void> CmdFetch(const Command& c);
  asio::awaitable<void> CmdStore(const Command& c);
  asio::awaitable<void> CmdCopy(const Command& c);
  asio::awaitable<void> CmdExpunge(const Command& c);
  asio::awaitable<void> CmdSearch(const Command& c);
  asio::awaitable<void> CmdIdle(const Command& c);
  // APPEND arrives as reader events (streamed literals), not as one Command.
  asio::awaitable<void> CmdAppend(ReadEvent first);

 private:
  friend struct SessionTestPeer;

  // Reads the next event of the command stream, pulling lines and literal bytes from the
  // connection as the CommandReader needs them. Errors: the connection's (peer gone,
  // timeout, draining), kResourceExhausted for an over-long line.
  asio::awaitable<absl::StatusOr<ReadEvent>> NextEvent();
  // Accepts a synchronizing literal: `+ go ahead`, and its bytes are read next.
  asio::awaitable<bool> AcceptLiteral(uint64_t size);
  // A fresh CommandReader (after STARTTLS or an over-long line): nothing buffered survives.
  void ResetReader();
  asio::awaitable<void> Dispatch(const Command& command);
  asio::awaitable<void> HandleEvent(ReadEvent event);

  // Output: responses collect in out_ and go out with Flush().
  void Untagged(absl::string_view line);   // appends "* line\r\n"
  void Append(absl::string_view raw) { out_.append(raw.data(), raw.size()); }
  void Tagged(absl::string_view tag, StatusKind kind, absl::string_view code,
              absl::string_view text);
  void Bad(absl::string_view tag, absl::string_view text);
  // NO/BAD for a store error (STYLE.md §6: one function maps a Status to the wire).
  void StoreError(absl::string_view tag, const absl::Status& status, absl::string_view what);
  asio::awaitable<bool> Flush();
  // Flushes when out_ grew large (long FETCH responses).
  asio::awaitable<bool> MaybeFlush();

  // Selected-mailbox updates: applies Watch news (resync, new messages, flag changes) and
  // queues the untagged responses; EXPUNGE only when `allow_expunge` (RFC 9051 §7.5.1).
  asio::awaitable<void> SendUpdates(bool allow_expunge);
  asio::awaitable<absl::Status> Resync();
  asio::awaitable<absl::Status> FetchNewMessages();
  // Fetches the flags of `changed` (ascending UIDs changed elsewhere, taken from the view's
  // pending list) into the view; with `tell`, announces the changes as untagged FETCH. On
  // failure the view resyncs later.
  asio::awaitable<absl::Status> FetchChangedFlags(std::vector<uint32_t> changed, bool tell);
  // Whether the view may answer a command by itself (FETCH FLAGS, SEARCH by flags): its Watch
  // is live and, after a resync done here if one is due, nothing is known to be missing.
  asio::awaitable<bool> ViewIsCurrent();
  // SEARCH keys that need only the view (flags, sequence numbers, UIDs), evaluated there:
  // the matching UIDs ascending, or nullopt for a sequence number out of range.
  std::optional<std::vector<uint32_t>> SearchView(const SearchKey& key) const;
  asio::awaitable<void> FetchFlagsFromView(const std::string& tag, const FetchArgs& args,
                                           const std::vector<uint32_t>& uids);
  void StartWatch();
  void Deselect();
  // IDLE's writer: pushes updates and keepalives while the command reads DONE.
  asio::awaitable<void> IdlePusher();

  std::string Capabilities() const;
  bool PlaintextAuthAllowed() const;
  asio::awaitable<void> FinishLogin(absl::string_view tag, std::string username,
                                    std::string password);
  // Under IMAP4rev2 mailbox names and strings are UTF-8 (RFC 9051 §5.1), else modified UTF-7.
  bool utf8() const { return rev2_; }
  std::string WireName(absl::string_view name) const;
  std::string FlagsList(const v1::Flags& flags) const;
  // `STATUS name (items)` without "* " (STATUS and LIST-STATUS).
  bool ConvertSearchKey(const SearchKey& key, v1::SearchKey* out) const;
  std::string StatusLine(const v1::MailboxStatus& status, const StatusItems& items) const;

  net::Connection& conn_;
  frontend::FrontendContext& context_;
  const SessionConfig& config_;
  ImapMetrics& metrics_;
  std::unique_ptr<CommandReader> reader_;
  uint64_t raw_remaining_ = 0;  // literal bytes the client is sending now

  State state_ = State::kNotAuthenticated;
  uint64_t user_id_ = 0;
  std::string login_;
  bool rev2_ = false;  // ENABLE IMAP4rev2
  int bad_commands_ = 0;
  std::string out_;
  std::string tagged_;        // the current command's tagged reply, sent after its updates
  std::string command_name_;  // for metrics
  bool write_failed_ = false;
  asio::any_io_executor executor_;

  // Selected mailbox.
  std::string selected_name_;
  bool read_only_ = false;
  MailboxView view_;
  store_client::WatchHandle watch_;
  bool watch_lost_ = false;
  bool selected_deleted_ = false;  // the selected mailbox was deleted by another session
  bool force_expunge_ = false;  // this command's own expunges must be announced now

  // IDLE.
  bool idling_ = false;
  bool idle_wake_ = false;
  bool pusher_running_ = false;
  std::unique_ptr<asio::steady_timer> idle_timer_;
  std::unique_ptr<asio::steady_timer> pusher_done_;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_SESSION_SESSION_H_
