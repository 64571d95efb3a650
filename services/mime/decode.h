// Content decoding for MIME bodies and header values: transfer encodings (RFC 2045 §6),
// encoded words (RFC 2047), charset conversion to UTF-8 and RFC 5322 §3.3 dates.
// All functions are lenient and total: bad input yields a best-effort result, never an error.
#ifndef MAILROOM_SERVICES_MIME_DECODE_H_
#define MAILROOM_SERVICES_MIME_DECODE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailroom::mime {

// RFC 2045 §6.8. Lenient: skips whitespace and invalid characters, stops at the first '='.
// A trailing group of 2 or 3 characters yields 1 or 2 bytes; a single one is dropped.
std::string DecodeBase64(std::string_view in);

// RFC 2045 §6.7: =XX escapes (either case), soft line breaks ("=" WSP* EOL), trailing WSP of
// each line removed. Bad escapes are kept literally.
std::string DecodeQuotedPrintable(std::string_view in);

// Decodes `body` per a Content-Transfer-Encoding value: base64, quoted-printable, or identity
// for anything else (7bit, 8bit, binary, unknown). Case-insensitive.
std::string DecodeTransferEncoding(std::string_view encoding, std::string_view body);

// RFC 2047 encoded words → UTF-8. Charsets: utf-8, us-ascii, iso-8859-1, iso-8859-15,
// windows-1252 (others: decoded bytes kept). Adjacent encoded words separated only by
// whitespace are joined (bytes joined before charset conversion, so split multi-byte
// characters survive). Invalid encoded words are left as is. Text outside encoded words that
// is not valid UTF-8 is taken as windows-1252.
std::string DecodeEncodedWords(std::string_view header_value);

// Converts `bytes` in `charset` (case-insensitive, RFC 2231 "*lang" suffix ignored) to UTF-8.
// utf-8: ill-formed sequences become U+FFFD. us-ascii: valid UTF-8 kept, else read as
// windows-1252 (8-bit bytes under a us-ascii label are nearly always one of the two).
// Unknown charsets: bytes kept as is.
std::string ToUtf8(std::string_view charset, std::string_view bytes);

// RFC 5322 §3.3 date-time, and the obsolete forms of §4.3 (two/three-digit years, alphabetic
// and military zones, missing seconds, missing zone = UTC, comments anywhere) → Unix seconds
// UTC. nullopt when unparsable or out of range.
std::optional<int64_t> ParseDate(std::string_view date);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_DECODE_H_
