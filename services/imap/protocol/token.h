// The parsed form of one IMAP command as the CommandReader produces it: a tag, an upper-cased
// command name and the argument tokens (atoms, strings, literals and nested lists). The
// per-command parsers (`*_args.h`) turn the argument tokens into typed structs.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_TOKEN_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_TOKEN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mailroom::imap {

// One argument token. RFC 9051 §4 data formats.
//
// An atom keeps its raw text; for FETCH items a bracketed section spec and a partial
// (`BODY.PEEK[HEADER.FIELDS (From To)]<0.100>`) are part of the one atom. NIL is an atom whose
// text is "NIL" in any case (an astring may legitimately be the atom NIL, e.g. a mailbox name),
// see IsNil(). Quoted strings hold their unescaped contents.
struct Token {
  enum class Type { kAtom, kQuoted, kLiteral, kList };

  Type type = Type::kAtom;
  std::string value;            // atom text, unescaped quoted text or literal bytes
  std::vector<Token> children;  // kList only
  bool literal8 = false;        // `~{n}` (RFC 3516 / RFC 6855 literal8)
  // A literal the reader handed to the session in chunks (CommandReader::Options::
  // stream_append_literals); `value` is empty and `literal_size` holds its length.
  bool streamed = false;
  uint64_t literal_size = 0;

  bool IsAtom() const { return type == Type::kAtom; }
  bool IsList() const { return type == Type::kList; }
  // A quoted string or a literal (RFC 9051 `string`).
  bool IsString() const { return type == Type::kQuoted || type == Type::kLiteral; }
  // An atom, quoted string or literal (RFC 9051 `astring`).
  bool IsAstring() const { return type != Type::kList; }
  // The atom NIL, case-insensitively.
  bool IsNil() const;
  // The atom `word`, compared case-insensitively.
  bool IsAtom(absl::string_view word) const;

  static Token Atom(absl::string_view text);
  static Token Quoted(absl::string_view text);
  static Token Literal(absl::string_view bytes, bool literal8 = false);
  static Token List(std::vector<Token> children);

  friend bool operator==(const Token&, const Token&) = default;
};

// One complete command. `name` is upper-cased; a `UID` prefix is folded into it ("UID FETCH").
struct Command {
  std::string tag;
  std::string name;
  std::vector<Token> args;

  friend bool operator==(const Command&, const Command&) = default;
};

// Renders tokens back in IMAP syntax (literals as `{n}` + CRLF + bytes); for tests and logs.
std::string DebugString(const Token& token);
std::string DebugString(const std::vector<Token>& tokens);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_TOKEN_H_
