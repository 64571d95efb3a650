// Well-formed real-world-shaped messages with ENVELOPE and structure expectations written by
// hand from RFC 9051 §7.5.2, RFC 2045 and RFC 2046.
#include "services/mime/test_util.h"

namespace mailroom::mime::testing {
namespace {

MessageCase PlainText() {
  MessageCase c;
  c.name = "plain_text";
  c.raw = Crlf(R"(Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)
From: Fred Foobar <foobar@Blurdybloop.example>
Subject: afternoon meeting
To: mooch@owatagu.siam.edu.example
Message-Id: <B27397-0100000@Blurdybloop.example>
MIME-Version: 1.0
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII

Hello Joe, do you think we can meet at 3:30 tomorrow?
)");
  c.envelope =
      R"x(("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "afternoon meeting" (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) (("Fred Foobar" NIL "foobar" "Blurdybloop.example")) ((NIL NIL "mooch" "owatagu.siam.edu.example")) NIL NIL NIL "<B27397-0100000@Blurdybloop.example>"))x";
  c.structure = "text/plain;charset=US-ASCII 7bit L1";
  c.bodies = {{"", "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"},
              {"1", "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n"}};
  c.missing = {"2", "1.1", "0"};
  return c;
}

MessageCase AlternativeTextHtml() {
  MessageCase c;
  c.name = "alternative_text_html";
  c.raw = Crlf(R"(From: "Alice Example" <alice@example.com>
To: Bob <bob@example.org>, carol@example.net
Subject: Lunch?
Date: Tue, 1 Aug 2023 12:00:00 +0000
Message-ID: <alt1@example.com>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="alt-b"

This is a multi-part message in MIME format.
--alt-b
Content-Type: text/plain; charset=utf-8

Lunch at noon?

--alt-b
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<p>Lunch at <b>noon</b>?</p>
--alt-b--
)");
  c.envelope =
      R"x(("Tue, 1 Aug 2023 12:00:00 +0000" "Lunch?" (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Alice Example" NIL "alice" "example.com")) (("Bob" NIL "bob" "example.org")(NIL NIL "carol" "example.net")) NIL NIL NIL "<alt1@example.com>"))x";
  c.structure =
      "multipart/alternative;boundary=alt-b (text/plain;charset=utf-8 7bit L1, "
      "text/html;charset=utf-8 quoted-printable L0)";
  c.bodies = {{"1", "Lunch at noon?\r\n"}, {"2", "<p>Lunch at <b>noon</b>?</p>"}};
  c.headers = {{"1", "Content-Type: text/plain; charset=utf-8\r\n\r\n"},
               {"2",
                "Content-Type: text/html; charset=utf-8\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\n\r\n"}};
  c.missing = {"3", "1.1"};
  return c;
}

MessageCase MixedBase64Attachment() {
  MessageCase c;
  c.name = "mixed_base64_attachment";
  c.raw = Crlf(R"(From: reports@example.com
To: boss@example.com
Subject: Q3 report
Date: Wed, 4 Oct 2023 09:30:00 +0200
Message-ID: <q3@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="----=_Part_0_1234.5678"

------=_Part_0_1234.5678
Content-Type: text/plain; charset=us-ascii
Content-Transfer-Encoding: 7bit

See attached.

------=_Part_0_1234.5678
Content-Type: application/pdf; name="report.pdf"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename="report.pdf"

JVBERi0xLjQKJWZha2UgcGRmIGZvciB0ZXN0cwoxIDAgb2JqCjw8ID4+CmVu
ZG9iagp0cmFpbGVyCjw8ID4+CiUlRU9GCg==

------=_Part_0_1234.5678--
)");
  c.envelope =
      R"x(("Wed, 4 Oct 2023 09:30:00 +0200" "Q3 report" ((NIL NIL "reports" "example.com")) ((NIL NIL "reports" "example.com")) ((NIL NIL "reports" "example.com")) ((NIL NIL "boss" "example.com")) NIL NIL NIL "<q3@example.com>"))x";
  c.structure =
      "multipart/mixed;boundary=----=_Part_0_1234.5678 (text/plain;charset=us-ascii 7bit L1, "
      "application/pdf;name=report.pdf base64 disp=attachment;filename=report.pdf)";
  c.bodies = {{"1", "See attached.\r\n"},
              {"2",
               "JVBERi0xLjQKJWZha2UgcGRmIGZvciB0ZXN0cwoxIDAgb2JqCjw8ID4+CmVu\r\n"
               "ZG9iagp0cmFpbGVyCjw8ID4+CiUlRU9GCg==\r\n"}};
  return c;
}

MessageCase Rfc2231Params() {
  MessageCase c;
  c.name = "rfc2231_params";
  c.raw = Crlf(R"(From: files@example.com
Subject: rfc2231
Content-Type: multipart/mixed; boundary=rfc2231

--rfc2231
Content-Type: application/octet-stream;
 name*0*=utf-8''%E2%82%AC%20rates;
 name*1*=%20%C3%A9t%C3%A9;
 name*2=".xls"
Content-Disposition: attachment;
 filename*=UTF-8''%E2%82%AC%20rates%20%C3%A9t%C3%A9.xls
Content-Transfer-Encoding: base64

AAEC
--rfc2231
Content-Type: text/plain; charset*=us-ascii'en'us-ascii; title*0="A long ";
  title*1="title"; TITLE*2*=%20%2A%2A
Content-Disposition: inline; filename*=iso-8859-1''caf%E9.txt

caf=E9
--rfc2231--
)");
  c.structure =
      "multipart/mixed;boundary=rfc2231 (application/octet-stream;name=\u20ac rates \u00e9t\u00e9"
      ".xls base64 disp=attachment;filename=\u20ac rates \u00e9t\u00e9.xls, "
      "text/plain;charset=us-ascii;title=A long title ** 7bit L0 "
      "disp=inline;filename=caf\u00e9.txt)";
  c.bodies = {{"1", "AAEC"}, {"2", "caf=E9"}};
  return c;
}

MessageCase NestedMixedAlternativeRelated() {
  MessageCase c;
  c.name = "nested_mixed_alternative_related";
  c.raw = Crlf(R"(From: Nested Sender <nested@example.com>
To: rcpt@example.com
Subject: Newsletter
Date: Thu, 5 Oct 2023 10:00:00 -0400
Message-ID: <nested@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="outer"

--outer
Content-Type: multipart/alternative; boundary="alt"

--alt
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Hello =E2=82=AC world
--alt
Content-Type: multipart/related; boundary="rel"; type="text/html"

--rel
Content-Type: text/html; charset=utf-8

<html><body><img src="cid:logo@example.com">Hi</body></html>
--rel
Content-Type: image/png
Content-Transfer-Encoding: base64
Content-ID: <logo@example.com>
Content-Disposition: inline; filename=logo.png

iVBORw0KGgo=
--rel--

--alt--

--outer
Content-Type: text/csv; name=data.csv
Content-Disposition: attachment; filename=data.csv

a,b
1,2

--outer--
)");
  c.envelope =
      R"x(("Thu, 5 Oct 2023 10:00:00 -0400" "Newsletter" (("Nested Sender" NIL "nested" "example.com")) (("Nested Sender" NIL "nested" "example.com")) (("Nested Sender" NIL "nested" "example.com")) ((NIL NIL "rcpt" "example.com")) NIL NIL NIL "<nested@example.com>"))x";
  c.structure =
      "multipart/mixed;boundary=outer (multipart/alternative;boundary=alt ("
      "text/plain;charset=utf-8 quoted-printable L0, "
      "multipart/related;boundary=rel;type=text/html (text/html;charset=utf-8 7bit L0, "
      "image/png base64 id=<logo@example.com> disp=inline;filename=logo.png)), "
      "text/csv;name=data.csv 7bit L2 disp=attachment;filename=data.csv)";
  c.bodies = {
      {"1.1", "Hello =E2=82=AC world"},
      {"1.2.1", "<html><body><img src=\"cid:logo@example.com\">Hi</body></html>"},
      {"1.2.2", "iVBORw0KGgo="},
      {"2", "a,b\r\n1,2\r\n"},
      {"1.2",
       "--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
       "<html><body><img src=\"cid:logo@example.com\">Hi</body></html>\r\n--rel\r\n"
       "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
       "Content-ID: <logo@example.com>\r\nContent-Disposition: inline; filename=logo.png\r\n"
       "\r\niVBORw0KGgo=\r\n--rel--\r\n"}};
  c.headers = {{"1.2.2",
                "Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n"
                "Content-ID: <logo@example.com>\r\n"
                "Content-Disposition: inline; filename=logo.png\r\n\r\n"},
               {"1", "Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"}};
  c.missing = {"1.3", "1.2.3", "3", "2.1", "1.1.1"};
  return c;
}

MessageCase AttachedRfc822() {
  MessageCase c;
  c.name = "attached_rfc822";
  c.raw = Crlf(R"(From: Forwarder <fwd@example.com>
To: dest@example.com
Subject: Fwd: Original
Date: Fri, 6 Oct 2023 08:00:00 +0000
Message-ID: <fwd@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain

See below.
--fwd
Content-Type: message/rfc822
Content-Disposition: inline

From: Original Author <orig@example.org>
To: Someone <someone@example.org>
Cc: other@example.org
Subject: Original
Date: Thu, 5 Oct 2023 07:00:00 +0000
Message-ID: <orig@example.org>
In-Reply-To: <parent@example.org>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="inner"

--inner
Content-Type: text/plain; charset=us-ascii

Inner text.
--inner
Content-Type: application/octet-stream
Content-Transfer-Encoding: base64

AAECAw==
--inner--

--fwd--
)");
  c.envelope =
      R"x(("Fri, 6 Oct 2023 08:00:00 +0000" "Fwd: Original" (("Forwarder" NIL "fwd" "example.com")) (("Forwarder" NIL "fwd" "example.com")) (("Forwarder" NIL "fwd" "example.com")) ((NIL NIL "dest" "example.com")) NIL NIL NIL "<fwd@example.com>"))x";
  c.structure =
      "multipart/mixed;boundary=fwd (text/plain 7bit L0, message/rfc822 7bit L20 disp=inline "
      "(multipart/mixed;boundary=inner (text/plain;charset=us-ascii 7bit L0, "
      "application/octet-stream base64)))";
  c.inner_envelopes = {
      {"2",
       R"x(("Thu, 5 Oct 2023 07:00:00 +0000" "Original" (("Original Author" NIL "orig" "example.org")) (("Original Author" NIL "orig" "example.org")) (("Original Author" NIL "orig" "example.org")) (("Someone" NIL "someone" "example.org")) ((NIL NIL "other" "example.org")) NIL "<parent@example.org>" "<orig@example.org>"))x"}};
  c.bodies = {{"1", "See below."}, {"2.1", "Inner text."}, {"2.2", "AAECAw=="}};
  c.headers = {{"2", "Content-Type: message/rfc822\r\nContent-Disposition: inline\r\n\r\n"},
               {"2.1", "Content-Type: text/plain; charset=us-ascii\r\n\r\n"}};
  c.missing = {"2.3", "3", "1.1"};
  return c;
}

MessageCase AttachedRfc822Simple() {
  MessageCase c;
  c.name = "attached_rfc822_simple";
  c.raw = Crlf(R"(From: a@example.com
Subject: fwd simple
Content-Type: multipart/mixed; boundary=X

--X
Content-Type: message/rfc822

Subject: inner
From: b@example.com

Inner body line 1
Inner body line 2
--X--
)");
  c.envelope =
      R"x((NIL "fwd simple" ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) ((NIL NIL "a" "example.com")) NIL NIL NIL NIL NIL))x";
  c.structure =
      "multipart/mixed;boundary=X (message/rfc822 7bit L4 (text/plain;charset=us-ascii 7bit "
      "L1))";
  c.inner_envelopes = {
      {"1",
       R"x((NIL "inner" ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) ((NIL NIL "b" "example.com")) NIL NIL NIL NIL NIL))x"}};
  c.bodies = {
      {"1", "Subject: inner\r\nFrom: b@example.com\r\n\r\nInner body line 1\r\nInner body line 2"},
      {"1.1", "Inner body line 1\r\nInner body line 2"}};
  c.headers = {{"1.1", "Subject: inner\r\nFrom: b@example.com\r\n\r\n"}};
  c.missing = {"1.2", "1.1.1", "2"};
  return c;
}

MessageCase Digest() {
  MessageCase c;
  c.name = "digest";
  c.raw = Crlf(R"(From: digest@lists.example
Subject: List digest
Content-Type: multipart/digest; boundary="dig"

--dig

From: one@example.com
Subject: first

First message.

--dig
Content-Type: text/plain

Not a message.
--dig
Content-Type: message/rfc822

From: two@example.com
Subject: second

Second message.
--dig--
)");
  c.structure =
      "multipart/digest;boundary=dig (message/rfc822 7bit L4 (text/plain;charset=us-ascii 7bit "
      "L1), text/plain 7bit L0, message/rfc822 7bit L3 (text/plain;charset=us-ascii 7bit L0))";
  c.inner_envelopes = {
      {"1",
       R"x((NIL "first" ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) ((NIL NIL "one" "example.com")) NIL NIL NIL NIL NIL))x"}};
  c.bodies = {{"1.1", "First message.\r\n"}, {"2", "Not a message."}, {"3.1", "Second message."}};
  c.headers = {{"1", "\r\n"}};
  return c;
}

}  // namespace

std::vector<MessageCase> BasicCases() {
  std::vector<MessageCase> cases = {PlainText(),
                                    AlternativeTextHtml(),
                                    MixedBase64Attachment(),
                                    Rfc2231Params(),
                                    NestedMixedAlternativeRelated(),
                                    AttachedRfc822(),
                                    AttachedRfc822Simple(),
                                    Digest()};
  for (MessageCase& c : AddressCases()) cases.push_back(std::move(c));
  return cases;
}

}  // namespace mailroom::mime::testing
