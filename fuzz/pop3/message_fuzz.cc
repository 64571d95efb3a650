// libFuzzer target for the RETR/TOP encoder (services/pop3/protocol/message_encoder.h): any
// chunking gives the same bytes; the output is valid POP3 multi-line data (CRLF only, no line
// "." before the end, terminated by ".\r\n"); un-stuffed RETR output equals the input with its
// line endings normalised; TOP output is a prefix of RETR output.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "services/pop3/protocol/message_encoder.h"

namespace {

using mailroom::pop3::EncodeMessage;
using mailroom::pop3::MessageEncoder;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "pop3_message_fuzz: %s\n", what);
    std::abort();
  }
}

// Every CR, LF and CRLF of `in` as CRLF, with a final CRLF added when missing.
std::string Normalise(absl::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (in[i] == '\n') {
      out += "\r\n";
    } else {
      out += in[i];
    }
  }
  if (!out.empty() && !absl::EndsWith(out, "\r\n")) out += "\r\n";
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t step = (data[0] & 0x0f) + 1;
  std::optional<uint64_t> lines;
  if (data[0] & 0x80) lines = (data[0] >> 4) & 0x07;
  const std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const std::string whole = EncodeMessage(input, lines);
  MessageEncoder encoder(lines);
  std::string chunked;
  for (size_t i = 0; i < input.size(); i += step) {
    encoder.Append(absl::string_view(input).substr(i, step), &chunked);
  }
  encoder.Finish(&chunked);
  Check(chunked == whole, "chunking changed the output");

  Check(absl::EndsWith(whole, ".\r\n"), "not terminated");
  Check(whole == ".\r\n" || absl::EndsWith(whole, "\r\n.\r\n"), "terminator not on its own line");
  std::string unstuffed;
  size_t pos = 0;
  const absl::string_view body = absl::string_view(whole).substr(0, whole.size() - 3);
  while (pos < body.size()) {
    size_t eol = body.find("\r\n", pos);
    Check(eol != absl::string_view::npos, "line without CRLF");
    absl::string_view line = body.substr(pos, eol - pos);
    Check(line.find('\r') == absl::string_view::npos, "bare CR");
    Check(line.find('\n') == absl::string_view::npos, "bare LF");
    Check(line != ".", "terminator inside the body");
    if (!line.empty() && line[0] == '.') {
      Check(line.size() > 1 && line[1] == '.', "dot not stuffed");
      line.remove_prefix(1);
    }
    unstuffed.append(line.data(), line.size());
    unstuffed += "\r\n";
    pos = eol + 2;
  }
  const std::string normalised = Normalise(input);
  if (!lines.has_value()) {
    Check(unstuffed == normalised, "RETR output differs from the message");
  } else {
    Check(absl::StartsWith(normalised, unstuffed), "TOP output is not a prefix of the message");
  }
  return 0;
}
