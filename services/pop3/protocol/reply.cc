#include "services/pop3/protocol/reply.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mailroom::pop3 {

absl::string_view RespCodeText(RespCode code) {
  switch (code) {
    case RespCode::kNone:
      return "";
    case RespCode::kInUse:
      return "[IN-USE]";
    case RespCode::kLoginDelay:
      return "[LOGIN-DELAY]";
    case RespCode::kSysTemp:
      return "[SYS/TEMP]";
    case RespCode::kSysPerm:
      return "[SYS/PERM]";
    case RespCode::kAuth:
      return "[AUTH]";
    case RespCode::kUtf8:
      return "[UTF8]";
  }
  return "";
}

std::string OkReply(absl::string_view text) {
  if (text.empty()) return "+OK\r\n";
  return absl::StrCat("+OK ", text, "\r\n");
}

std::string ErrReply(RespCode code, absl::string_view text) {
  if (code == RespCode::kNone) return absl::StrCat("-ERR ", text, "\r\n");
  return absl::StrCat("-ERR ", RespCodeText(code), " ", text, "\r\n");
}

std::string StatusToReply(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kFailedPrecondition:
      return ErrReply(RespCode::kInUse, "maildrop is locked by another session");
    case absl::StatusCode::kPermissionDenied:
      return ErrReply(RespCode::kAuth, "authentication failed");
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
      return ErrReply(RespCode::kSysTemp, "temporary failure, try again later");
    default:
      return ErrReply(RespCode::kSysPerm, "internal error");
  }
}

std::string UniqueId(uint32_t uidvalidity, uint32_t uid) {
  return absl::StrFormat("%08x%08x", uidvalidity, uid);
}

}  // namespace mailroom::pop3
