#include "services/imap/commands/command_table.h"

#include <array>

namespace mailroom::imap {
namespace {

constexpr uint8_t kAny = static_cast<uint8_t>(State::kNotAuthenticated) |
                         static_cast<uint8_t>(State::kAuthenticated) |
                         static_cast<uint8_t>(State::kSelected);
constexpr uint8_t kNotAuth = static_cast<uint8_t>(State::kNotAuthenticated);
constexpr uint8_t kAuth = static_cast<uint8_t>(State::kAuthenticated) |
                          static_cast<uint8_t>(State::kSelected);
constexpr uint8_t kSel = static_cast<uint8_t>(State::kSelected);

using S = Session;

const std::array kCommands = {
    // RFC 9051 §6.1: any state.
    CommandSpec{"CAPABILITY", &S::CmdCapability, kAny},
    CommandSpec{"NOOP", &S::CmdNoop, kAny},
    CommandSpec{"LOGOUT", &S::CmdLogout, kAny},
    CommandSpec{"ID", &S::CmdId, kAny},  // RFC 2971
    // §6.2: not authenticated.
    CommandSpec{"STARTTLS", &S::CmdStartTls, kNotAuth},
    CommandSpec{"LOGIN", &S::CmdLogin, kNotAuth},
    CommandSpec{"AUTHENTICATE", &S::CmdAuthenticate, kNotAuth},
    // §6.3: authenticated (and selected).
    CommandSpec{"ENABLE", &S::CmdEnable, kAuth},
    CommandSpec{"SELECT", &S::CmdSelect, kAuth},
    CommandSpec{"EXAMINE", &S::CmdSelect, kAuth},
    CommandSpec{"CREATE", &S::CmdCreate, kAuth},
    CommandSpec{"DELETE", &S::CmdDelete, kAuth},
    CommandSpec{"RENAME", &S::CmdRename, kAuth},
    CommandSpec{"SUBSCRIBE", &S::CmdSubscribe, kAuth},
    CommandSpec{"UNSUBSCRIBE", &S::CmdSubscribe, kAuth},
    CommandSpec{"LIST", &S::CmdList, kAuth},
    CommandSpec{"LSUB", &S::CmdList, kAuth},
    CommandSpec{"NAMESPACE", &S::CmdNamespace, kAuth},
    CommandSpec{"STATUS", &S::CmdStatus, kAuth},
    CommandSpec{"APPEND", nullptr, kAuth},
    CommandSpec{"IDLE", &S::CmdIdle, kAuth},
    // §6.4: selected.
    CommandSpec{"CHECK", &S::CmdNoop, kSel},
    CommandSpec{"CLOSE", &S::CmdClose, kSel},
    CommandSpec{"UNSELECT", &S::CmdClose, kSel},
    CommandSpec{"EXPUNGE", &S::CmdExpunge, kSel},
    CommandSpec{"UID EXPUNGE", &S::CmdExpunge, kSel},
    CommandSpec{"SEARCH", &S::CmdSearch, kSel, false},
    CommandSpec{"UID SEARCH", &S::CmdSearch, kSel},
    CommandSpec{"FETCH", &S::CmdFetch, kSel, false},
    CommandSpec{"UID FETCH", &S::CmdFetch, kSel},
    CommandSpec{"STORE", &S::CmdStore, kSel, false},
    CommandSpec{"UID STORE", &S::CmdStore, kSel},
    CommandSpec{"COPY", &S::CmdCopy, kSel},
    CommandSpec{"UID COPY", &S::CmdCopy, kSel},
    CommandSpec{"MOVE", &S::CmdCopy, kSel},
    CommandSpec{"UID MOVE", &S::CmdCopy, kSel},
};

}  // namespace

const CommandSpec* FindCommand(absl::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace mailroom::imap
