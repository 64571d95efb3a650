// libFuzzer target for the POP3 command parser (services/pop3/protocol/command.h):
// CommandParser fed in chunks must agree with ParseCommandLine on every line, stay within its
// memory bound, and every command it accepts must survive a print-and-reparse round trip.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/pop3/protocol/command.h"

namespace {

using mailroom::pop3::Command;
using mailroom::pop3::CommandParser;
using mailroom::pop3::Limits;
using mailroom::pop3::ParseCommandLine;
using mailroom::pop3::Verb;
using mailroom::pop3::VerbName;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "pop3_command_fuzz: %s\n", what);
    std::abort();
  }
}

// The command as a client would send it.
std::string Print(const Command& c) {
  std::string out(VerbName(c.verb));
  if (c.verb == Verb::kPass || c.verb == Verb::kUser || c.verb == Verb::kApop ||
      (c.verb == Verb::kAuth && !c.text.empty())) {
    absl::StrAppend(&out, " ", c.text);
  }
  if (c.extra.has_value()) absl::StrAppend(&out, " ", *c.extra);
  if (c.message.has_value()) absl::StrAppend(&out, " ", *c.message);
  if (c.lines.has_value()) absl::StrAppend(&out, " ", *c.lines);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the chunk size and whether the limits are small.
  const size_t step = (data[0] & 0x0f) + 1;
  Limits limits;
  if (data[0] & 0x80) {
    limits.max_line_length = 24;
    limits.max_argument_length = 8;
  }
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  CommandParser parser(limits);
  size_t line_start = 0;  // where the line being parsed began in `input`
  for (size_t i = 0; i < input.size(); i += step) {
    absl::string_view chunk = absl::string_view(input).substr(i, step);
    while (!chunk.empty()) {
      std::optional<absl::StatusOr<Command>> r = parser.Feed(&chunk);
      Check(parser.buffered() <= limits.max_line_length + 1, "buffered past the line limit");
      if (!r.has_value()) continue;
      const size_t line_end = static_cast<size_t>(chunk.data() - input.data());  // after LF
      absl::string_view line = absl::string_view(input).substr(line_start, line_end - line_start);
      line_start = line_end;
      line.remove_suffix(1);  // the LF
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      absl::StatusOr<Command> whole = ParseCommandLine(line, limits);
      if (line.size() > limits.max_line_length) {
        Check(absl::IsResourceExhausted(r->status()), "over-long line not rejected");
        continue;
      }
      Check(whole.status().code() == r->status().code(), "incremental and whole disagree");
      if (!r->ok()) continue;
      Check(**r == *whole, "incremental and whole commands differ");
      absl::StatusOr<Command> again = ParseCommandLine(Print(**r), limits);
      Check(again.ok() && *again == **r, "print/reparse round trip failed");
    }
  }
  return 0;
}
