// Fuzzes the SMTP protocol layer: every input line goes through ParseCommand, and MAIL/RCPT
// arguments through their parsers; the whole input also runs through DataLines under both
// bare-line-ending policies. Invariants are checked, not only crashes.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "services/smtp/protocol/command.h"
#include "services/smtp/protocol/data_lines.h"
#include "services/smtp/protocol/envelope.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

void Lines(std::string_view input, mailroom::smtp::BareLineEndings policy) {
  mailroom::smtp::DataLines data(policy, 998);
  std::string out;
  size_t start = 0;
  while (start < input.size()) {
    size_t lf = input.find('\n', start);
    if (lf == std::string_view::npos) break;
    const bool crlf = lf > start && input[lf - 1] == '\r';
    std::string_view line = input.substr(start, lf - start - (crlf ? 1 : 0));
    const size_t before = out.size();
    if (data.Add(line, crlf, &out)) {
      // Only "." after a CRLF-ended line, itself ending in CRLF, may end the data.
      Check(line == "." && crlf);
      break;
    }
    Check(out.size() >= before + 2 && out.compare(out.size() - 2, 2, "\r\n") == 0);
    start = lf + 1;
  }
  Check(data.bytes() == out.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find("\r\n", start);
    if (end == std::string_view::npos) end = input.size();
    const std::string_view line = input.substr(start, end - start);
    const mailroom::smtp::Command c = mailroom::smtp::ParseCommand(line);
    if (c.verb == mailroom::smtp::Verb::kMail) {
      auto m = mailroom::smtp::ParseMailFrom(c.args);
      if (m.ok()) Check(m->reverse_path.size() <= 256);
    } else if (c.verb == mailroom::smtp::Verb::kRcpt) {
      auto r = mailroom::smtp::ParseRcptTo(c.args);
      if (r.ok()) Check(!r->forward_path.empty());
    }
    start = end + 2;
  }
  Lines(input, mailroom::smtp::BareLineEndings::kReject);
  Lines(input, mailroom::smtp::BareLineEndings::kNormalize);
  return 0;
}
