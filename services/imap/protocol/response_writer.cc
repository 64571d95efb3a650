#include "services/imap/protocol/response_writer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/imap/protocol/imap_date.h"
#include "services/imap/protocol/mutf7.h"
#include "services/shared/text/utf8.h"

namespace mailroom::imap {
namespace {

// Longer strings go as literals: they are cheaper for clients to read that way.
constexpr size_t kMaxQuoted = 1024;

// Response text must not break the line (RFC 9051 §9 resp-text is TEXT-CHARs).
void AppendClean(absl::string_view text, std::string* out) {
  for (char c : text) out->push_back((c == '\r' || c == '\n' || c == '\0') ? ' ' : c);
}

absl::string_view StatusWord(StatusKind kind) {
  switch (kind) {
    case StatusKind::kOk: return "OK";
    case StatusKind::kNo: return "NO";
    case StatusKind::kBad: return "BAD";
    case StatusKind::kPreauth: return "PREAUTH";
    case StatusKind::kBye: return "BYE";
  }
  return "BAD";
}

}  // namespace

std::string StatusResponse(absl::string_view tag, StatusKind kind, absl::string_view code,
                           absl::string_view text) {
  std::string out = absl::StrCat(tag, " ", StatusWord(kind), " ");
  if (!code.empty()) {
    out.push_back('[');
    AppendClean(code, &out);
    out += "] ";
  }
  if (text.empty()) text = kind == StatusKind::kOk ? "Completed" : "Failed";
  AppendClean(text, &out);
  out += "\r\n";
  return out;
}

std::string ContinuationRequest(absl::string_view text) {
  std::string out = "+ ";
  AppendClean(text, &out);
  out += "\r\n";
  return out;
}

namespace code {
std::string UidNext(uint32_t uid) { return absl::StrCat("UIDNEXT ", uid); }
std::string UidValidity(uint32_t uidvalidity) { return absl::StrCat("UIDVALIDITY ", uidvalidity); }
std::string HighestModSeq(uint64_t modseq) { return absl::StrCat("HIGHESTMODSEQ ", modseq); }
std::string AppendUid(uint32_t uidvalidity, absl::string_view uid_set) {
  return absl::StrCat("APPENDUID ", uidvalidity, " ", uid_set);
}
std::string CopyUid(uint32_t uidvalidity, absl::string_view source_set,
                    absl::string_view dest_set) {
  return absl::StrCat("COPYUID ", uidvalidity, " ", source_set, " ", dest_set);
}
std::string Modified(absl::string_view set) { return absl::StrCat("MODIFIED ", set); }
std::string PermanentFlags(const std::vector<std::string>& flags) {
  return absl::StrCat("PERMANENTFLAGS (", absl::StrJoin(flags, " "), ")");
}
std::string Capability(const std::vector<std::string>& capabilities) {
  return absl::StrCat("CAPABILITY ", absl::StrJoin(capabilities, " "));
}
std::string BadCharset(const std::vector<std::string>& charsets) {
  if (charsets.empty()) return "BADCHARSET";
  return absl::StrCat("BADCHARSET (", absl::StrJoin(charsets, " "), ")");
}
}  // namespace code

bool CanQuote(absl::string_view text, bool utf8) {
  if (text.size() > kMaxQuoted) return false;
  bool eight_bit = false;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u == '\r' || u == '\n' || u == 0) return false;
    if (u >= 0x80) eight_bit = true;
  }
  return !eight_bit ||
         (utf8 && mailroom::text::IsValidUtf8(std::string_view(text.data(), text.size())));
}

void ResponseBuilder::Separate() {
  if (need_space_) out_.push_back(' ');
  need_space_ = true;
}

ResponseBuilder& ResponseBuilder::Raw(absl::string_view text) {
  out_.append(text.data(), text.size());
  const char last = text.empty() ? ' ' : text.back();
  need_space_ = !(last == ' ' || last == '(' || last == '[');
  return *this;
}

ResponseBuilder& ResponseBuilder::Atom(absl::string_view atom) {
  Separate();
  out_.append(atom.data(), atom.size());
  return *this;
}

ResponseBuilder& ResponseBuilder::Number(uint64_t n) {
  Separate();
  absl::StrAppend(&out_, n);
  return *this;
}

ResponseBuilder& ResponseBuilder::Nil() { return Atom("NIL"); }

ResponseBuilder& ResponseBuilder::String(absl::string_view text) {
  if (!CanQuote(text, utf8_)) return Literal(text);
  Separate();
  out_.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out_.push_back('\\');
    out_.push_back(c);
  }
  out_.push_back('"');
  return *this;
}

ResponseBuilder& ResponseBuilder::NString(const std::optional<std::string>& text) {
  return text ? String(*text) : Nil();
}

ResponseBuilder& ResponseBuilder::NStringOrNil(absl::string_view text) {
  return text.empty() ? Nil() : String(text);
}

ResponseBuilder& ResponseBuilder::Literal(absl::string_view bytes) {
  Separate();
  absl::StrAppend(&out_, "{", bytes.size(), "}\r\n", bytes);
  return *this;
}

ResponseBuilder& ResponseBuilder::Binary(absl::string_view bytes) {
  if (bytes.find('\0') == absl::string_view::npos) return Literal(bytes);
  Separate();
  absl::StrAppend(&out_, "~{", bytes.size(), "}\r\n", bytes);
  return *this;
}

ResponseBuilder& ResponseBuilder::DateTime(absl::Time time, int zone_minutes) {
  Separate();
  absl::StrAppend(&out_, "\"", FormatDateTime(time, zone_minutes), "\"");
  return *this;
}

ResponseBuilder& ResponseBuilder::Open() {
  Separate();
  out_.push_back('(');
  need_space_ = false;
  return *this;
}

ResponseBuilder& ResponseBuilder::Close() {
  out_.push_back(')');
  need_space_ = true;
  return *this;
}

ResponseBuilder& ResponseBuilder::EndLine() {
  out_ += "\r\n";
  need_space_ = false;
  return *this;
}

}  // namespace mailroom::imap
