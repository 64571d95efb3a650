// The multi-line body of RETR and TOP (RFC 1939 §3, §7): a stored message, fed in chunks as it
// streams from the store, turned into its wire form: every line ending becomes CRLF whatever
// the stored message used (CRLF, bare LF, bare CR), a line starting with "." gets one more
// ("byte-stuffing"), and the terminating ".\r\n" follows. For TOP only the header, the blank
// line and the first N body lines go out. Pure and incremental: state carries across chunks,
// memory is constant.
#ifndef MAILROOM_SERVICES_POP3_PROTOCOL_MESSAGE_ENCODER_H_
#define MAILROOM_SERVICES_POP3_PROTOCOL_MESSAGE_ENCODER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace mailroom::pop3 {

class MessageEncoder {
 public:
  // `body_lines`: std::nullopt for RETR (the whole message), N for TOP msg N.
  explicit MessageEncoder(std::optional<uint64_t> body_lines = std::nullopt)
      : body_lines_(body_lines) {}

  // Appends the wire form of `chunk` to `*out`. Once done() the rest is ignored.
  void Append(absl::string_view chunk, std::string* out);

  // True once TOP has sent all the lines it wants (the caller may stop reading the message).
  bool done() const { return done_; }

  // Ends the response: completes a last line that lacked its ending, then appends ".\r\n".
  void Finish(std::string* out);

 private:
  // Ends the current line on the wire and updates the header/body line accounting.
  void EndLine(std::string* out);

  const std::optional<uint64_t> body_lines_;
  bool done_ = false;
  bool at_line_start_ = true;
  bool pending_cr_ = false;    // the last byte seen was CR; its LF may be in the next chunk
  bool line_empty_ = true;     // no byte of the current line seen yet
  bool in_body_ = false;       // the blank line ending the header has been sent
  uint64_t body_lines_sent_ = 0;
};

// Convenience for tests and small messages: the whole wire form of `message`.
std::string EncodeMessage(absl::string_view message,
                          std::optional<uint64_t> body_lines = std::nullopt);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_PROTOCOL_MESSAGE_ENCODER_H_
