// LIST and LSUB arguments (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED, RFC 6154 SPECIAL-USE,
// RFC 5819 LIST-STATUS).
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_LIST_ARGS_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_LIST_ARGS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "services/imap/protocol/status_args.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct ListArgs {
  struct Selection {
    bool subscribed = false;
    bool remote = false;
    bool recursive_match = false;
    bool special_use = false;
  };
  struct Return {
    bool subscribed = false;
    bool children = false;
    bool special_use = false;
    std::optional<StatusItems> status;  // RETURN (STATUS (...)), RFC 5819
  };
  Selection select;
  Return ret;
  std::string reference;              // UTF-8
  std::vector<std::string> patterns;  // UTF-8, wildcards kept; "" asks for the delimiter
  // True when the command used any RFC 5258 syntax (options, RETURN, pattern list): the
  // response then follows LIST-EXTENDED rules (e.g. CHILDINFO).
  bool extended = false;
};

// Parses `[(select-opts)] reference (pattern | (patterns)) [RETURN (return-opts)]`. With
// `lsub`, only `reference pattern`. Returns INVALID_ARGUMENT for unknown options (RFC 5258
// §3), RECURSIVEMATCH without another selection option besides REMOTE, bad mailbox names or
// extra arguments.
absl::StatusOr<ListArgs> ParseListArgs(absl::Span<const Token> args, bool utf8,
                                       bool lsub = false);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_LIST_ARGS_H_
