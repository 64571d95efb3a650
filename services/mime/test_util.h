// Test helpers for services/mime: IMAP-shaped renderings of parse results, so expectations
// can be written by hand from RFC 9051 §7.4.2 / §7.5.2, and the shared message cases.
#ifndef MAILROOM_SERVICES_MIME_TEST_UTIL_H_
#define MAILROOM_SERVICES_MIME_TEST_UTIL_H_

#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "services/mime/message.h"

namespace mailroom::mime::testing {

// "\n" -> "\r\n" (for writing CRLF messages as raw string literals).
std::string Crlf(std::string_view text);

// The ENVELOPE as IMAP prints it: ("date" "subject" from sender reply-to to cc bcc
// "in-reply-to" "message-id"), NIL for absent values and empty lists; addresses
// (name adl mailbox host) with "" printed as NIL.
std::string ImapEnvelope(const Envelope& env);

// A compact BODYSTRUCTURE-like rendering of a part tree:
//   leaf:      type/subtype;k=v encoding [L<lines>] [id=..] [desc=..] [md5=..] [loc=..]
//              [disp=type;k=v] [lang=a,b]
//   multipart: type/subtype;k=v (child, child)
//   message:   type/subtype;k=v encoding L<lines> (child)
std::string Describe(const Part& part);

// "1.2.3" -> {1, 2, 3}; "" -> {}.
std::vector<uint32_t> ParsePath(std::string_view path);

struct MessageCase {
  std::string name;
  std::string raw;
  std::string envelope;   // ImapEnvelope of the message; empty = not checked
  std::string structure;  // Describe(msg.body); empty = not checked
  // path -> exact body bytes (raw.substr(body_offset, body_size)) of FindPart(path).
  std::vector<std::pair<std::string, std::string>> bodies;
  // path -> exact header block bytes of FindPart(path) (BODY[path.MIME]).
  std::vector<std::pair<std::string, std::string>> headers;
  // path of a message/rfc822 part -> ImapEnvelope of the enclosed message.
  std::vector<std::pair<std::string, std::string>> inner_envelopes;
  // paths FindPart must reject.
  std::vector<std::string> missing;
  bool truncated = false;
};

// gtest prints a case by its name.
inline void PrintTo(const MessageCase& c, std::ostream* os) { *os << c.name; }

// The hand-written real-world-shaped messages with their expectations.
std::vector<MessageCase> BasicCases();    // well-formed structures
std::vector<MessageCase> AddressCases();  // header and address syntax
std::vector<MessageCase> BrokenCases();   // malformed and edge-case input
std::vector<MessageCase> AllCases();

// Checks the structural guarantees of Parse() (message.h) for `msg` parsed from `raw` with
// `limits`: offsets inside the message, header+body contiguous, children inside their
// parent's body, multipart => >= 1 child, message/rfc822 => 1 child and an envelope, part
// count and depth within limits. Returns "" when all hold, else the first violation.
std::string CheckInvariants(const Message& msg, std::string_view raw, const Limits& limits);

// Pathological generated messages (no expectations beyond invariants).
std::string DeeplyNestedMessage(int depth);
std::string ManyPartsMessage(int parts);

}  // namespace mailroom::mime::testing

#endif  // MAILROOM_SERVICES_MIME_TEST_UTIL_H_
