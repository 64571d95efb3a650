// Address lists: RFC 5322 §3.4 / §4.4 → RFC 9051 §7.5.2 address structures; ENVELOPE.
#include "services/mime/address.h"

#include <utility>

#include "services/mime/header.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

enum class Kind { kAtom, kQuoted, kComment, kLiteral, kSpecial };

struct Token {
  Kind kind;
  size_t begin = 0, end = 0;  // raw span in the value
  std::string text;  // atom/literal: raw; quoted: unquoted; comment: inner text; special: char
  bool Is(char c) const { return kind == Kind::kSpecial && text[0] == c; }
};

constexpr std::string_view kSpecials = "<>:;@,.";

// Reads a delimited run starting at s[pos] == open: quoted-string, comment (nesting) or
// domain literal, quoted-pairs unescaped. Unterminated runs end at the end of the value.
// Returns the end offset.
size_t ReadDelimited(std::string_view s, size_t pos, char open, char close, std::string* text) {
  const bool nests = open == '(';
  int depth = 1;
  size_t i = pos + 1;
  while (i < s.size()) {
    char c = s[i++];
    if (c == '\\' && i < s.size()) {
      text->push_back(s[i++]);
      continue;
    }
    if (nests && c == open) {
      ++depth;
    } else if (c == close && --depth == 0) {
      return i;
    }
    text->push_back(c);
  }
  return i;
}

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> toks;
  size_t pos = 0;
  while (pos < s.size()) {
    char c = s[pos];
    if (IsSpaceOrEol(c)) {
      ++pos;
      continue;
    }
    Token t{Kind::kAtom, pos, pos, {}};
    if (c == '(' || c == '"' || c == '[') {
      t.kind = c == '(' ? Kind::kComment : c == '"' ? Kind::kQuoted : Kind::kLiteral;
      char close = c == '(' ? ')' : c == '"' ? '"' : ']';
      t.end = ReadDelimited(s, pos, c, close, &t.text);
      if (t.kind == Kind::kLiteral) t.text = "[" + t.text + "]";
      if (t.kind == Kind::kComment) t.text = std::string(TrimWsp(t.text));
    } else if (kSpecials.find(c) != std::string_view::npos) {
      t.kind = Kind::kSpecial;
      t.text = std::string(1, c);
      t.end = pos + 1;
    } else {
      size_t e = pos;
      while (e < s.size() && !IsSpaceOrEol(s[e]) && s[e] != '(' && s[e] != '"' && s[e] != '[' &&
             kSpecials.find(s[e]) == std::string_view::npos) {
        ++e;
      }
      t.text = std::string(s.substr(pos, e - pos));
      t.end = e;
    }
    pos = t.end;
    toks.push_back(std::move(t));
  }
  return toks;
}

Address GroupEnd() {
  Address end;
  end.group_end = true;
  return end;
}

class AddressParser {
 public:
  explicit AddressParser(std::vector<Token> toks) : toks_(std::move(toks)) {}

  std::vector<Address> Parse() {
    bool in_group = false;
    size_t i = 0;
    while (i < toks_.size()) {
      if (Is(i, ',')) {
        ++i;
        continue;
      }
      if (Is(i, ';')) {
        if (in_group) out_.push_back(GroupEnd());
        in_group = false;
        ++i;
        continue;
      }
      size_t j = FindStop(i, in_group);
      if (Is(j, ':')) {  // RFC 5322 §3.4 group: display-name ":" [group-list] ";"
        std::string name = Phrase(i, j);
        if (name.empty()) name = kMissingMailbox;
        Address start;
        start.mailbox = std::move(name);
        start.group_start = true;
        out_.push_back(std::move(start));
        in_group = true;
        i = j + 1;
      } else if (Is(j, '<')) {
        i = ParseAngle(j, Phrase(i, j));
      } else {
        BareAddrSpec(i, j);
        i = j;
      }
    }
    if (in_group) out_.push_back(GroupEnd());
    return std::move(out_);
  }

 private:
  bool Is(size_t i, char c) const { return i < toks_.size() && toks_[i].Is(c); }

  // First index at or after i holding ':' (outside a group), '<', ',' or ';'.
  size_t FindStop(size_t i, bool in_group) const {
    while (i < toks_.size() && !Is(i, '<') && !Is(i, ',') && !Is(i, ';') &&
           (in_group || !Is(i, ':'))) {
      ++i;
    }
    return i;
  }

  // Display-name words with quotes and comments removed, single spaces where the raw text
  // had whitespace (RFC 5322 §3.2.5 phrase, §4.1 obs-phrase dots kept).
  std::string Phrase(size_t b, size_t e) const {
    std::string out;
    size_t prev_end = 0;
    for (size_t i = b; i < e; ++i) {
      const Token& t = toks_[i];
      if (t.kind == Kind::kComment) continue;
      if (!out.empty() && t.begin > prev_end) out.push_back(' ');
      out += t.text;
      prev_end = t.end;
    }
    return out;
  }

  // Local parts, domains and routes: tokens joined without whitespace (CFWS is not part of
  // them, RFC 5322 §3.4.1).
  std::string Compact(size_t b, size_t e) const {
    std::string out;
    for (size_t i = b; i < e; ++i) {
      if (toks_[i].kind != Kind::kComment) out += toks_[i].text;
    }
    return out;
  }

  void Emit(std::string name, std::string adl, std::string local, std::string domain) {
    Address a;
    a.name = std::move(name);
    a.adl = std::move(adl);
    a.mailbox = local.empty() ? std::string(kMissingMailbox) : std::move(local);
    a.host = domain.empty() ? std::string(kMissingDomain) : std::move(domain);
    out_.push_back(std::move(a));
  }

  // Splits tokens [b, e) at the first '@' into local part and domain.
  std::pair<std::string, std::string> SplitAddrSpec(size_t b, size_t e) const {
    for (size_t a = b; a < e; ++a) {
      if (Is(a, '@')) return {Compact(b, a), Compact(a + 1, e)};
    }
    return {Phrase(b, e), std::string()};
  }

  // name-addr: [display-name] "<" [obs-route] addr-spec ">" (RFC 5322 §3.4, §4.4).
  size_t ParseAngle(size_t lt, std::string name) {
    size_t k = lt + 1;
    std::string adl;
    if (Is(k, '@')) {
      size_t m = k;
      while (m < toks_.size() && !Is(m, ':') && !Is(m, '>') && !Is(m, '<') && !Is(m, ';')) ++m;
      if (Is(m, ':')) {
        adl = Compact(k, m);
        k = m + 1;
      }
    }
    size_t e = k;
    while (e < toks_.size() && !Is(e, '>') && !Is(e, ',') && !Is(e, ';') && !Is(e, '<')) ++e;
    auto [local, domain] = SplitAddrSpec(k, e);
    if (Is(e, '>')) ++e;
    while (e < toks_.size() && !Is(e, ',') && !Is(e, ';') && !Is(e, '<')) ++e;
    if (!local.empty() || !domain.empty() || !name.empty()) {
      Emit(std::move(name), std::move(adl), std::move(local), std::move(domain));
    }
    return e;
  }

  // A bare addr-spec; an RFC 822 style trailing comment "user@host (Name)" gives the name.
  void BareAddrSpec(size_t b, size_t e) {
    std::string comment;
    bool has_words = false;
    for (size_t i = b; i < e; ++i) {
      if (toks_[i].kind == Kind::kComment) {
        comment = toks_[i].text;
      } else {
        has_words = true;
      }
    }
    if (!has_words) return;
    auto [local, domain] = SplitAddrSpec(b, e);
    Emit(std::move(comment), std::string(), std::move(local), std::move(domain));
  }

  std::vector<Token> toks_;
  std::vector<Address> out_;
};

std::optional<std::string> FieldValue(const std::vector<HeaderField>& fields,
                                      std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  if (f == nullptr) return std::nullopt;
  return std::string(TrimWsp(f->value));
}

std::vector<Address> AddressField(const std::vector<HeaderField>& fields, std::string_view name) {
  const HeaderField* f = FindField(fields, name);
  return f == nullptr ? std::vector<Address>() : ParseAddressList(f->value);
}

}  // namespace

std::vector<Address> ParseAddressList(std::string_view value) {
  return AddressParser(Tokenize(value)).Parse();
}

Envelope BuildEnvelope(const std::vector<HeaderField>& fields) {
  Envelope env;
  env.date = FieldValue(fields, "Date");
  env.subject = FieldValue(fields, "Subject");
  env.in_reply_to = FieldValue(fields, "In-Reply-To");
  env.message_id = FieldValue(fields, "Message-ID");
  env.from = AddressField(fields, "From");
  env.sender = AddressField(fields, "Sender");
  env.reply_to = AddressField(fields, "Reply-To");
  env.to = AddressField(fields, "To");
  env.cc = AddressField(fields, "Cc");
  env.bcc = AddressField(fields, "Bcc");
  if (env.sender.empty()) env.sender = env.from;
  if (env.reply_to.empty()) env.reply_to = env.from;
  return env;
}

}  // namespace mailroom::mime
