// Incremental, bounded reader of IMAP commands (RFC 9051 §2.2, §4.3; RFC 7888 LITERAL+/-).
//
// The session feeds whatever bytes arrived from the socket and calls Next() until it returns
// kNeedMore. Everything is bounded by Limits; every limit ends in an event the session can
// answer (BAD, NO [TOOBIG], BYE) and after which the reader is back in sync with the client.
//
// Literals. A literal announced as `{n}` (synchronizing) yields kNeedContinuation: the
// session sends `+ go ahead` (or calls RejectLiteral() and answers the command) before
// calling Next() again. `{n+}` needs no continuation. A literal over its limit yields
// kLiteralTooLarge and the rest of the command is skipped: for `{n}` the client sends nothing
// more; for `{n+}` exactly n bytes and then the rest of the line are discarded (RFC 7888 §4,
// choice 1: read and reject).
//
// APPEND message literals. With Options::stream_append_literals (the default) the message
// literals of APPEND (every literal but the mailbox name) are not buffered: Next() returns
// kLiteralStart (the session may RejectLiteral(), or send `+ go ahead` when synchronizing),
// then kLiteralChunk events carrying the bytes as they arrive, so a 50 MB message streams into
// the store's client-streaming AppendMessage RPC without ever being held whole. The finished
// Command then holds a placeholder Token (streamed = true, literal_size = n) at that position.
// Without the option every literal is buffered into its Token, bounded by
// max_append_literal_size.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_READER_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_READER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/imap/protocol/command_builder.h"
#include "services/imap/protocol/token.h"

namespace mailroom::imap {

struct CommandLimits {
  // Longest line outside literals, CRLF excluded.
  size_t max_line_length = 64 * 1024;
  // Largest literal in any command but APPEND.
  uint64_t max_literal_size = 64 * 1024;
  // Largest APPEND message literal (the APPENDLIMIT of RFC 7889).
  uint64_t max_append_literal_size = 50ull << 20;
  // Largest non-synchronizing literal: 4096 when LITERAL- is advertised (RFC 7888 §5).
  uint64_t max_nonsync_literal_size = std::numeric_limits<uint64_t>::max();
  // Buffered bytes of one command: lines plus buffered literals (a buffered APPEND message
  // literal is allowed on top of this, streamed ones do not count).
  size_t max_command_size = 1 << 20;
  // Nesting depth of parenthesised lists.
  int max_depth = 16;
  // Tokens (atoms, strings, literals and lists) of one command.
  size_t max_tokens = 20000;
};

struct CommandReaderOptions {
  CommandLimits limits;
  bool stream_append_literals = true;
  // 8-bit text in quoted strings and atoms (RFC 6855 UTF8=ACCEPT enabled); can change later
  // through CommandReader::set_utf8().
  bool utf8 = false;
};

struct ReadEvent {
  enum class Kind {
    kNeedMore,          // feed more bytes
    kCommand,           // `command` is complete
    kNeedContinuation,  // synchronizing literal of `size` bytes: send `+ ...` or RejectLiteral()
    kLiteralStart,      // streamed APPEND literal of `size` bytes begins (see header comment)
    kLiteralChunk,      // the next bytes of the streamed literal, in `chunk`
    kLiteralTooLarge,   // literal of `size` over its limit; command skipped
    kError,             // syntax or limit error: reply `tag BAD message` (`* BAD` if no tag)
    kLine,              // after ExpectLine(): one raw line in `line` (CRLF removed)
  };
  Kind kind = Kind::kNeedMore;
  std::string tag;           // every kind but kNeedMore/kLiteralChunk; may be empty on kError
  std::string name;          // upper-cased command name when known (e.g. "APPEND")
  uint64_t size = 0;         // kNeedContinuation, kLiteralStart, kLiteralTooLarge
  bool synchronizing = true; // kNeedContinuation, kLiteralStart, kLiteralTooLarge
  bool literal8 = false;     // kLiteralStart
  std::string message;       // kError
  std::string line;          // kLine
  absl::string_view chunk;   // kLiteralChunk: valid until the next Feed() or Next()
  // kCommand: the command. kLiteralStart/kNeedContinuation: tag, name and the complete
  // top-level arguments so far (for APPEND: the mailbox, flags and date of this message).
  Command command;
};

class CommandReader {
 public:
  explicit CommandReader(CommandReaderOptions options = {});

  // Appends bytes received from the client.
  void Feed(absl::string_view bytes);
  // Returns the next event; kNeedMore when the buffered bytes are all consumed.
  ReadEvent Next();
  // After kNeedContinuation or kLiteralStart: refuses the literal. The rest of the command is
  // skipped (nothing more for a synchronizing literal; n bytes and the rest of the line for a
  // non-synchronizing one) and the session answers the command itself.
  void RejectLiteral();

  // The next complete line is returned as kLine instead of being parsed as a command: the
  // client's AUTHENTICATE responses (RFC 9051 §6.2.2) and IDLE's DONE (RFC 9051 §6.3.13).
  // Lines longer than max_line_length give kError.
  void ExpectLine() { expect_line_ = true; }

  void set_utf8(bool utf8) { builder_.set_utf8(utf8); }
  // Bytes buffered but not yet consumed.
  size_t buffered() const { return buf_.size() - pos_; }

 private:
  enum class State { kLine, kAwaitLiteral, kLiteral, kStreamLiteral, kDiscard, kSkipLine };

  ReadEvent ReadLine(bool* again);
  ReadEvent OnLiteral(const LiteralSpec& spec, bool* again);
  ReadEvent ReadLiteral(bool* again);
  ReadEvent StreamLiteral(bool* again);
  void Discard(bool* again);
  void SkipLine(bool* again);
  ReadEvent Fail(std::string message, absl::string_view line_head, bool line_complete,
                 absl::string_view line_tail);
  void SkipRestOfCommand(const LiteralSpec& spec);

  CommandReaderOptions options_;
  CommandBuilder builder_;
  std::string buf_;
  size_t pos_ = 0;   // first unconsumed byte
  size_t scan_ = 0;  // bytes of the current line already searched for LF
  State state_ = State::kLine;
  bool expect_line_ = false;
  LiteralSpec pending_;         // the literal being read, awaited or discarded
  bool pending_streamed_ = false;
  uint64_t remaining_ = 0;      // bytes left of the literal being read or discarded
  std::string literal_;         // buffered literal bytes
  size_t command_bytes_ = 0;
  bool append_literal_buffered_ = false;
  std::string skip_tail_;       // last bytes of a line being skipped
  bool skip_raw_ = false;       // the line being skipped is a raw line (no literal in it)
};

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_COMMAND_READER_H_
