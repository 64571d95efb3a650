// HtmlToText: a crude, linear-time tag stripper for search text and previews.
#include <array>
#include <cctype>

#include "services/mime/strings.h"
#include "services/mime/text.h"

namespace mailroom::mime {
namespace {

// Tags after which text reads as a new line.
bool IsBlockTag(std::string_view name) {
  static constexpr std::array<std::string_view, 14> kBlock = {
      "br", "p",  "div", "tr", "li",    "h1", "h2",
      "h3", "h4", "h5",  "h6", "table", "ul", "blockquote"};
  for (std::string_view b : kBlock) {
    if (EqualsIgnoreCase(name, b)) return true;
  }
  return false;
}

// Decodes the entity at html[pos] == '&'; appends its text and returns the bytes consumed,
// or 0 when it is not a recognised entity.
size_t DecodeEntity(std::string_view html, size_t pos, std::string& out) {
  // Entities are short: looking further for ';' would make "&&&&..." quadratic.
  size_t semi = html.substr(pos, 12).find(';');
  if (semi == std::string_view::npos) return 0;
  semi += pos;
  std::string_view name = html.substr(pos + 1, semi - pos - 1);
  struct Named {
    std::string_view name;
    uint32_t cp;
  };
  static constexpr Named kNamed[] = {{"amp", '&'},      {"lt", '<'},       {"gt", '>'},
                                     {"quot", '"'},     {"apos", '\''},    {"nbsp", 0xA0},
                                     {"copy", 0xA9},    {"reg", 0xAE},     {"hellip", 0x2026},
                                     {"ndash", 0x2013}, {"mdash", 0x2014}, {"euro", 0x20AC}};
  for (const Named& n : kNamed) {
    if (name == n.name) {
      AppendUtf8(out, n.cp);
      return semi - pos + 1;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  bool hex = name[1] == 'x' || name[1] == 'X';
  uint32_t cp = 0;
  for (char c : name.substr(hex ? 2 : 1)) {
    int d = (c >= '0' && c <= '9')                          ? c - '0'
            : hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                            : -1;
    if (d < 0) return 0;
    cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  AppendUtf8(out, cp);
  return semi - pos + 1;
}

// Skips the tag at html[pos] == '<'; returns the offset after it and sets *name and
// *closing.
size_t SkipTag(std::string_view html, size_t pos, std::string_view* name, bool* closing) {
  size_t p = pos + 1;
  *closing = p < html.size() && html[p] == '/';
  if (*closing) ++p;
  size_t name_begin = p;
  while (p < html.size() && (std::isalnum(static_cast<unsigned char>(html[p])))) ++p;
  *name = html.substr(name_begin, p - name_begin);
  size_t gt = html.find('>', p);
  return gt == std::string_view::npos ? html.size() : gt + 1;
}

// Skips to just past the closing tag "</name ...>", or the end.
size_t SkipElementContent(std::string_view html, size_t pos, std::string_view name) {
  while (true) {
    size_t lt = html.find("</", pos);
    if (lt == std::string_view::npos) return html.size();
    if (StartsWithIgnoreCase(html.substr(lt + 2), name)) {
      size_t gt = html.find('>', lt);
      return gt == std::string_view::npos ? html.size() : gt + 1;
    }
    pos = lt + 2;
  }
}

}  // namespace

std::string HtmlToText(std::string_view html) {
  std::string out;
  out.reserve(html.size() / 2);
  size_t pos = 0;
  while (pos < html.size()) {
    char c = html[pos];
    if (c == '&') {
      size_t used = DecodeEntity(html, pos, out);
      if (used == 0) out.push_back(c);
      pos += used == 0 ? 1 : used;
    } else if (c != '<' || pos + 1 >= html.size() ||
               !(std::isalpha(static_cast<unsigned char>(html[pos + 1])) || html[pos + 1] == '/' ||
                 html[pos + 1] == '!')) {
      out.push_back(c);
      ++pos;
    } else if (html.compare(pos, 4, "<!--") == 0) {
      size_t end = html.find("-->", pos + 4);
      pos = end == std::string_view::npos ? html.size() : end + 3;
    } else {
      std::string_view name;
      bool closing = false;
      pos = SkipTag(html, pos, &name, &closing);
      if (!closing && (EqualsIgnoreCase(name, "script") || EqualsIgnoreCase(name, "style") ||
                       EqualsIgnoreCase(name, "head"))) {
        pos = SkipElementContent(html, pos, name);
      }
      out.push_back(IsBlockTag(name) ? '\n' : ' ');
    }
  }
  return out;
}

}  // namespace mailroom::mime
