// POP3 replies: status indicators with RFC 2449 §8 / RFC 3206 extended response codes, and the
// one mapping of an absl::Status to the wire (STYLE.md convention 6). Pure code.
#ifndef MAILROOM_SERVICES_POP3_PROTOCOL_REPLY_H_
#define MAILROOM_SERVICES_POP3_PROTOCOL_REPLY_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace mailroom::pop3 {

// Extended response codes (RFC 2449 §8, RFC 3206, RFC 6856 §3).
enum class RespCode {
  kNone,
  kInUse,       // [IN-USE]      maildrop locked by another session (RFC 2449 §8.1.1)
  kLoginDelay,  // [LOGIN-DELAY] logged in too recently (RFC 2449 §8.1.2)
  kSysTemp,     // [SYS/TEMP]    temporary system problem, retry later (RFC 3206 §4)
  kSysPerm,     // [SYS/PERM]    permanent system problem (RFC 3206 §4)
  kAuth,        // [AUTH]        the credentials were wrong (RFC 3206 §5)
  kUtf8,        // [UTF8]        (RFC 6856 §3)
};

// "[IN-USE]" etc.; "" for kNone.
absl::string_view RespCodeText(RespCode code);

// "+OK text\r\n" ("+OK\r\n" when `text` is empty).
std::string OkReply(absl::string_view text);
// "-ERR [CODE] text\r\n".
std::string ErrReply(RespCode code, absl::string_view text);

// The -ERR reply for a failed store or session operation: FAILED_PRECONDITION → [IN-USE],
// PERMISSION_DENIED → [AUTH], UNAVAILABLE / DEADLINE_EXCEEDED / RESOURCE_EXHAUSTED /
// ABORTED / CANCELLED → [SYS/TEMP], anything else → [SYS/PERM] with a generic text (the detail
// belongs in the log, not on the wire).
std::string StatusToReply(const absl::Status& status);

// RFC 1939 §7 UIDL: a unique-id stable across sessions and store replicas, made from the
// INBOX's UIDVALIDITY and the message's UID (16 hex digits, within RFC 1939's 0x21-0x7E, 1-70).
std::string UniqueId(uint32_t uidvalidity, uint32_t uid);

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_PROTOCOL_REPLY_H_
