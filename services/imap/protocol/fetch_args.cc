#include "services/imap/protocol/fetch_args.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

constexpr size_t kMaxSectionParts = 32;
constexpr size_t kMaxHeaderFields = 100;

absl::Status BadItem(absl::string_view text) {
  return absl::InvalidArgumentError(absl::StrCat("Invalid fetch item ", text.substr(0, 80)));
}

struct SimpleItem {
  absl::string_view name;
  FetchAttr attr;
};
constexpr SimpleItem kSimpleItems[] = {
    {"FLAGS", FetchAttr::kFlags},           {"INTERNALDATE", FetchAttr::kInternalDate},
    {"RFC822.SIZE", FetchAttr::kRfc822Size}, {"ENVELOPE", FetchAttr::kEnvelope},
    {"BODY", FetchAttr::kBody},             {"BODYSTRUCTURE", FetchAttr::kBodyStructure},
    {"UID", FetchAttr::kUid},               {"MODSEQ", FetchAttr::kModSeq},
    {"RFC822", FetchAttr::kRfc822},         {"RFC822.HEADER", FetchAttr::kRfc822Header},
    {"RFC822.TEXT", FetchAttr::kRfc822Text},
};

// section-part = nz-number *("." nz-number); stops before a non-numeric component.
absl::Status ParsePart(absl::string_view* s, std::vector<uint32_t>* part) {
  while (!s->empty() && absl::ascii_isdigit(static_cast<unsigned char>(s->front()))) {
    size_t n = 0;
    while (n < s->size() && absl::ascii_isdigit(static_cast<unsigned char>((*s)[n]))) ++n;
    ASSIGN_OR_RETURN(uint64_t value, ParseNumber(s->substr(0, n), kMaxNumber, "section part"));
    if (value == 0 || part->size() >= kMaxSectionParts) {
      return absl::InvalidArgumentError("Invalid section part");
    }
    part->push_back(static_cast<uint32_t>(value));
    s->remove_prefix(n);
    if (s->empty()) break;
    if (s->front() != '.') return absl::InvalidArgumentError("Invalid section part");
    s->remove_prefix(1);
    if (s->empty()) return absl::InvalidArgumentError("Invalid section part");
  }
  return absl::OkStatus();
}

// header-list = "(" header-fld-name *(SP header-fld-name) ")", names as atoms or quoted.
absl::Status ParseHeaderList(absl::string_view s, std::vector<std::string>* fields) {
  if (s.size() < 2 || s.front() != '(' || s.back() != ')') {
    return absl::InvalidArgumentError("Invalid header list");
  }
  s = s.substr(1, s.size() - 2);
  while (!s.empty()) {
    std::string name;
    if (s.front() == '"') {
      size_t i = 1;
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        name.push_back(s[i]);
      }
      if (i >= s.size()) return absl::InvalidArgumentError("Invalid header list");
      s.remove_prefix(i + 1);
    } else {
      const size_t end = std::min(s.find(' '), s.size());
      name = std::string(s.substr(0, end));
      s.remove_prefix(end);
    }
    if (name.empty() || fields->size() >= kMaxHeaderFields) {
      return absl::InvalidArgumentError("Invalid header list");
    }
    for (char c : name) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u <= 0x20 || u >= 0x7f || c == ':' || c == '(' || c == ')') {
        return absl::InvalidArgumentError("Invalid header field name");
      }
    }
    fields->push_back(std::move(name));
    if (!s.empty()) {
      if (s.front() != ' ' || s.size() == 1) return absl::InvalidArgumentError("Invalid header list");
      s.remove_prefix(1);
    }
  }
  if (fields->empty()) return absl::InvalidArgumentError("Empty header list");
  return absl::OkStatus();
}

// RFC 9051 §9 section-spec (the text between the brackets).
absl::StatusOr<SectionSpec> ParseSection(absl::string_view s, bool binary) {
  SectionSpec section;
  RETURN_IF_ERROR(ParsePart(&s, &section.part));
  if (s.empty()) return section;
  if (binary) return absl::InvalidArgumentError("Invalid BINARY section");
  const std::string upper = absl::AsciiStrToUpper(s.substr(0, s.find(' ')));
  absl::string_view rest = s.substr(std::min(s.find(' '), s.size()));
  if (upper == "HEADER" || upper == "TEXT") {
    section.text = upper == "HEADER" ? SectionSpec::Text::kHeader : SectionSpec::Text::kText;
  } else if (upper == "MIME" && !section.part.empty()) {
    section.text = SectionSpec::Text::kMime;
  } else if (upper == "HEADER.FIELDS" || upper == "HEADER.FIELDS.NOT") {
    section.text = upper == "HEADER.FIELDS" ? SectionSpec::Text::kHeaderFields
                                            : SectionSpec::Text::kHeaderFieldsNot;
    if (rest.size() < 2 || rest[0] != ' ') return absl::InvalidArgumentError("Missing header list");
    RETURN_IF_ERROR(ParseHeaderList(rest.substr(1), &section.fields));
    return section;
  } else {
    return absl::InvalidArgumentError("Invalid section");
  }
  if (!rest.empty()) return absl::InvalidArgumentError("Invalid section");
  return section;
}

// partial = "<" number64 "." nz-number64 ">"
absl::StatusOr<Partial> ParsePartial(absl::string_view s) {
  const size_t dot = s.find('.');
  if (s.size() < 5 || s.front() != '<' || s.back() != '>' || dot == absl::string_view::npos) {
    return absl::InvalidArgumentError("Invalid partial");
  }
  Partial partial;
  ASSIGN_OR_RETURN(partial.offset, ParseNumber(s.substr(1, dot - 1), kMaxNumber64, "partial"));
  ASSIGN_OR_RETURN(partial.length,
                   ParseNumber(s.substr(dot + 1, s.size() - dot - 2), kMaxNumber64, "partial"));
  if (partial.length == 0) return absl::InvalidArgumentError("Invalid partial");
  return partial;
}

// Returns the index of the `]` closing the bracket at `open`, skipping quoted strings.
size_t CloseBracket(absl::string_view s, size_t open) {
  for (size_t i = open + 1; i < s.size(); ++i) {
    if (s[i] == '"') {
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\') ++i;
      }
    } else if (s[i] == ']') {
      return i;
    }
  }
  return absl::string_view::npos;
}

bool HasAttr(const std::vector<FetchItem>& items, FetchAttr attr) {
  for (const FetchItem& item : items) {
    if (item.attr == attr) return true;
  }
  return false;
}

absl::Status ParseModifiers(const Token& list, FetchArgs* out) {
  ArgReader reader(list.children);
  while (!reader.AtEnd()) {
    if (reader.ConsumeAtom("CHANGEDSINCE")) {
      if (out->changed_since) return absl::InvalidArgumentError("Duplicate CHANGEDSINCE");
      ASSIGN_OR_RETURN(out->changed_since, reader.NzNumber("CHANGEDSINCE value", kMaxNumber64));
    } else if (reader.ConsumeAtom("VANISHED")) {
      out->vanished = true;
    } else {
      return absl::InvalidArgumentError("Unknown FETCH modifier");
    }
  }
  if (list.children.empty()) return absl::InvalidArgumentError("Empty FETCH modifier list");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FetchItem> ParseFetchItem(absl::string_view text) {
  FetchItem item;
  const size_t open = text.find('[');
  const std::string name = absl::AsciiStrToUpper(text.substr(0, open));
  if (open == absl::string_view::npos) {
    for (const SimpleItem& simple : kSimpleItems) {
      if (name == simple.name) {
        item.attr = simple.attr;
        return item;
      }
    }
    return BadItem(text);
  }
  if (name == "BODY" || name == "BODY.PEEK") {
    item.attr = FetchAttr::kBodySection;
  } else if (name == "BINARY" || name == "BINARY.PEEK") {
    item.attr = FetchAttr::kBinary;
  } else if (name == "BINARY.SIZE") {
    item.attr = FetchAttr::kBinarySize;
  } else {
    return BadItem(text);
  }
  item.peek = absl::EndsWith(name, ".PEEK");
  const size_t close = CloseBracket(text, open);
  if (close == absl::string_view::npos) return BadItem(text);
  ASSIGN_OR_RETURN(item.section, ParseSection(text.substr(open + 1, close - open - 1),
                                              item.attr != FetchAttr::kBodySection));
  absl::string_view rest = text.substr(close + 1);
  if (!rest.empty()) {
    if (item.attr == FetchAttr::kBinarySize) return BadItem(text);
    ASSIGN_OR_RETURN(item.partial, ParsePartial(rest));
  }
  return item;
}

absl::StatusOr<FetchArgs> ParseFetchArgs(absl::Span<const Token> args, bool uid,
                                         size_t max_items) {
  FetchArgs out;
  ArgReader reader(args);
  ASSIGN_OR_RETURN(out.set, reader.Sequence("sequence set"));
  ASSIGN_OR_RETURN(const Token* items, reader.Any("fetch items"));
  if (items->IsAtom()) {
    const std::string macro = absl::AsciiStrToUpper(items->value);
    std::vector<absl::string_view> names;
    if (macro == "ALL" || macro == "FAST" || macro == "FULL") {
      names = {"FLAGS", "INTERNALDATE", "RFC822.SIZE"};
      if (macro != "FAST") names.push_back("ENVELOPE");
      if (macro == "FULL") names.push_back("BODY");
    }
    for (absl::string_view n : names) out.items.push_back(*ParseFetchItem(n));
    if (names.empty()) {
      ASSIGN_OR_RETURN(FetchItem item, ParseFetchItem(items->value));
      out.items.push_back(std::move(item));
    }
  } else if (items->IsList() && !items->children.empty() &&
             items->children.size() <= max_items) {
    for (const Token& token : items->children) {
      if (!token.IsAtom()) return absl::InvalidArgumentError("Invalid fetch item");
      ASSIGN_OR_RETURN(FetchItem item, ParseFetchItem(token.value));
      out.items.push_back(std::move(item));
    }
  } else {
    return absl::InvalidArgumentError("Invalid fetch items");
  }
  if (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(const Token* modifiers, reader.List("FETCH modifiers"));
    RETURN_IF_ERROR(ParseModifiers(*modifiers, &out));
  }
  RETURN_IF_ERROR(reader.End());
  // RFC 7162 §3.2.6: VANISHED only with UID FETCH and CHANGEDSINCE.
  if (out.vanished && (!uid || !out.changed_since)) {
    return absl::InvalidArgumentError("VANISHED requires UID FETCH with CHANGEDSINCE");
  }
  FetchItem implied;
  implied.attr = FetchAttr::kUid;
  if (uid && !HasAttr(out.items, FetchAttr::kUid)) out.items.push_back(implied);
  implied.attr = FetchAttr::kModSeq;
  if (out.changed_since && !HasAttr(out.items, FetchAttr::kModSeq)) out.items.push_back(implied);
  return out;
}

std::string RenderSection(const SectionSpec& section) {
  std::string out;
  for (uint32_t n : section.part) absl::StrAppend(&out, out.empty() ? "" : ".", n);
  absl::string_view text;
  switch (section.text) {
    case SectionSpec::Text::kNone: return out;
    case SectionSpec::Text::kHeader: text = "HEADER"; break;
    case SectionSpec::Text::kHeaderFields: text = "HEADER.FIELDS"; break;
    case SectionSpec::Text::kHeaderFieldsNot: text = "HEADER.FIELDS.NOT"; break;
    case SectionSpec::Text::kText: text = "TEXT"; break;
    case SectionSpec::Text::kMime: text = "MIME"; break;
  }
  absl::StrAppend(&out, out.empty() ? "" : ".", text);
  if (!section.fields.empty()) {
    out += " (";
    for (size_t i = 0; i < section.fields.size(); ++i) {
      // Field names are printable non-space text; quote those an atom can't hold.
      const std::string& f = section.fields[i];
      if (i > 0) out.push_back(' ');
      if (f.find_first_of("\"\\%*]{") == std::string::npos) {
        out += f;
        continue;
      }
      out.push_back('"');
      for (char c : f) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      out.push_back('"');
    }
    out += ")";
  }
  return out;
}

std::string ResponseItemName(const FetchItem& item) {
  for (const SimpleItem& simple : kSimpleItems) {
    if (item.attr == simple.attr) return std::string(simple.name);
  }
  absl::string_view name = item.attr == FetchAttr::kBodySection ? "BODY"
                           : item.attr == FetchAttr::kBinary    ? "BINARY"
                                                                : "BINARY.SIZE";
  std::string out = absl::StrCat(name, "[", RenderSection(item.section), "]");
  if (item.partial) absl::StrAppend(&out, "<", item.partial->offset, ">");
  return out;
}

}  // namespace mailroom::imap
