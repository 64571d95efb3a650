// UTF-8 validation and repair (RFC 3629 §4), shared by MIME parsing, the store, the IMAP
// protocol layer and the JSON log. Pure and allocation-free where it can be.
#ifndef MAILROOM_SERVICES_SHARED_TEXT_UTF8_H_
#define MAILROOM_SERVICES_SHARED_TEXT_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace mailroom::text {

// Length (1-4) of the well-formed UTF-8 sequence starting at s[i], or 0 when it is ill-formed
// (overlong forms, surrogates, code points past U+10FFFF and truncated sequences included).
size_t Utf8SequenceLength(std::string_view s, size_t i);

// True when all of `s` is well-formed UTF-8.
bool IsValidUtf8(std::string_view s);

// `s` with every byte of an ill-formed sequence replaced by U+FFFD; with `drop_nul`, NUL bytes
// are removed too (for PostgreSQL text columns).
std::string SanitizeUtf8(std::string_view s, bool drop_nul = false);

}  // namespace mailroom::text

#endif  // MAILROOM_SERVICES_SHARED_TEXT_UTF8_H_
