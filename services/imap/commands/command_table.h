// The IMAP command table: each command's name, handler and the session states it is valid in
// (RFC 9051 §6). The dispatcher checks the state once, so handlers assume their preconditions
// (STYLE.md §4).
#ifndef MAILROOM_SERVICES_IMAP_COMMANDS_COMMAND_TABLE_H_
#define MAILROOM_SERVICES_IMAP_COMMANDS_COMMAND_TABLE_H_

#include <cstdint>
#include "absl/strings/string_view.h"

#include "services/imap/session/session.h"

namespace mailroom::imap {

struct CommandSpec {
  absl::string_view name;      // upper case, "UID FETCH" for UID forms
  Session::Handler handler;   // nullptr for APPEND, which the session drives from reader events
  uint8_t states;             // OR of State values
  // RFC 9051 §7.5.1: no EXPUNGE responses while answering FETCH, STORE or SEARCH.
  bool allows_expunge = true;
};

// The command named `name` (upper case), or nullptr when unknown.
const CommandSpec* FindCommand(absl::string_view name);

inline bool Allowed(const CommandSpec& spec, State state) {
  return (spec.states & static_cast<uint8_t>(state)) != 0;
}

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_COMMANDS_COMMAND_TABLE_H_
