// Structured MIME header fields: Content-Type (RFC 2045 §5.1), Content-Disposition
// (RFC 2183), parameters with RFC 2231 continuations and charsets, Content-Language
// (RFC 3282) and single-token fields such as Content-Transfer-Encoding (RFC 2045 §6.1).
#ifndef MAILROOM_SERVICES_MIME_CONTENT_TYPE_H_
#define MAILROOM_SERVICES_MIME_CONTENT_TYPE_H_

#include <string>
#include <string_view>
#include <vector>

#include "services/mime/message.h"

namespace mailroom::mime {

struct ContentType {
  std::string type, subtype;  // lower-cased; subtype empty when missing
  std::vector<Param> params;
  bool valid() const { return !type.empty() && !subtype.empty(); }
};

// Parses a Content-Type value. Comments are skipped; parameters are parsed even when the
// type is invalid, so that "text; charset=utf-8" keeps its charset.
ContentType ParseContentType(std::string_view value);

struct ContentDisposition {
  std::string type;  // lower-cased; empty when missing
  std::vector<Param> params;
};

// Parses a Content-Disposition value (RFC 2183 §2).
ContentDisposition ParseContentDisposition(std::string_view value);

// Parses a parameter list "; name=value; ..." (the text after the type). Names are
// lower-cased; values unquoted. RFC 2231 sections (name*0, name*1*) are joined in section
// order, extended values (name*=charset'lang'%XX) percent-decoded and converted to UTF-8.
// One Param per distinct name, in order of first appearance; an RFC 2231 value wins over a
// plain one of the same name, otherwise the first wins.
std::vector<Param> ParseParams(std::string_view text);

// The comma-separated language tags of a Content-Language value, comments removed.
std::vector<std::string> ParseLanguages(std::string_view value);

// The first token of a value with comments skipped, lower-cased ("Base64 (x)" -> "base64").
std::string FirstToken(std::string_view value);

}  // namespace mailroom::mime

#endif  // MAILROOM_SERVICES_MIME_CONTENT_TYPE_H_
