// MIME / RFC 5322 message parsing: one pass over a raw message yields the IMAP ENVELOPE
// (RFC 9051 §7.5.2), the header fields and the tree of MIME entities with the byte offsets
// that BODY[section] and BODYSTRUCTURE are served from.
//
// The parser never fails: broken input yields a best-effort structure. It guarantees:
//  - every offset/size lies within the raw message;
//  - a multipart Part has at least one child (when no body part can be found, one synthetic
//    text/plain child covers the whole multipart body, as IMAP requires 1*body);
//  - a message/rfc822 or message/global Part has exactly one child (the enclosed message's
//    top-level entity) and a non-null message_envelope;
//  - an entity that cannot be expanded because a Limit was hit becomes a leaf
//    application/octet-stream and Message::truncated is set.
#ifndef MAILROOM_SERVICES_MIME_MESSAGE_H_
#define MAILROOM_SERVICES_MIME_MESSAGE_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::mime {

struct Limits {
  int max_depth = 32;                 // nesting of multipart / message/rfc822 (capped at 1000)
  int max_parts = 2000;               // total MIME entities
  size_t max_header_fields = 2000;    // per entity; the rest are ignored
  size_t max_header_bytes = 1 << 20;  // per entity header block; the rest is treated as body
};

// A Content-Type or Content-Disposition parameter. `name` is lower-cased; `value` is RFC 2231
// decoded (continuations joined, charset'lang'%XX decoded and converted to UTF-8 when the
// charset is one ToUtf8 knows; otherwise the bytes as given).
struct Param {
  std::string name;
  std::string value;
};

// Placeholders used when an address lacks a local part or a domain, so that the IMAP address
// structure never looks like group syntax by accident (host NIL means group, RFC 9051 §7.5.2).
inline constexpr std::string_view kMissingMailbox = "MISSING_MAILBOX";
inline constexpr std::string_view kMissingDomain = "MISSING_DOMAIN";

// One element of an ENVELOPE address list (RFC 9051 §7.5.2).
struct Address {
  std::string name;          // display name: raw bytes, quotes removed, encoded words NOT decoded
                             // (IMAP serves them raw); "" = NIL. For a bare addr-spec followed by a
                             // comment, the comment text ("user@host (Name)").
  std::string adl;           // source route, "" = NIL
  std::string mailbox;       // local part (quotes removed); for a group start: the group name
  std::string host;          // domain
  bool group_start = false;  // RFC 9051: group start (host NIL, mailbox = group name)
  bool group_end = false;    // group end (mailbox and host NIL)
};

struct Envelope {  // std::nullopt = NIL
  // Raw unfolded values, leading/trailing WSP trimmed; first occurrence of each field wins.
  std::optional<std::string> date, subject, in_reply_to, message_id;
  // sender/reply_to default to from when absent or empty (RFC 9051 §7.5.2).
  std::vector<Address> from, sender, reply_to, to, cc, bcc;
};

// name as written; value unfolded (the CRLF of each CRLF+WSP removed), leading WSP after the
// colon and trailing WSP removed, otherwise raw bytes.
struct HeaderField {
  std::string name;
  std::string value;
};

struct Part {
  // Lower-cased; defaults per RFC 2045 §5.2 (text/plain; charset=us-ascii, or message/rfc822
  // inside multipart/digest). The default charset parameter is added only when the type was
  // defaulted (no or unparsable Content-Type).
  std::string type = "text", subtype = "plain";
  std::vector<Param> params;  // Content-Type parameters
  std::optional<std::string> id, description, md5, location;
  std::string encoding = "7bit";           // Content-Transfer-Encoding, lower-cased
  std::optional<std::string> disposition;  // lower-cased type
  std::vector<Param> disposition_params;
  std::vector<std::string> languages;
  // This entity's header block in the raw message (BODY[n.MIME]); header_size includes the
  // blank line when there is one.
  uint64_t header_offset = 0, header_size = 0;
  // Body bytes in the raw message; lines = LF count of the body (text/* and message/rfc822,
  // message/global only; 0 otherwise).
  uint64_t body_offset = 0, body_size = 0, body_lines = 0;
  // multipart: the parts; message/rfc822: exactly one = the enclosed message's body.
  std::vector<Part> children;
  std::shared_ptr<Envelope> message_envelope;  // message/rfc822 only: enclosed ENVELOPE
  std::vector<HeaderField> message_headers;    // message/rfc822 only: enclosed header fields
};

struct Message {
  Envelope envelope;
  std::vector<HeaderField> headers;  // top-level header fields in order
  uint64_t header_size = 0;          // octets of the top-level header block incl. blank line
  uint64_t size = 0;                 // whole message octets
  Part body;               // the top-level entity (header_offset=0, header_size=header_size)
  bool truncated = false;  // a limit was hit (depth/parts/header): parsing degraded gracefully
};

// Parses a raw RFC 5322 message. Never fails and never crashes: broken input (missing or bad
// boundaries, missing blank line, bare LF line endings, 8-bit bytes in headers, NUL bytes,
// unterminated quotes/comments) yields a best-effort structure. Work is O(input * depth) and
// memory bounded by Limits; recursion never goes deeper than max_depth.
Message Parse(std::string_view raw, const Limits& limits = {});

// True for multipart/* entities (which always have at least one child after Parse).
bool IsMultipart(const Part& part);
// True for message/rfc822 and message/global (RFC 9051 §6.4.5): entities whose body is an
// enclosed message, expanded into children[0] and message_envelope.
bool IsEncapsulatedMessage(const Part& part);
// The value of the first parameter named `name` (lower-case), or nullptr.
const std::string* FindParam(const std::vector<Param>& params, std::string_view name);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_MESSAGE_H_
