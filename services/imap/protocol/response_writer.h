// Builds IMAP server responses (RFC 9051 §7) into a std::string: status responses with
// response codes, continuation requests, and a value builder that picks atom, quoted string,
// literal or literal8 correctly and spaces the values of parenthesised lists.
#ifndef MAILROOM_SERVICES_IMAP_PROTOCOL_RESPONSE_WRITER_H_
#define MAILROOM_SERVICES_IMAP_PROTOCOL_RESPONSE_WRITER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace mailroom::imap {

enum class StatusKind { kOk, kNo, kBad, kPreauth, kBye };

// `tag SP status SP [ "[" code "]" SP ] text CRLF`; tag "*" makes it untagged. `code` is the
// response code without brackets ("" for none), e.g. code::UidNext(5). CR, LF and NUL in
// code or text become spaces; an empty text becomes the status word's usual text.
std::string StatusResponse(absl::string_view tag, StatusKind kind, absl::string_view code,
                           absl::string_view text);
// `+ text CRLF` (RFC 9051 §7.5); an empty text still sends "+ " as some clients expect.
std::string ContinuationRequest(absl::string_view text);

// Response codes (RFC 9051 §7.1, RFC 4315 UIDPLUS, RFC 7162, RFC 5530), without brackets.
namespace code {
inline constexpr absl::string_view kAlert = "ALERT";
inline constexpr absl::string_view kAlreadyExists = "ALREADYEXISTS";
inline constexpr absl::string_view kAuthenticationFailed = "AUTHENTICATIONFAILED";
inline constexpr absl::string_view kCannot = "CANNOT";
inline constexpr absl::string_view kClosed = "CLOSED";
inline constexpr absl::string_view kContactAdmin = "CONTACTADMIN";
inline constexpr absl::string_view kExpungeIssued = "EXPUNGEISSUED";
inline constexpr absl::string_view kInUse = "INUSE";
inline constexpr absl::string_view kLimit = "LIMIT";
inline constexpr absl::string_view kNoModSeq = "NOMODSEQ";
inline constexpr absl::string_view kNonExistent = "NONEXISTENT";
inline constexpr absl::string_view kNoPerm = "NOPERM";
inline constexpr absl::string_view kOverQuota = "OVERQUOTA";
inline constexpr absl::string_view kParse = "PARSE";
inline constexpr absl::string_view kPrivacyRequired = "PRIVACYREQUIRED";
inline constexpr absl::string_view kReadOnly = "READ-ONLY";
inline constexpr absl::string_view kReadWrite = "READ-WRITE";
inline constexpr absl::string_view kServerBug = "SERVERBUG";
inline constexpr absl::string_view kTooBig = "TOOBIG";
inline constexpr absl::string_view kTryCreate = "TRYCREATE";
inline constexpr absl::string_view kUnavailable = "UNAVAILABLE";
inline constexpr absl::string_view kUseAttr = "USEATTR";
std::string UidNext(uint32_t uid);
std::string UidValidity(uint32_t uidvalidity);
std::string HighestModSeq(uint64_t modseq);
std::string AppendUid(uint32_t uidvalidity, absl::string_view uid_set);
std::string CopyUid(uint32_t uidvalidity, absl::string_view source_set,
                    absl::string_view dest_set);
std::string Modified(absl::string_view set);
std::string PermanentFlags(const std::vector<std::string>& flags);
std::string Capability(const std::vector<std::string>& capabilities);
std::string BadCharset(const std::vector<std::string>& charsets);
}  // namespace code

// Appends values with single spaces between them; Open()/Close() bracket a list.
//
//   ResponseBuilder b;
//   b.Raw("* 3 FETCH ").Open().Atom("UID").Number(7).Atom("FLAGS").Open().Atom("\\Seen")
//    .Close().Close().EndLine();   // "* 3 FETCH (UID 7 FLAGS (\Seen))\r\n"
class ResponseBuilder {
 public:
  // With `utf8` (UTF8=ACCEPT enabled) valid UTF-8 may be sent as a quoted string.
  explicit ResponseBuilder(bool utf8 = false) : utf8_(utf8) {}

  // Appends text verbatim; no separator is added before the next value when it ends with
  // a space, "(" or "[".
  ResponseBuilder& Raw(absl::string_view text);
  ResponseBuilder& Atom(absl::string_view atom);
  ResponseBuilder& Number(uint64_t n);
  ResponseBuilder& Nil();
  // A quoted string when the bytes allow it (RFC 9051 §4.3: no CR, LF or NUL, 7-bit unless
  // UTF-8 is enabled, not too long), else a literal.
  ResponseBuilder& String(absl::string_view text);
  ResponseBuilder& NString(const std::optional<std::string>& text);
  // NIL for the empty string, else String().
  ResponseBuilder& NStringOrNil(absl::string_view text);
  ResponseBuilder& Literal(absl::string_view bytes);
  // literal8 `~{n}` when the bytes contain NUL, else a literal (RFC 3516 §4.3).
  ResponseBuilder& Binary(absl::string_view bytes);
  // A quoted `"dd-Mon-yyyy hh:mm:ss +zzzz"` (RFC 9051 §9 date-time).
  ResponseBuilder& DateTime(absl::Time time, int zone_minutes);
  ResponseBuilder& Open();
  ResponseBuilder& Close();
  ResponseBuilder& EndLine();

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void Separate();

  bool utf8_;
  bool need_space_ = false;
  std::string out_;
};

// True when `text` can be sent as a quoted string (see ResponseBuilder::String).
bool CanQuote(absl::string_view text, bool utf8);

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_PROTOCOL_RESPONSE_WRITER_H_
