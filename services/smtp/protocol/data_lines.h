// The DATA body of RFC 5321 §4.1.1.4, line by line: dot-unstuffing (§4.5.2) and the end of
// data, which is only <CRLF>.<CRLF>: a "." line that ends in a bare LF, or follows a line that
// did, never ends it (no SMTP smuggling). Bare CR or bare LF line endings are either refused
// (the message is rejected at its end) or normalised to CRLF. Pure: no sockets.
#ifndef MAILROOM_SERVICES_SMTP_PROTOCOL_DATA_LINES_H_
#define MAILROOM_SERVICES_SMTP_PROTOCOL_DATA_LINES_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace mailroom::smtp {

enum class BareLineEndings { kReject, kNormalize };

class DataLines {
 public:
  DataLines(BareLineEndings policy, size_t max_line) : policy_(policy), max_line_(max_line) {}

  // Takes one line (without its ending) and whether it ended in CRLF (else bare LF). Appends
  // the unstuffed line with CRLF to `out`. Returns true when this line was the end-of-data
  // marker (nothing appended).
  bool Add(std::string_view line, bool crlf, std::string* out);

  // The line was longer than the reader's limit and could not be kept: the message is
  // incomplete and must be refused (never stored truncated).
  void AddOverlongLine() {
    overlong_ = true;
    truncated_ = true;
  }

  uint64_t bytes() const { return bytes_; }
  bool bad_line_endings() const { return bad_endings_; }
  bool overlong() const { return overlong_; }
  bool truncated() const { return truncated_; }

 private:
  const BareLineEndings policy_;
  const size_t max_line_;
  uint64_t bytes_ = 0;
  bool previous_crlf_ = true;  // DATA's own line ended in CRLF
  bool bad_endings_ = false;
  bool overlong_ = false;
  bool truncated_ = false;
};

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_PROTOCOL_DATA_LINES_H_
