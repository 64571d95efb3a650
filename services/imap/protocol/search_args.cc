#include "services/imap/protocol/search_args.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/imap/protocol/arg_reader.h"
#include "services/imap/protocol/imap_date.h"
#include "services/shared/status/status_macros.h"

namespace mailroom::imap {
namespace {

using Kind = SearchKey::Kind;

enum class Arg { kNone, kFlag, kString, kHeader, kDate, kNumber, kModSeq, kUidSet, kNot, kOr };

struct KeyDef {
  absl::string_view name;
  Kind kind;
  Arg arg;
};

// RFC 9051 §6.4.4 search keys, plus MODSEQ (RFC 7162 §3.1.5).
constexpr KeyDef kKeys[] = {
    {"ALL", Kind::kAll, Arg::kNone},
    {"ANSWERED", Kind::kAnswered, Arg::kNone},
    {"BCC", Kind::kBcc, Arg::kString},
    {"BEFORE", Kind::kBefore, Arg::kDate},
    {"BODY", Kind::kBody, Arg::kString},
    {"CC", Kind::kCc, Arg::kString},
    {"DELETED", Kind::kDeleted, Arg::kNone},
    {"DRAFT", Kind::kDraft, Arg::kNone},
    {"FLAGGED", Kind::kFlagged, Arg::kNone},
    {"FROM", Kind::kFrom, Arg::kString},
    {"HEADER", Kind::kHeader, Arg::kHeader},
    {"KEYWORD", Kind::kKeyword, Arg::kFlag},
    {"LARGER", Kind::kLarger, Arg::kNumber},
    {"MODSEQ", Kind::kModSeq, Arg::kModSeq},
    {"NEW", Kind::kNew, Arg::kNone},
    {"NOT", Kind::kNot, Arg::kNot},
    {"OLD", Kind::kOld, Arg::kNone},
    {"ON", Kind::kOn, Arg::kDate},
    {"OR", Kind::kOr, Arg::kOr},
    {"RECENT", Kind::kRecent, Arg::kNone},
    {"SEEN", Kind::kSeen, Arg::kNone},
    {"SENTBEFORE", Kind::kSentBefore, Arg::kDate},
    {"SENTON", Kind::kSentOn, Arg::kDate},
    {"SENTSINCE", Kind::kSentSince, Arg::kDate},
    {"SINCE", Kind::kSince, Arg::kDate},
    {"SMALLER", Kind::kSmaller, Arg::kNumber},
    {"SUBJECT", Kind::kSubject, Arg::kString},
    {"TEXT", Kind::kText, Arg::kString},
    {"TO", Kind::kTo, Arg::kString},
    {"UID", Kind::kUid, Arg::kUidSet},
    {"UNANSWERED", Kind::kUnanswered, Arg::kNone},
    {"UNDELETED", Kind::kUndeleted, Arg::kNone},
    {"UNDRAFT", Kind::kUndraft, Arg::kNone},
    {"UNFLAGGED", Kind::kUnflagged, Arg::kNone},
    {"UNKEYWORD", Kind::kUnkeyword, Arg::kFlag},
    {"UNSEEN", Kind::kUnseen, Arg::kNone},
};

const KeyDef* FindKey(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(name);
  for (const KeyDef& def : kKeys) {
    if (def.name == upper) return &def;
  }
  return nullptr;
}

// MODSEQ [entry-name entry-type-req] mod-sequence-valzer (RFC 7162 §3.1.5).
absl::Status ParseModSeq(ArgReader& reader, SearchKey* key) {
  if (reader.Peek() != nullptr && reader.Peek()->IsString()) {
    ASSIGN_OR_RETURN(key->field, reader.String("MODSEQ entry name"));
    ASSIGN_OR_RETURN(std::string type, reader.Atom("MODSEQ entry type"));
    key->value = absl::AsciiStrToLower(type);
    if (key->value != "priv" && key->value != "shared" && key->value != "all") {
      return absl::InvalidArgumentError("Invalid MODSEQ entry type");
    }
  }
  ASSIGN_OR_RETURN(key->number, reader.Number("MODSEQ value", kMaxNumber64));
  return absl::OkStatus();
}

class KeyParser {
 public:
  explicit KeyParser(const SearchLimits& limits) : limits_(limits) {}

  absl::StatusOr<SearchKey> ParseKey(ArgReader& reader, int depth);
  // Parses keys until the reader ends into one kAnd (or the lone key).
  absl::StatusOr<SearchKey> ParseAll(ArgReader& reader, int depth);

 private:
  absl::Status ParseArg(const KeyDef& def, ArgReader& reader, int depth, SearchKey* key);

  const SearchLimits& limits_;
  size_t keys_ = 0;
};

absl::StatusOr<SearchKey> KeyParser::ParseAll(ArgReader& reader, int depth) {
  SearchKey all;
  all.kind = Kind::kAnd;
  if (reader.AtEnd()) return absl::InvalidArgumentError("Missing search key");
  while (!reader.AtEnd()) {
    ASSIGN_OR_RETURN(SearchKey key, ParseKey(reader, depth));
    all.children.push_back(std::move(key));
  }
  if (all.children.size() == 1) return std::move(all.children.front());
  return all;
}

absl::StatusOr<SearchKey> KeyParser::ParseKey(ArgReader& reader, int depth) {
  if (depth > limits_.max_depth) return absl::InvalidArgumentError("Search nested too deeply");
  if (++keys_ > limits_.max_keys) return absl::InvalidArgumentError("Too many search keys");
  ASSIGN_OR_RETURN(const Token* token, reader.Any("search key"));
  if (token->IsList()) {
    ArgReader inner(token->children);
    return ParseAll(inner, depth + 1);
  }
  if (!token->IsAtom()) return absl::InvalidArgumentError("Invalid search key");
  SearchKey key;
  const char first = token->value.empty() ? '\0' : token->value[0];
  if (absl::ascii_isdigit(static_cast<unsigned char>(first)) || first == '*' || first == '$') {
    key.kind = Kind::kSequenceSet;
    ASSIGN_OR_RETURN(key.set, SequenceSet::Parse(token->value));
    return key;
  }
  const KeyDef* def = FindKey(token->value);
  if (def == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("Unknown search key ", absl::string_view(token->value).substr(0, 40)));
  }
  key.kind = def->kind;
  RETURN_IF_ERROR(ParseArg(*def, reader, depth, &key));
  return key;
}

absl::Status KeyParser::ParseArg(const KeyDef& def, ArgReader& reader, int depth,
                                 SearchKey* key) {
  const std::string what = absl::StrCat(def.name, " argument");
  switch (def.arg) {
    case Arg::kNone:
      return absl::OkStatus();
    case Arg::kFlag: {
      ASSIGN_OR_RETURN(const Token* flag, reader.Any(what));
      ASSIGN_OR_RETURN(key->value, ParseFlag(*flag));
      return absl::OkStatus();
    }
    case Arg::kString: {
      ASSIGN_OR_RETURN(key->value, reader.Astring(what));
      return absl::OkStatus();
    }
    case Arg::kHeader: {
      ASSIGN_OR_RETURN(key->field, reader.Astring("HEADER field name"));
      ASSIGN_OR_RETURN(key->value, reader.Astring(what));
      return absl::OkStatus();
    }
    case Arg::kDate: {
      ASSIGN_OR_RETURN(std::string date, reader.Astring(what));
      ASSIGN_OR_RETURN(key->date, ParseDate(date));
      return absl::OkStatus();
    }
    case Arg::kNumber: {
      ASSIGN_OR_RETURN(key->number, reader.Number(what, kMaxNumber64));
      return absl::OkStatus();
    }
    case Arg::kModSeq:
      return ParseModSeq(reader, key);
    case Arg::kUidSet: {
      ASSIGN_OR_RETURN(key->set, reader.Sequence(what));
      return absl::OkStatus();
    }
    case Arg::kNot:
    case Arg::kOr:
      for (int i = 0; i < (def.arg == Arg::kOr ? 2 : 1); ++i) {
        ASSIGN_OR_RETURN(SearchKey child, ParseKey(reader, depth + 1));
        key->children.push_back(std::move(child));
      }
      return absl::OkStatus();
  }
  return absl::OkStatus();
}

// RFC 4731 §3.1: search-return-opts = "RETURN" SP "(" [opt *(SP opt)] ")".
absl::Status ParseReturn(const Token& list, SearchReturn* ret) {
  for (const Token& opt : list.children) {
    if (opt.IsAtom("MIN")) {
      ret->min = true;
    } else if (opt.IsAtom("MAX")) {
      ret->max = true;
    } else if (opt.IsAtom("ALL")) {
      ret->all = true;
    } else if (opt.IsAtom("COUNT")) {
      ret->count = true;
    } else if (opt.IsAtom("SAVE")) {
      ret->save = true;
    } else {
      return absl::InvalidArgumentError("Unknown SEARCH RETURN option");
    }
  }
  // RFC 4731 §3.1: an empty list means ALL.
  if (list.children.empty()) ret->all = true;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SearchArgs> ParseSearchArgs(absl::Span<const Token> args,
                                           const SearchLimits& limits) {
  SearchArgs out;
  ArgReader reader(args);
  if (reader.ConsumeAtom("RETURN")) {
    out.has_return = true;
    ASSIGN_OR_RETURN(const Token* list, reader.List("RETURN options"));
    RETURN_IF_ERROR(ParseReturn(*list, &out.ret));
  }
  if (reader.ConsumeAtom("CHARSET")) {
    ASSIGN_OR_RETURN(std::string charset, reader.Astring("charset"));
    out.charset = absl::AsciiStrToUpper(charset);
  }
  KeyParser parser(limits);
  ASSIGN_OR_RETURN(out.key, parser.ParseAll(reader, 0));
  return out;
}

std::string DebugString(const SearchKey& key) {
  if (key.kind == Kind::kAnd) {
    std::string out = "(";
    for (const SearchKey& child : key.children) {
      absl::StrAppend(&out, out.size() > 1 ? " " : "", DebugString(child));
    }
    return out + ")";
  }
  if (key.kind == Kind::kSequenceSet) return key.set.ToString();
  absl::string_view name;
  Arg arg = Arg::kNone;
  for (const KeyDef& def : kKeys) {
    if (def.kind == key.kind) name = def.name, arg = def.arg;
  }
  std::string out(name);
  switch (arg) {
    case Arg::kNone: break;
    case Arg::kFlag: absl::StrAppend(&out, " ", key.value); break;
    case Arg::kString: absl::StrAppend(&out, " \"", key.value, "\""); break;
    case Arg::kHeader: absl::StrAppend(&out, " \"", key.field, "\" \"", key.value, "\""); break;
    case Arg::kDate:
      absl::StrAppend(&out, absl::StrFormat(" %d-%d-%d", key.date.day(), key.date.month(),
                                            key.date.year()));
      break;
    case Arg::kNumber: absl::StrAppend(&out, " ", key.number); break;
    case Arg::kModSeq:
      if (!key.field.empty()) absl::StrAppend(&out, " \"", key.field, "\" ", key.value);
      absl::StrAppend(&out, " ", key.number);
      break;
    case Arg::kUidSet: absl::StrAppend(&out, " ", key.set.ToString()); break;
    case Arg::kNot:
    case Arg::kOr:
      for (const SearchKey& child : key.children) absl::StrAppend(&out, " ", DebugString(child));
      break;
  }
  return out;
}

}  // namespace mailroom::imap
