// Runs a parsed IMAP command through the argument parser its name selects and checks the
// round-trip invariants of what it returns (fuzz/imap only).
#ifndef MAILROOM_FUZZ_IMAP_IMAP_FUZZ_ARGS_H_
#define MAILROOM_FUZZ_IMAP_IMAP_FUZZ_ARGS_H_

#include "services/imap/protocol/token.h"

namespace mailroom::imap::fuzz {

// Aborts when an invariant fails.
void Check(bool condition, const char* what);
// Parses `command.args` with the parser for `command.name` (any result is fine, a crash or a
// broken invariant is not).
void ParseArgsFor(const Command& command, bool utf8);

}  // namespace mailroom::imap::fuzz

#endif  // MAILROOM_FUZZ_IMAP_IMAP_FUZZ_ARGS_H_
