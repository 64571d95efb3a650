// Messages exercising header syntax: encoded words, groups, folding, comments, quoting,
// obsolete routes, raw 8-bit bytes, bare LF, unusual Content-* values. Expectations written
// by hand from RFC 5322 §3.4 / §4.4 and RFC 9051 §7.5.2.
#include "services/mime/test_util.h"

namespace mailroom::mime::testing {
namespace {

MessageCase EncodedWords() {
  MessageCase c;
  c.name = "encoded_words";
  c.raw = Crlf(R"(From: =?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?= <paf@nada.kth.se>
To: =?UTF-8?B?w4lsb2TDrWU=?= <elodie@example.fr>, "=?utf-8?q?Jos=C3=A9?=" <jose@example.es>
Subject: =?UTF-8?B?w4d0w6kgZW5jb2TDqQ==?= =?UTF-8?Q?_and_more?=
Date: Sat, 7 Oct 2023 11:00:00 +0100
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

Body )"
               "\xC3\xBC"
               R"(
)");
  c.envelope =
      R"x(("Sat, 7 Oct 2023 11:00:00 +0100" "=?UTF-8?B?w4d0w6kgZW5jb2TDqQ==?= =?UTF-8?Q?_and_more?=" (("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=" NIL "paf" "nada.kth.se")) (("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=" NIL "paf" "nada.kth.se")) (("=?ISO-8859-1?Q?Patrik_F=E4ltstr=F6m?=" NIL "paf" "nada.kth.se")) (("=?UTF-8?B?w4lsb2TDrWU=?=" NIL "elodie" "example.fr")("=?utf-8?q?Jos=C3=A9?=" NIL "jose" "example.es")) NIL NIL NIL NIL))x";
  c.structure = "text/plain;charset=utf-8 8bit L1";
  c.bodies = {{"1", "Body \xC3\xBC\r\n"}};
  return c;
}

MessageCase Groups() {
  MessageCase c;
  c.name = "groups";
  c.raw = Crlf(R"(From: sender@example.com
To: undisclosed-recipients:;
Cc: Team: alice@example.com, "Bob B" <bob@example.com>;, carol@example.com
Bcc: Empty Group: ;
Subject: groups

body
)");
  c.envelope =
      R"x((NIL "groups" ((NIL NIL "sender" "example.com")) ((NIL NIL "sender" "example.com")) ((NIL NIL "sender" "example.com")) ((NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) ((NIL NIL "Team" NIL)(NIL NIL "alice" "example.com")("Bob B" NIL "bob" "example.com")(NIL NIL NIL NIL)(NIL NIL "carol" "example.com")) ((NIL NIL "Empty Group" NIL)(NIL NIL NIL NIL)) NIL NIL))x";
  c.structure = "text/plain;charset=us-ascii 7bit L1";
  c.bodies = {{"1", "body\r\n"}};
  return c;
}

MessageCase FoldedAndDuplicates() {
  MessageCase c;
  c.name = "folded_and_duplicates";
  c.raw = Crlf(
      "Subject: first subject\n continues here\nSubject: second subject\n"
      "From: First <first@example.com>\nFrom: Second <second@example.com>\n"
      "To: a@example.com,\n\tb@example.com,\n \"C\n D\" <c@example.com>\n"
      "Message-ID:\n <folded@example.com>\nDate: Sun, 8 Oct 2023\n 12:34:56 +0000\n"
      "Sender: \nReply-To: (nobody)\n\nx\n");
  c.envelope =
      R"x(("Sun, 8 Oct 2023 12:34:56 +0000" "first subject continues here" (("First" NIL "first" "example.com")) (("First" NIL "first" "example.com")) (("First" NIL "first" "example.com")) ((NIL NIL "a" "example.com")(NIL NIL "b" "example.com")("C D" NIL "c" "example.com")) NIL NIL NIL "<folded@example.com>"))x";
  c.structure = "text/plain;charset=us-ascii 7bit L1";
  c.bodies = {{"1", "x\r\n"}};
  return c;
}

// RFC 5322 Appendix A.5 (white space, comments, and other oddities), plus an RFC 822 style
// trailing-comment name.
MessageCase CommentsInAddresses() {
  MessageCase c;
  c.name = "comments_in_addresses";
  c.raw = Crlf(R"(From: Pete(A nice \) chap) <pete(his account)@silly.test(his host)>
To: A Group(Some people)
     :Chris Jones <c@(Chris's host.)public.example>,
         joe@example.org,
  John <jdoe@one.test> (my dear friend); (the end of the group)
Cc:(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;
Date: Thu,
      13
        Feb
          1969
      23:32
               -0330 (Newfoundland Time)
Message-ID:              <testabcd.1234@silly.test>
Reply-To: john@example.com (John Doe)

Testing.
)");
  c.envelope =
      "(\"Thu,      13        Feb          1969      23:32               -0330 "
      "(Newfoundland Time)\" NIL "
      R"x((("Pete" NIL "pete" "silly.test")) (("Pete" NIL "pete" "silly.test")) (("John Doe" NIL "john" "example.com")) ((NIL NIL "A Group" NIL)("Chris Jones" NIL "c" "public.example")(NIL NIL "joe" "example.org")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL)) ((NIL NIL "Hidden recipients" NIL)(NIL NIL NIL NIL)) NIL NIL "<testabcd.1234@silly.test>"))x";
  c.structure = "text/plain;charset=us-ascii 7bit L1";
  return c;
}

MessageCase QuotedLocalPartsAndRoutes() {
  MessageCase c;
  c.name = "quoted_local_parts_and_routes";
  c.raw = Crlf(R"(From: "Smith, John" <"j.smith"@example.com>
To: "john doe"@example.com, <@relay1.example,@relay2.example:user@host.example>,
 Route Name <@a.example:routed@b.example>
Cc: "Escaped \"quote\"" <esc@example.com>, John Q. Public <jqp@example.com>, no-domain, <>
Bcc: <[192.0.2.1]@example.com>, literal@[192.0.2.1]
Subject: quoting

.
)");
  c.envelope =
      R"x((NIL "quoting" (("Smith, John" NIL "j.smith" "example.com")) (("Smith, John" NIL "j.smith" "example.com")) (("Smith, John" NIL "j.smith" "example.com")) ((NIL NIL "john doe" "example.com")(NIL "@relay1.example,@relay2.example" "user" "host.example")("Route Name" "@a.example" "routed" "b.example")) (("Escaped \"quote\"" NIL "esc" "example.com")("John Q. Public" NIL "jqp" "example.com")(NIL NIL "no-domain" "MISSING_DOMAIN")) ((NIL NIL "[192.0.2.1]" "example.com")(NIL NIL "literal" "[192.0.2.1]")) NIL NIL))x";
  return c;
}

MessageCase ContentTypeVariants() {
  MessageCase c;
  c.name = "content_type_variants";
  c.raw = Crlf(R"(From: a@example.com
Subject: variants
Content-Type: Multipart/Mixed; BOUNDARY="Xy=Z"
Content-Type: text/plain

--Xy=Z
Content-Type: text; charset=ISO-8859-1
Content-Transfer-Encoding: QUOTED-PRINTABLE
Content-Language: en, de (German)
Content-Location: http://example.com/doc.txt
Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==
Content-Description: A description
Content-ID: <part1@example.com>

caf=E9
--Xy=Z
Content-Type: IMAGE/JPEG; NAME="Photo.JPG"
Content-Transfer-Encoding: Base64 (really)
Content-Disposition: ATTACHMENT; FILENAME="Photo.JPG"

/9j/4AAQ
--Xy=Z
Content-Type: application/x-unknown (a comment); param=value (another)

raw
--Xy=Z--
)");
  c.structure =
      "multipart/mixed;boundary=Xy=Z (text/plain;charset=ISO-8859-1 quoted-printable L0 "
      "id=<part1@example.com> desc=A description md5=Q2hlY2sgSW50ZWdyaXR5IQ== "
      "loc=http://example.com/doc.txt lang=en,de, image/jpeg;name=Photo.JPG base64 "
      "disp=attachment;filename=Photo.JPG, application/x-unknown;param=value 7bit)";
  c.bodies = {{"1", "caf=E9"}, {"2", "/9j/4AAQ"}, {"3", "raw"}};
  return c;
}

MessageCase BareLf() {
  MessageCase c;
  c.name = "bare_lf";
  c.raw =
      "From: lf@example.com\nSubject: bare LF\nContent-Type: multipart/mixed; boundary=lf\n\n"
      "--lf\nContent-Type: text/plain\n\nline one\nline two\n\n--lf\nContent-Type: text/plain\n"
      "\nsecond\n--lf--\n";
  c.envelope =
      R"x((NIL "bare LF" ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) ((NIL NIL "lf" "example.com")) NIL NIL NIL NIL NIL))x";
  c.structure = "multipart/mixed;boundary=lf (text/plain 7bit L2, text/plain 7bit L0)";
  c.bodies = {{"1", "line one\nline two\n"}, {"2", "second"}};
  c.headers = {{"",
                "From: lf@example.com\nSubject: bare LF\n"
                "Content-Type: multipart/mixed; boundary=lf\n\n"},
               {"1", "Content-Type: text/plain\n\n"}};
  return c;
}

MessageCase Utf8RawHeaders() {
  MessageCase c;
  c.name = "utf8_raw_headers";
  c.raw = Crlf(
      "From: J\xC3\xBCrgen M\xC3\xBCller <juergen@example.de>\n"
      "Subject: Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln\n"
      "To: \"Zo\xC3\xAB\" <zo\xC3\xAB@example.com>\n\nHallo.\n");
  c.envelope =
      "(NIL \"Gr\xC3\xBC\xC3\x9F"
      "e aus K\xC3\xB6ln\" "
      "((\"J\xC3\xBCrgen M\xC3\xBCller\" NIL \"juergen\" \"example.de\")) "
      "((\"J\xC3\xBCrgen M\xC3\xBCller\" NIL \"juergen\" \"example.de\")) "
      "((\"J\xC3\xBCrgen M\xC3\xBCller\" NIL \"juergen\" \"example.de\")) "
      "((\"Zo\xC3\xAB\" NIL \"zo\xC3\xAB\" \"example.com\")) NIL NIL NIL NIL)";
  c.structure = "text/plain;charset=us-ascii 7bit L1";
  return c;
}

MessageCase Latin1RawHeaders() {
  MessageCase c;
  c.name = "latin1_raw_headers";
  c.raw = Crlf(
      "From: Ren\xE9 <rene@example.fr>\nS\xFC"
      "bject: ignored, not a field name\n"
      "Subject: Caf\xE9 cr\xE8me\nContent-Type: text/plain; charset=iso-8859-1\n"
      "\nCaf\xE9\n");
  c.envelope =
      "(NIL \"Caf\xE9 cr\xE8me\" ((\"Ren\xE9\" NIL \"rene\" \"example.fr\")) "
      "((\"Ren\xE9\" NIL \"rene\" \"example.fr\")) "
      "((\"Ren\xE9\" NIL \"rene\" \"example.fr\")) NIL NIL NIL NIL NIL)";
  c.structure = "text/plain;charset=iso-8859-1 7bit L1";
  c.bodies = {{"1", "Caf\xE9\r\n"}};
  return c;
}

}  // namespace

std::vector<MessageCase> AddressCases() {
  return {EncodedWords(),
          Groups(),
          FoldedAndDuplicates(),
          CommentsInAddresses(),
          QuotedLocalPartsAndRoutes(),
          ContentTypeVariants(),
          BareLf(),
          Utf8RawHeaders(),
          Latin1RawHeaders()};
}

}  // namespace mailroom::mime::testing
