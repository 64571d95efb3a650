#include "services/smtp/protocol/data_lines.h"

namespace mailroom::smtp {

bool DataLines::Add(std::string_view line, bool crlf, std::string* out) {
  const bool after_crlf = previous_crlf_;
  previous_crlf_ = crlf;
  if (line == "." && crlf && after_crlf) return true;
  if (!crlf) bad_endings_ = true;
  // RFC 5321 §4.5.2: a leading "." was doubled by the client.
  if (!line.empty() && line.front() == '.') line.remove_prefix(1);
  if (line.size() > max_line_) overlong_ = true;
  std::string normalised;
  if (line.find('\r') != std::string_view::npos) {
    bad_endings_ = true;  // a bare CR inside the line
    if (policy_ == BareLineEndings::kNormalize) {
      for (size_t i = 0; i < line.size(); ++i) {
        normalised += line[i];
        if (line[i] == '\r') normalised += '\n';
      }
      line = normalised;
    }
  }
  bytes_ += line.size() + 2;
  out->append(line);
  out->append("\r\n");
  return false;
}

}  // namespace mailroom::smtp
