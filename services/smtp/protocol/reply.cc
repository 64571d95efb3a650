#include "services/smtp/protocol/reply.h"

#include "absl/strings/str_cat.h"

namespace mailroom::smtp {

std::string Reply::Format() const {
  if (enhanced.empty()) return absl::StrCat(code, " ", text, "\r\n");
  return absl::StrCat(code, " ", enhanced, " ", text, "\r\n");
}

std::string FormatMultiline(int code, const std::vector<std::string>& lines) {
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::StrAppend(&out, code, i + 1 == lines.size() ? " " : "-", lines[i], "\r\n");
  }
  return out;
}

Reply ReplyForStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return {250, "2.0.0", "OK"};
    case absl::StatusCode::kResourceExhausted:
      return {552, "5.2.2", "Mailbox full: quota exceeded"};
    case absl::StatusCode::kNotFound:
      return {550, "5.1.1", "No such user here"};
    case absl::StatusCode::kInvalidArgument:
      return {501, "5.5.4", "Invalid argument"};
    default:
      return {451, "4.3.0", "Temporary local problem, please try again later"};
  }
}

}  // namespace mailroom::smtp
