#include "services/imap/protocol/token.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace mailroom::imap {

bool Token::IsNil() const { return IsAtom("NIL"); }

bool Token::IsAtom(absl::string_view word) const {
  return type == Type::kAtom && absl::EqualsIgnoreCase(value, word);
}

Token Token::Atom(absl::string_view text) {
  Token t;
  t.type = Type::kAtom;
  t.value = std::string(text);
  return t;
}

Token Token::Quoted(absl::string_view text) {
  Token t;
  t.type = Type::kQuoted;
  t.value = std::string(text);
  return t;
}

Token Token::Literal(absl::string_view bytes, bool literal8) {
  Token t;
  t.type = Type::kLiteral;
  t.value = std::string(bytes);
  t.literal8 = literal8;
  return t;
}

Token Token::List(std::vector<Token> children) {
  Token t;
  t.type = Type::kList;
  t.children = std::move(children);
  return t;
}

std::string DebugString(const Token& token) {
  switch (token.type) {
    case Token::Type::kAtom:
      return token.value;
    case Token::Type::kQuoted: {
      std::string out = "\"";
      for (char c : token.value) {
        if (c == '"' || c == '\\') out.push_back('\\');
        out.push_back(c);
      }
      return out + "\"";
    }
    case Token::Type::kLiteral: {
      const uint64_t size = token.streamed ? token.literal_size : token.value.size();
      return absl::StrCat(token.literal8 ? "~{" : "{", size, "}\r\n",
                          token.streamed ? "<streamed>" : token.value);
    }
    case Token::Type::kList:
      return absl::StrCat("(", DebugString(token.children), ")");
  }
  return "";
}

std::string DebugString(const std::vector<Token>& tokens) {
  std::string out;
  for (const Token& t : tokens) {
    if (!out.empty()) out.push_back(' ');
    out += DebugString(t);
  }
  return out;
}

}  // namespace mailroom::imap
