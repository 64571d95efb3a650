// Malformed and edge-case messages: what a best-effort parse must make of them.
#include "services/mime/test_util.h"

namespace mailroom::mime::testing {
namespace {

using namespace std::string_literals;

constexpr char kNilEnvelope[] = "(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)";

MessageCase MissingBoundary() {
  MessageCase c;
  c.name = "missing_boundary";
  c.raw = Crlf(R"(From: a@example.com
Subject: no boundary
Content-Type: multipart/mixed

--foo
Content-Type: text/plain

hi
--foo--
)");
  // No boundary: one synthetic text/plain part covering the whole body (IMAP needs 1*body).
  c.structure = "multipart/mixed (text/plain;charset=us-ascii 7bit L5)";
  c.bodies = {{"1", "--foo\r\nContent-Type: text/plain\r\n\r\nhi\r\n--foo--\r\n"}};
  c.headers = {{"1", ""}};
  return c;
}

MessageCase WrongBoundary() {
  MessageCase c;
  c.name = "wrong_boundary";
  c.raw = Crlf(R"(Content-Type: multipart/alternative; boundary="bar"

--foo
Content-Type: text/plain

hi
--foo--
)");
  c.structure = "multipart/alternative;boundary=bar (text/plain;charset=us-ascii 7bit L5)";
  c.bodies = {{"1", "--foo\r\nContent-Type: text/plain\r\n\r\nhi\r\n--foo--\r\n"}};
  c.envelope = kNilEnvelope;
  return c;
}

MessageCase BoundaryNeverClosed() {
  MessageCase c;
  c.name = "boundary_never_closed";
  c.raw = Crlf(R"(Content-Type: multipart/mixed; boundary=open

--open
Content-Type: text/plain

first
--open
Content-Type: text/plain

unterminated last part
)");
  c.structure = "multipart/mixed;boundary=open (text/plain 7bit L0, text/plain 7bit L1)";
  c.bodies = {{"1", "first"}, {"2", "unterminated last part\r\n"}};
  return c;
}

MessageCase PreambleEpilogue() {
  MessageCase c;
  c.name = "preamble_epilogue";
  c.raw = Crlf(R"(Content-Type: multipart/mixed; boundary=pe

This is the preamble.
It spans two lines.
--pe

implicit text part
--pe--
This is the epilogue.
--pe
Not a part.
)");
  c.structure = "multipart/mixed;boundary=pe (text/plain;charset=us-ascii 7bit L0)";
  c.bodies = {{"1", "implicit text part"}};
  c.headers = {{"1", "\r\n"}};
  c.missing = {"2"};
  return c;
}

MessageCase NoBlankLine() {
  MessageCase c;
  c.name = "no_blank_line";
  c.raw = Crlf("From: a@example.com\nSubject: only headers\n");
  c.envelope =
      R"x((NIL "only headers" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x";
  c.structure = "text/plain;charset=us-ascii 7bit L0";
  c.bodies = {{"1", ""}};
  c.headers = {{"", "From: a@example.com\r\nSubject: only headers\r\n"}};
  return c;
}

MessageCase HeaderOnly() {
  MessageCase c;
  c.name = "header_only";
  c.raw = Crlf("From: a@example.com\nSubject: empty body\n\n");
  c.structure = "text/plain;charset=us-ascii 7bit L0";
  c.bodies = {{"1", ""}};
  c.headers = {{"", "From: a@example.com\r\nSubject: empty body\r\n\r\n"}};
  return c;
}

MessageCase EmptyMessage() {
  MessageCase c;
  c.name = "empty_message";
  c.raw = "";
  c.envelope = kNilEnvelope;
  c.structure = "text/plain;charset=us-ascii 7bit L0";
  c.bodies = {{"1", ""}};
  return c;
}

MessageCase NoHeaders() {
  MessageCase c;
  c.name = "no_headers";
  c.raw = Crlf("Hello there\nsecond line\n");
  c.envelope = kNilEnvelope;
  c.structure = "text/plain;charset=us-ascii 7bit L2";
  c.bodies = {{"1", "Hello there\r\nsecond line\r\n"}};
  c.headers = {{"", ""}};
  return c;
}

MessageCase PartWithoutBlankLine() {
  MessageCase c;
  c.name = "part_without_blank_line";
  c.raw = Crlf(R"(Content-Type: multipart/mixed; boundary=nb

--nb
Just text, no header and no blank line.
--nb
Content-Type: text/html
--nb

--nb--
)");
  c.structure =
      "multipart/mixed;boundary=nb (text/plain;charset=us-ascii 7bit L0, text/html 7bit L0, "
      "text/plain;charset=us-ascii 7bit L0)";
  c.bodies = {{"1", "Just text, no header and no blank line."}, {"2", ""}, {"3", ""}};
  c.headers = {{"1", ""}, {"2", "Content-Type: text/html"}, {"3", ""}};
  return c;
}

MessageCase NulBytes() {
  MessageCase c;
  c.name = "nul_bytes";
  c.raw = "From: nul\0@example.com\r\nSubject: a\0b\r\n\r\nbody\0with nul\r\n"s;
  c.envelope =
      "(NIL \"a\0b\" ((NIL NIL \"nul\0\" \"example.com\")) ((NIL NIL \"nul\0\" \"example.com\")) "
      "((NIL NIL \"nul\0\" \"example.com\")) NIL NIL NIL NIL NIL)"s;
  c.structure = "text/plain;charset=us-ascii 7bit L1";
  c.bodies = {{"1", "body\0with nul\r\n"s}};
  return c;
}

MessageCase Unterminated() {
  MessageCase c;
  c.name = "unterminated_quotes_and_comments";
  c.raw = Crlf(R"(From: "Unterminated <a@example.com>
To: b@example.com (unterminated comment
Cc: <c@example.com
Subject: (not a comment) "quoted

x)");
  c.envelope =
      R"x((NIL "(not a comment) \"quoted" ((NIL NIL "Unterminated <a@example.com>" "MISSING_DOMAIN")) ((NIL NIL "Unterminated <a@example.com>" "MISSING_DOMAIN")) ((NIL NIL "Unterminated <a@example.com>" "MISSING_DOMAIN")) (("unterminated comment" NIL "b" "example.com")) ((NIL NIL "c" "example.com")) NIL NIL NIL))x";
  c.bodies = {{"1", "x"}};
  return c;
}

MessageCase BoundaryPrefixOfInner() {
  MessageCase c;
  c.name = "boundary_prefix_of_inner";
  c.raw = Crlf(R"(Content-Type: multipart/mixed; boundary=b

--b
Content-Type: multipart/alternative; boundary=b-inner

--b-inner
Content-Type: text/plain

plain
--b-inner	 
Content-Type: text/html

<b>html</b>
--b-inner--
--b  
Content-Type: text/plain

last
--b--  
)");
  c.structure =
      "multipart/mixed;boundary=b (multipart/alternative;boundary=b-inner (text/plain 7bit L0, "
      "text/html 7bit L0), text/plain 7bit L0)";
  c.bodies = {{"1.1", "plain"}, {"1.2", "<b>html</b>"}, {"2", "last"}};
  return c;
}

MessageCase OuterBoundaryEndsInner() {
  MessageCase c;
  c.name = "outer_boundary_ends_inner";
  c.raw = Crlf(R"(Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/mixed; boundary=inner

--inner
Content-Type: text/plain

inner text
--outer
Content-Type: text/plain

after
--outer--
)");
  c.structure =
      "multipart/mixed;boundary=outer (multipart/mixed;boundary=inner (text/plain 7bit L0), "
      "text/plain 7bit L0)";
  c.bodies = {{"1.1", "inner text"}, {"2", "after"}};
  return c;
}

MessageCase EmptyParts() {
  MessageCase c;
  c.name = "empty_parts";
  c.raw = Crlf("Content-Type: multipart/mixed; boundary=e\n\n--e\n--e\n\n\n--e--\n");
  c.structure =
      "multipart/mixed;boundary=e (text/plain;charset=us-ascii 7bit L0, "
      "text/plain;charset=us-ascii 7bit L0)";
  c.bodies = {{"1", ""}, {"2", ""}};
  c.headers = {{"1", ""}, {"2", "\r\n"}};
  return c;
}

MessageCase Base64MessageRfc822() {
  MessageCase c;
  c.name = "message_rfc822_without_headers";
  c.raw = Crlf(R"(Content-Type: message/rfc822

just text, not a message
)");
  c.structure = "message/rfc822 7bit L1 (text/plain;charset=us-ascii 7bit L1)";
  c.inner_envelopes = {{"", kNilEnvelope}};
  c.bodies = {{"1", "just text, not a message\r\n"}};
  return c;
}

}  // namespace

std::vector<MessageCase> BrokenCases() {
  return {MissingBoundary(),
          WrongBoundary(),
          BoundaryNeverClosed(),
          PreambleEpilogue(),
          NoBlankLine(),
          HeaderOnly(),
          EmptyMessage(),
          NoHeaders(),
          PartWithoutBlankLine(),
          NulBytes(),
          Unterminated(),
          BoundaryPrefixOfInner(),
          OuterBoundaryEndsInner(),
          EmptyParts(),
          Base64MessageRfc822()};
}

}  // namespace mailroom::mime::testing
