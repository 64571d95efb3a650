#include "services/pop3/session/session.h"

#include <unistd.h>

#include <array>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/pop3/protocol/reply.h"
#include "services/shared/log/log.h"

namespace mailroom::pop3 {
namespace {

constexpr uint8_t kAuth = static_cast<uint8_t>(SessionState::kAuthorization);
constexpr uint8_t kTrans = static_cast<uint8_t>(SessionState::kTransaction);
// Pipelined replies are collected up to this much before a write.
constexpr size_t kPipelineFlushBytes = 64 * 1024;

}  // namespace

const Session::CommandSpec* Session::FindSpec(Verb verb) {
  static constexpr std::array<CommandSpec, 16> kTable = {{
      {Verb::kUser, &Session::CmdUser, kAuth},
      {Verb::kPass, &Session::CmdPass, kAuth},
      {Verb::kApop, &Session::CmdApop, kAuth},
      {Verb::kAuth, &Session::CmdAuth, kAuth},
      {Verb::kStls, &Session::CmdStls, kAuth},
      {Verb::kUtf8, &Session::CmdUtf8, kAuth},
      {Verb::kCapa, &Session::CmdCapa, kAuth | kTrans},
      {Verb::kQuit, &Session::CmdQuit, kAuth | kTrans},
      {Verb::kStat, &Session::CmdStat, kTrans},
      {Verb::kList, &Session::CmdList, kTrans},
      {Verb::kUidl, &Session::CmdUidl, kTrans},
      {Verb::kRetr, &Session::CmdRetr, kTrans},
      {Verb::kTop, &Session::CmdRetr, kTrans},
      {Verb::kDele, &Session::CmdDele, kTrans},
      {Verb::kRset, &Session::CmdRset, kTrans},
      {Verb::kNoop, &Session::CmdNoop, kTrans},
  }};
  for (const CommandSpec& spec : kTable) {
    if (spec.verb == verb) return &spec;
  }
  return nullptr;
}

Session::Session(net::Connection& connection, const SessionContext& context)
    : connection_(connection), context_(context), options_(context.options) {}

Session::~Session() = default;

std::string Session::Peer() const { return connection_.peer().address; }

asio::awaitable<void> Session::Run() {
  std::string greeting = "Mailroom POP3 server ready";
  if (options_.enable_apop) {
    // RFC 1939 §7: a timestamp unique to this greeting, the APOP digest's salt.
    absl::BitGen gen;
    apop_timestamp_ = absl::StrFormat("<%d.%016x@%s>", getpid(), absl::Uniform<uint64_t>(gen),
                                      options_.hostname);
    absl::StrAppend(&greeting, " ", apop_timestamp_);
  }
  Reply(OkReply(greeting));
  log::Debug("pop3 session start", {{"session", connection_.session_id()}, {"peer", Peer()},
                                    {"listener", connection_.listener_name()}});
  while (state_ != SessionState::kClosed) {
    if (close_after_reply_) break;
    if (!connection_.reader().HasBufferedLine() || out_.size() >= kPipelineFlushBytes) {
      if (!co_await Flush()) break;
    }
    absl::StatusOr<net::Line> line = co_await connection_.ReadCommandLine();
    if (!line.ok()) {
      const absl::Status& s = line.status();
      if (net::IsLineTooLong(s)) {
        Reply(ErrReply(RespCode::kNone, "line too long"));
        user_.reset();
        continue;
      }
      if (net::IsTimeout(s)) {
        // RFC 1939 §3: the autologout timer ends the session without entering UPDATE.
        Reply(ErrReply(RespCode::kNone, "autologout: idle for too long"));
      } else if (absl::IsCancelled(s) && connection_.draining()) {
        Reply(ErrReply(RespCode::kSysTemp, "server shutting down, try again later"));
      }
      break;
    }
    absl::StatusOr<Command> command = ParseCommandLine(line->text, options_.parser_limits);
    if (!command.ok()) {
      context_.metrics.commands.WithLabels({"invalid"}).Increment();
      ReplyParseError(command.status());
      user_.reset();
      continue;
    }
    co_await Dispatch(*command);
  }
  if (!out_.empty()) co_await Flush();
  co_await ReleaseMaildrop();
  state_ = SessionState::kClosed;
  log::Debug("pop3 session end", {{"session", connection_.session_id()}});
}

void Session::ReplyParseError(const absl::Status& status) {
  if (absl::IsUnimplemented(status)) {
    Reply(ErrReply(RespCode::kNone, "unknown command"));
  } else if (absl::IsResourceExhausted(status)) {
    Reply(ErrReply(RespCode::kNone, "argument too long"));
  } else {
    Reply(ErrReply(RespCode::kNone, absl::StrCat("syntax error: ", status.message())));
  }
}

asio::awaitable<void> Session::Dispatch(const Command& command) {
  context_.metrics.commands.WithLabels({VerbName(command.verb)}).Increment();
  const CommandSpec* spec = FindSpec(command.verb);
  // PASS is valid only right after USER (RFC 1939 §7); any other command forgets the name.
  std::optional<std::string> user = std::exchange(user_, std::nullopt);
  if (spec == nullptr || (spec->states & static_cast<uint8_t>(state_)) == 0) {
    Reply(ErrReply(RespCode::kNone,
                   absl::StrCat(VerbName(command.verb), " is not valid in this state")));
    co_return;
  }
  if (command.verb == Verb::kPass) user_ = std::move(user);
  co_await (this->*(spec->handler))(command);
}

asio::awaitable<bool> Session::Flush() {
  if (out_.empty()) co_return true;
  absl::Status s = co_await connection_.Write(out_);
  out_.clear();
  if (!s.ok()) {
    state_ = SessionState::kClosed;
    co_return false;
  }
  co_return true;
}

asio::awaitable<absl::StatusOr<std::string>> Session::ReadSaslLine() {
  if (!co_await Flush()) co_return absl::UnavailableError("write failed");
  absl::StatusOr<net::Line> line = co_await connection_.ReadCommandLine();
  if (!line.ok()) co_return line.status();
  co_return std::string(line->text);
}

asio::awaitable<void> Session::Sleep(absl::Duration duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  timer.expires_after(absl::ToChronoMilliseconds(duration));
  co_await timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
}

}  // namespace mailroom::pop3
