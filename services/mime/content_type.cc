// Content-Type / Content-Disposition parsing: RFC 2045 §5.1, RFC 2183, RFC 2231.
#include "services/mime/content_type.h"

#include <algorithm>
#include <unordered_map>

#include "services/mime/decode.h"
#include "services/mime/strings.h"

namespace mailroom::mime {
namespace {

// RFC 2045 §5.1 tspecials, plus WSP and CTLs, end a token. 8-bit bytes are accepted.
bool IsTokenChar(char c) {
  auto u = static_cast<unsigned char>(c);
  if (u <= 32 || u == 127) return false;
  return std::string_view("()<>@,;:\\\"/[]?=").find(c) == std::string_view::npos;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  void Advance() { ++pos_; }

  void SkipCfws() {
    while (!AtEnd()) {
      if (IsSpaceOrEol(s_[pos_])) {
        ++pos_;
      } else if (s_[pos_] == '(') {
        SkipComment();
      } else {
        return;
      }
    }
  }

  std::string_view Token() {
    size_t begin = pos_;
    while (!AtEnd() && IsTokenChar(s_[pos_])) ++pos_;
    return s_.substr(begin, pos_ - begin);
  }

  // Reads a quoted-string (at '"'), unescaping quoted-pairs; unterminated runs to the end.
  std::string Quoted() {
    std::string out;
    ++pos_;
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '"') break;
      if (c == '\\' && !AtEnd()) c = s_[pos_++];
      out.push_back(c);
    }
    return out;
  }

  // Lenient unquoted value: up to ';' or a comment, trailing WSP dropped. Real mail has
  // unquoted '=', '/' and '?' in values (boundary=----=_Part_1).
  std::string_view Unquoted() {
    size_t begin = pos_;
    while (!AtEnd() && s_[pos_] != ';' && s_[pos_] != '(') ++pos_;
    return TrimWsp(s_.substr(begin, pos_ - begin));
  }

  // Moves to just past the next ';' outside quotes, or to the end. Returns false at the end.
  bool NextSemicolon() {
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == ';') {
        ++pos_;
        return true;
      }
      if (c == '"') {
        Quoted();
      } else if (c == '(') {
        SkipComment();
      } else {
        ++pos_;
      }
    }
    return false;
  }

  std::string_view Rest() const { return AtEnd() ? std::string_view() : s_.substr(pos_); }

 private:
  void SkipComment() {
    int depth = 0;
    while (!AtEnd()) {
      char c = s_[pos_++];
      if (c == '\\') {
        if (!AtEnd()) ++pos_;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

struct RawParam {
  std::string base;       // name without RFC 2231 decorations
  int section = -1;       // RFC 2231 §3 section number, -1 when none
  bool extended = false;  // RFC 2231 §4 trailing '*'
  std::string value;
};

RawParam SplitParamName(std::string name, std::string value) {
  RawParam p;
  p.value = std::move(value);
  if (!name.empty() && name.back() == '*') {
    p.extended = true;
    name.pop_back();
  }
  size_t star = name.rfind('*');
  if (star != std::string::npos && star + 1 < name.size() && name.size() - star <= 7 &&
      std::all_of(name.begin() + star + 1, name.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    p.section = std::stoi(name.substr(star + 1));
    name.resize(star);
  }
  p.base = std::move(name);
  return p;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Joins the RFC 2231 pieces of one parameter (already in section order).
std::string JoinExtended(const std::vector<const RawParam*>& pieces) {
  std::string charset;
  std::string bytes;
  for (size_t i = 0; i < pieces.size(); ++i) {
    std::string_view v = pieces[i]->value;
    if (!pieces[i]->extended) {
      bytes.append(v);
      continue;
    }
    if (i == 0) {  // RFC 2231 §4: charset'language'value in the first piece only
      size_t q1 = v.find('\'');
      size_t q2 = q1 == std::string_view::npos ? q1 : v.find('\'', q1 + 1);
      if (q2 != std::string_view::npos) {
        charset = std::string(v.substr(0, q1));
        v = v.substr(q2 + 1);
      }
    }
    bytes += PercentDecode(v);
  }
  return charset.empty() ? bytes : ToUtf8(charset, bytes);
}

std::string CombineGroup(std::vector<const RawParam*>& group) {
  std::vector<const RawParam*> pieces;
  for (const RawParam* p : group) {
    if (p->section >= 0 || p->extended) pieces.push_back(p);
  }
  if (pieces.empty()) return group.front()->value;
  std::stable_sort(pieces.begin(), pieces.end(),
                   [](const RawParam* a, const RawParam* b) { return a->section < b->section; });
  // Duplicated section numbers: the first occurrence wins.
  auto last = std::unique(pieces.begin(), pieces.end(), [](const RawParam* a, const RawParam* b) {
    return a->section == b->section;
  });
  pieces.erase(last, pieces.end());
  if (pieces.front()->section == -1 && pieces.size() > 1) {
    return JoinExtended({pieces.front()});  // "name*=" beside sections: take it alone
  }
  return JoinExtended(pieces);
}

}  // namespace

std::vector<Param> ParseParams(std::string_view text) {
  std::vector<RawParam> raw;
  Cursor cur(text);
  while (cur.NextSemicolon()) {
    cur.SkipCfws();
    std::string name = AsciiLowerCopy(cur.Token());
    cur.SkipCfws();
    if (name.empty() || cur.Peek() != '=') continue;
    cur.Advance();
    cur.SkipCfws();
    std::string value = cur.Peek() == '"' ? cur.Quoted() : std::string(cur.Unquoted());
    raw.push_back(SplitParamName(std::move(name), std::move(value)));
  }
  std::vector<std::vector<const RawParam*>> groups;
  std::unordered_map<std::string_view, size_t> index;
  for (const RawParam& p : raw) {
    auto [it, inserted] = index.emplace(p.base, groups.size());
    if (inserted) groups.emplace_back();
    groups[it->second].push_back(&p);
  }
  std::vector<Param> params;
  params.reserve(groups.size());
  for (auto& group : groups) {
    params.push_back(Param{group.front()->base, CombineGroup(group)});
  }
  return params;
}

ContentType ParseContentType(std::string_view value) {
  ContentType ct;
  Cursor cur(value);
  cur.SkipCfws();
  ct.type = AsciiLowerCopy(cur.Token());
  cur.SkipCfws();
  if (cur.Peek() == '/') {
    cur.Advance();
    cur.SkipCfws();
    ct.subtype = AsciiLowerCopy(cur.Token());
  }
  ct.params = ParseParams(cur.Rest());
  return ct;
}

ContentDisposition ParseContentDisposition(std::string_view value) {
  ContentDisposition cd;
  Cursor cur(value);
  cur.SkipCfws();
  cd.type = AsciiLowerCopy(cur.Token());
  cd.params = ParseParams(cur.Rest());
  return cd;
}

std::vector<std::string> ParseLanguages(std::string_view value) {
  std::vector<std::string> out;
  Cursor cur(value);
  while (true) {
    cur.SkipCfws();
    if (cur.AtEnd()) break;
    std::string_view tag = cur.Token();
    if (!tag.empty()) {
      out.emplace_back(tag);
    } else {
      cur.Advance();  // ',' or another separator
    }
  }
  return out;
}

std::string FirstToken(std::string_view value) {
  Cursor cur(value);
  cur.SkipCfws();
  return AsciiLowerCopy(cur.Token());
}

}  // namespace mailroom::mime
