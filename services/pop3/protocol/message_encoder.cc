#include "services/pop3/protocol/message_encoder.h"

namespace mailroom::pop3 {

void MessageEncoder::EndLine(std::string* out) {
  out->append("\r\n");
  if (in_body_) {
    ++body_lines_sent_;
  } else if (line_empty_) {
    in_body_ = true;  // RFC 5322 §2.1: the first empty line separates header and body
  }
  at_line_start_ = true;
  line_empty_ = true;
  if (in_body_ && body_lines_.has_value() && body_lines_sent_ >= *body_lines_) done_ = true;
}

void MessageEncoder::Append(absl::string_view chunk, std::string* out) {
  out->reserve(out->size() + chunk.size() + chunk.size() / 32 + 8);
  size_t i = 0;
  while (i < chunk.size() && !done_) {
    if (pending_cr_) {
      pending_cr_ = false;
      // CRLF or a bare CR: either way one line ends here.
      if (chunk[i] == '\n') ++i;
      EndLine(out);
      continue;
    }
    // Copy the run of ordinary bytes up to the next CR or LF in one go.
    size_t j = i;
    while (j < chunk.size() && chunk[j] != '\r' && chunk[j] != '\n') ++j;
    if (j > i) {
      if (at_line_start_ && chunk[i] == '.') out->push_back('.');  // RFC 1939 §3 byte-stuffing
      out->append(chunk.data() + i, j - i);
      at_line_start_ = false;
      line_empty_ = false;
      i = j;
      continue;
    }
    if (chunk[i] == '\r') {
      pending_cr_ = true;
      ++i;
    } else {  // bare LF
      ++i;
      EndLine(out);
    }
  }
}

void MessageEncoder::Finish(std::string* out) {
  if (!done_) {
    if (pending_cr_) {
      pending_cr_ = false;
      EndLine(out);
    } else if (!at_line_start_) {
      EndLine(out);
    }
  }
  out->append(".\r\n");
}

std::string EncodeMessage(absl::string_view message, std::optional<uint64_t> body_lines) {
  std::string out;
  MessageEncoder encoder(body_lines);
  encoder.Append(message, &out);
  encoder.Finish(&out);
  return out;
}

}  // namespace mailroom::pop3
