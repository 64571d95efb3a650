#include "services/imap/protocol/command_builder.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mailroom::imap {
namespace {

constexpr size_t kMaxLiteralDigits = 19;  // fits in uint64_t without overflow

bool IsCtl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 9051 §9 atom-specials that end an atom (`]` is an ASTRING-CHAR, `%`/`*` are kept for
// list-wildcards and sequence sets, `\` for flags).
bool EndsAtom(unsigned char c) {
  return c == ' ' || c == '(' || c == ')' || c == '"' || c == '{' || IsCtl(c);
}

// RFC 9051 §9: tag = 1*<any ASTRING-CHAR except "+">.
bool IsTagChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(': case ')': case '{': case '%': case '*': case '"': case '\\': case '+':
      return false;
    default:
      return true;
  }
}

// Returns the index just past the `]` matching the `[` at `open`, or npos. Quoted strings
// inside the brackets (header field names) may contain `]`.
size_t MatchBracket(absl::string_view line, size_t open) {
  int depth = 0;
  for (size_t i = open; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\') ++i;
      }
      if (i >= line.size()) return absl::string_view::npos;
    } else if (c == '[') {
      ++depth;
    } else if (c == ']' && --depth == 0) {
      return i + 1;
    } else if (c == '{' || IsCtl(static_cast<unsigned char>(c))) {
      return absl::string_view::npos;
    }
  }
  return absl::string_view::npos;
}

// Parses `{n}`/`{n+}`/`~{n}`/`~{n+}` at `pos`; sets `end` past the closing brace.
std::optional<LiteralSpec> ParseLiteralSpec(absl::string_view line, size_t pos, size_t* end) {
  LiteralSpec spec;
  if (pos < line.size() && line[pos] == '~') {
    spec.literal8 = true;
    ++pos;
  }
  if (pos >= line.size() || line[pos] != '{') return std::nullopt;
  ++pos;
  size_t digits = 0;
  while (pos < line.size() && absl::ascii_isdigit(static_cast<unsigned char>(line[pos]))) {
    if (++digits > kMaxLiteralDigits) return std::nullopt;
    spec.size = spec.size * 10 + static_cast<uint64_t>(line[pos] - '0');
    ++pos;
  }
  if (digits == 0) return std::nullopt;
  if (pos < line.size() && line[pos] == '+') {
    spec.synchronizing = false;
    ++pos;
  }
  if (pos >= line.size() || line[pos] != '}') return std::nullopt;
  *end = pos + 1;
  return spec;
}

}  // namespace

bool IsValidTag(absl::string_view tag) {
  if (tag.empty()) return false;
  for (char c : tag) {
    if (!IsTagChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::optional<LiteralSpec> TrailingLiteralSpec(absl::string_view line) {
  if (line.empty() || line.back() != '}') return std::nullopt;
  const size_t open = line.rfind('{');
  if (open == absl::string_view::npos) return std::nullopt;
  const size_t start = (open > 0 && line[open - 1] == '~') ? open - 1 : open;
  size_t end = 0;
  std::optional<LiteralSpec> spec = ParseLiteralSpec(line, start, &end);
  if (!spec || end != line.size()) return std::nullopt;
  return spec;
}

void CommandBuilder::Reset() {
  stack_.clear();
  stack_.emplace_back();
  need_separator_ = false;
  tokens_ = 0;
}

size_t CommandBuilder::NameTokens() const {
  const std::vector<Token>& top = stack_.front();
  return (top.size() >= 2 && top[1].IsAtom("UID")) ? 3 : 2;
}

// Adds a complete token to the innermost open list; checks the tag and name positions early
// so that a bad command is refused before any literal is requested.
std::string CommandBuilder::Push(Token token) {
  if (++tokens_ > max_tokens_) return "Too many tokens in command";
  need_separator_ = true;
  if (stack_.size() == 1) {
    const size_t index = stack_.front().size();
    if (index == 0) {
      if (!token.IsAtom() || !IsValidTag(token.value)) return "Invalid tag";
    } else if (index < NameTokens() && (!token.IsAtom() || token.value.empty())) {
      return "Invalid command name";
    }
  } else if (stack_.front().size() < NameTokens()) {
    return "Invalid command name";
  }
  stack_.back().push_back(std::move(token));
  return "";
}

CommandBuilder::LineResult CommandBuilder::AddLine(absl::string_view line) {
  LineResult result;
  auto fail = [&result](std::string message) {
    result.kind = LineResult::Kind::kError;
    result.error = std::move(message);
    return result;
  };
  size_t pos = 0;
  while (pos < line.size()) {
    const char c = line[pos];
    if (c == ' ') {
      need_separator_ = false;
      ++pos;
      continue;
    }
    if (c == ')') {
      if (stack_.size() == 1) return fail("Unexpected ')'");
      std::vector<Token> children = std::move(stack_.back());
      stack_.pop_back();
      --tokens_;  // Push counts the list again
      std::string error = Push(Token::List(std::move(children)));
      if (!error.empty()) return fail(std::move(error));
      ++pos;
      continue;
    }
    if (need_separator_) return fail("Missing space between arguments");
    std::string error;
    if (c == '(') {
      if (static_cast<int>(stack_.size()) > max_depth_) return fail("Lists nested too deeply");
      if (stack_.front().size() < NameTokens()) return fail("Invalid command name");
      if (++tokens_ > max_tokens_) return fail("Too many tokens in command");
      stack_.emplace_back();
      ++pos;
      continue;
    }
    if (c == '"') {
      error = LexQuoted(line, &pos);
    } else if (c == '{' || (c == '~' && pos + 1 < line.size() && line[pos + 1] == '{')) {
      size_t end = 0;
      std::optional<LiteralSpec> spec = ParseLiteralSpec(line, pos, &end);
      if (!spec) return fail("Invalid literal");
      if (end != line.size()) return fail("Literal must end the line");
      if (stack_.front().size() < NameTokens()) return fail("Invalid command name");
      result.kind = LineResult::Kind::kLiteral;
      result.literal = *spec;
      return result;
    } else {
      error = LexAtom(line, &pos);
    }
    if (!error.empty()) return fail(std::move(error));
  }
  return result;
}

// RFC 9051 §4.3: quoted = DQUOTE *QUOTED-CHAR DQUOTE; only `\"` and `\\` are escapes.
std::string CommandBuilder::LexQuoted(absl::string_view line, size_t* pos) {
  std::string value;
  for (size_t i = *pos + 1; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '"') {
      *pos = i + 1;
      return Push(Token::Quoted(value));
    }
    if (c == '\\') {
      if (i + 1 >= line.size() || (line[i + 1] != '"' && line[i + 1] != '\\')) {
        return "Invalid escape in quoted string";
      }
      value.push_back(line[++i]);
      continue;
    }
    if (c == 0) return "NUL in quoted string";
    if (c >= 0x80 && !utf8_) return "8-bit character in quoted string";
    value.push_back(static_cast<char>(c));
  }
  return "Unterminated quoted string";
}

std::string CommandBuilder::LexAtom(absl::string_view line, size_t* pos) {
  size_t i = *pos;
  while (i < line.size()) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (c == '[') {
      // A FETCH section spec stays inside the atom, spaces and parentheses included.
      const size_t close = MatchBracket(line, i);
      if (close != absl::string_view::npos) {
        i = close;
        continue;
      }
    }
    if (EndsAtom(c)) break;
    if (c >= 0x80 && !utf8_) return "8-bit character in atom";
    ++i;
  }
  if (i == *pos) {
    return IsCtl(static_cast<unsigned char>(line[i])) ? "Control character in command"
                                                       : "Invalid character in command";
  }
  std::string text(line.substr(*pos, i - *pos));
  *pos = i;
  return Push(Token::Atom(text));
}

std::string CommandBuilder::AddLiteral(std::string bytes, bool literal8) {
  Token token = Token::Literal("", literal8);
  token.value = std::move(bytes);
  return Push(std::move(token));
}

std::string CommandBuilder::AddStreamedLiteral(uint64_t size, bool literal8) {
  Token token = Token::Literal("", literal8);
  token.streamed = true;
  token.literal_size = size;
  return Push(std::move(token));
}

absl::StatusOr<Command> CommandBuilder::Finish() {
  if (stack_.size() != 1) return absl::InvalidArgumentError("Unclosed list");
  std::vector<Token>& top = stack_.front();
  if (top.empty()) return absl::InvalidArgumentError("Missing tag");
  if (top.size() < NameTokens()) return absl::InvalidArgumentError("Missing command name");
  Command command;
  command.tag = top[0].value;
  command.name = name();
  for (size_t i = NameTokens(); i < top.size(); ++i) command.args.push_back(std::move(top[i]));
  Reset();
  return command;
}

std::string CommandBuilder::tag() const {
  const std::vector<Token>& top = stack_.front();
  return top.empty() ? "" : top[0].value;
}

std::string CommandBuilder::name() const {
  const std::vector<Token>& top = stack_.front();
  if (top.size() < NameTokens()) return "";
  std::string name = absl::AsciiStrToUpper(top[1].value);
  if (NameTokens() == 3) absl::StrAppend(&name, " ", absl::AsciiStrToUpper(top[2].value));
  return name;
}

std::vector<Token> CommandBuilder::args_so_far() const {
  const std::vector<Token>& top = stack_.front();
  if (top.size() <= NameTokens()) return {};
  return std::vector<Token>(top.begin() + static_cast<long>(NameTokens()), top.end());
}

}  // namespace mailroom::imap
