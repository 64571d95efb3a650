#include "services/pop3/protocol/command.h"

#include <array>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::pop3 {
namespace {

struct VerbInfo {
  absl::string_view name;
  Verb verb;
  // Whitespace-separated arguments allowed (PASS takes the rest of the line instead).
  int min_args;
  int max_args;
};

constexpr std::array<VerbInfo, 16> kVerbs = {{
    {"USER", Verb::kUser, 1, 1},
    {"PASS", Verb::kPass, 1, 1},
    {"APOP", Verb::kApop, 2, 2},
    {"AUTH", Verb::kAuth, 0, 2},
    {"STLS", Verb::kStls, 0, 0},
    {"CAPA", Verb::kCapa, 0, 0},
    {"UTF8", Verb::kUtf8, 0, 0},
    {"STAT", Verb::kStat, 0, 0},
    {"LIST", Verb::kList, 0, 1},
    {"RETR", Verb::kRetr, 1, 1},
    {"TOP", Verb::kTop, 2, 2},
    {"DELE", Verb::kDele, 1, 1},
    {"NOOP", Verb::kNoop, 0, 0},
    {"RSET", Verb::kRset, 0, 0},
    {"UIDL", Verb::kUidl, 0, 1},
    {"QUIT", Verb::kQuit, 0, 0},
}};

const VerbInfo* FindVerb(absl::string_view keyword) {
  for (const VerbInfo& v : kVerbs) {
    if (absl::EqualsIgnoreCase(v.name, keyword)) return &v;
  }
  return nullptr;
}

// RFC 1939 §3: arguments are printable; we also pass 8-bit bytes (RFC 6856 UTF-8 names) but
// never control characters, which have no business in a command and confuse logs.
bool HasControl(absl::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

std::vector<absl::string_view> SplitArgs(absl::string_view rest) {
  std::vector<absl::string_view> out;
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    if (i == rest.size()) break;
    size_t j = rest.find(' ', i);
    if (j == absl::string_view::npos) j = rest.size();
    out.push_back(rest.substr(i, j - i));
    i = j;
  }
  return out;
}

bool IsHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

absl::Status CheckLength(absl::string_view arg, const Limits& limits) {
  if (arg.size() > limits.max_argument_length) {
    return absl::ResourceExhaustedError("argument too long");
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view VerbName(Verb verb) {
  for (const VerbInfo& v : kVerbs) {
    if (v.verb == verb) return v.name;
  }
  return "?";
}

absl::StatusOr<uint32_t> ParseNumber(absl::string_view text) {
  if (text.empty() || text.size() > 10) return absl::InvalidArgumentError("bad number");
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return absl::InvalidArgumentError("bad number");
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > UINT32_MAX) return absl::InvalidArgumentError("number too large");
  return static_cast<uint32_t>(value);
}

absl::StatusOr<Command> ParseCommandLine(absl::string_view line, const Limits& limits) {
  if (line.size() > limits.max_line_length) return absl::ResourceExhaustedError("line too long");
  if (HasControl(line)) return absl::InvalidArgumentError("control character in command");
  const size_t space = line.find(' ');
  const absl::string_view keyword = line.substr(0, space);
  const absl::string_view rest =
      space == absl::string_view::npos ? absl::string_view() : line.substr(space + 1);
  const VerbInfo* info = FindVerb(keyword);
  if (info == nullptr) return absl::UnimplementedError("unknown command");

  Command cmd;
  cmd.verb = info->verb;
  if (info->verb == Verb::kPass) {
    // RFC 1939 §7: the password is the rest of the line, spaces included.
    if (rest.empty()) return absl::InvalidArgumentError("PASS needs a password");
    if (absl::Status s = CheckLength(rest, limits); !s.ok()) return s;
    cmd.text = std::string(rest);
    return cmd;
  }
  const std::vector<absl::string_view> args = SplitArgs(rest);
  if (static_cast<int>(args.size()) < info->min_args) {
    return absl::InvalidArgumentError(absl::StrCat(info->name, ": missing argument"));
  }
  if (static_cast<int>(args.size()) > info->max_args) {
    return absl::InvalidArgumentError(absl::StrCat(info->name, ": too many arguments"));
  }
  for (absl::string_view a : args) {
    if (absl::Status s = CheckLength(a, limits); !s.ok() && cmd.verb != Verb::kAuth) return s;
  }
  switch (info->verb) {
    case Verb::kUser:
      cmd.text = std::string(args[0]);
      break;
    case Verb::kApop:
      if (args[1].size() != 32 || !IsHex(args[1])) {
        return absl::InvalidArgumentError("APOP digest must be 32 hex digits");
      }
      cmd.text = std::string(args[0]);
      cmd.extra = absl::AsciiStrToLower(args[1]);
      break;
    case Verb::kAuth:
      if (!args.empty()) cmd.text = absl::AsciiStrToUpper(args[0]);
      if (args.size() == 2) cmd.extra = std::string(args[1]);
      break;
    case Verb::kList:
    case Verb::kUidl:
    case Verb::kRetr:
    case Verb::kDele:
    case Verb::kTop: {
      if (args.empty()) break;
      absl::StatusOr<uint32_t> n = ParseNumber(args[0]);
      if (!n.ok()) return absl::InvalidArgumentError("bad message number");
      cmd.message = *n;
      if (info->verb == Verb::kTop) {
        absl::StatusOr<uint32_t> lines = ParseNumber(args[1]);
        if (!lines.ok()) return absl::InvalidArgumentError("bad line count");
        cmd.lines = *lines;
      }
      break;
    }
    default:
      break;
  }
  return cmd;
}

std::optional<absl::StatusOr<Command>> CommandParser::Feed(absl::string_view* input) {
  const size_t lf = input->find('\n');
  const absl::string_view part = input->substr(0, lf);  // whole input when no LF
  if (!overflow_) {
    // +1 leaves room for the CR of a CRLF split across Feed() calls.
    if (line_.size() + part.size() > limits_.max_line_length + 1) {
      overflow_ = true;
      line_.clear();
    } else {
      line_.append(part.data(), part.size());
    }
  }
  if (lf == absl::string_view::npos) {
    input->remove_prefix(input->size());
    return std::nullopt;
  }
  input->remove_prefix(lf + 1);
  absl::StatusOr<Command> result = absl::ResourceExhaustedError("line too long");
  if (!overflow_) {
    absl::string_view text = line_;
    if (absl::EndsWith(text, "\r")) text.remove_suffix(1);
    result = ParseCommandLine(text, limits_);
  }
  line_.clear();
  overflow_ = false;
  return result;
}

}  // namespace mailroom::pop3
