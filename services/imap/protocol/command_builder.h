// Internal to CommandReader: lexes the lines of one command into tokens (RFC 9051 §4, §9)
// and assembles them into a Command. A command is one or more lines; every line but the last
// ends with a literal announcement, and the literal's bytes arrive between the lines.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_BUILDER_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_BUILDER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

// A literal announcement `{n}`, `{n+}`, `~{n}` or `~{n+}` (RFC 9051 §4.3, RFC 7888, RFC 3516).
struct LiteralSpec {
  uint64_t size = 0;
  bool synchronizing = true;
  bool literal8 = false;
};

// Returns true when `tag` is a valid RFC 9051 §9 tag (ASTRING-CHARs except "+").
bool IsValidTag(absl::string_view tag);

// Returns the literal announcement `line` ends with, if any (no lexing of the rest).
std::optional<LiteralSpec> TrailingLiteralSpec(absl::string_view line);

class CommandBuilder {
 public:
  struct LineResult {
    enum class Kind { kComplete, kLiteral, kError };
    Kind kind = Kind::kComplete;
    LiteralSpec literal;  // kLiteral
    std::string error;    // kError: text for `tag BAD`
  };

  CommandBuilder(int max_depth, size_t max_tokens) : max_depth_(max_depth), max_tokens_(max_tokens) {
    Reset();
  }

  // Forgets everything: the next line starts a new command.
  void Reset();
  void set_utf8(bool utf8) { utf8_ = utf8; }

  // Lexes one line (CRLF removed). Returns kLiteral when it ends with a literal announcement,
  // kComplete when the command may be finished, kError on a syntax or limit error.
  LineResult AddLine(absl::string_view line);
  // Adds a literal's bytes (or a streamed placeholder of `size` bytes) as the next token.
  // Returns an error text when the token limit is exceeded, else empty.
  std::string AddLiteral(std::string bytes, bool literal8);
  std::string AddStreamedLiteral(uint64_t size, bool literal8);

  // Returns the command. INVALID_ARGUMENT when a list is still open, the tag or name is
  // missing or malformed.
  absl::StatusOr<Command> Finish();

  // The tag, when the first token has been lexed and is a valid tag; else empty.
  std::string tag() const;
  // The upper-cased command name ("UID FETCH"), when lexed; else empty.
  std::string name() const;
  // The complete top-level tokens after the name so far (open lists are left out).
  std::vector<Token> args_so_far() const;
  // Nesting depth of open lists (0 at top level) and the number of complete top-level tokens.
  size_t depth() const { return stack_.size() - 1; }
  size_t top_level_count() const { return stack_.front().size(); }
  bool empty() const { return stack_.size() == 1 && stack_.front().empty(); }

 private:
  std::string Push(Token token);
  std::string LexQuoted(absl::string_view line, size_t* pos);
  std::string LexAtom(absl::string_view line, size_t* pos);
  size_t NameTokens() const;

  int max_depth_;
  size_t max_tokens_;
  bool utf8_ = false;
  std::vector<std::vector<Token>> stack_;  // stack_[0] is the top level
  bool need_separator_ = false;
  size_t tokens_ = 0;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_BUILDER_H_
