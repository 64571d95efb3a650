#include "services/smtp/protocol/envelope.h"

#include <set>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"

namespace mailroom::smtp {
namespace {

constexpr size_t kMaxPathOctets = 256;  // RFC 5321 §4.5.3.1.3
constexpr size_t kMaxParamValue = 500;

absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

bool IsAtext(unsigned char c) {
  if (c >= 0x80) return true;  // UTF-8 (RFC 6531 §3.3 extends atext)
  if (absl::ascii_isalnum(c)) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(static_cast<char>(c)) !=
         std::string_view::npos;
}

bool IsDotString(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '.') {
      if (s[i - 1] == '.') return false;
    } else if (!IsAtext(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

bool IsQuotedString(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == '\\') {
      if (++i + 1 >= s.size() || static_cast<unsigned char>(s[i]) < 0x20) return false;
      continue;
    }
    if (c == '"' || c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

bool IsDomain(std::string_view d) {
  if (d.size() >= 2 && d.front() == '[' && d.back() == ']') {  // address literal
    for (char c : d.substr(1, d.size() - 2)) {
      if (!(absl::ascii_isalnum(c) || c == '.' || c == ':' || c == '-')) return false;
    }
    return d.size() > 2;
  }
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 255) return false;
  for (absl::string_view label : absl::StrSplit(AV(d), '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const unsigned char u = c;
      if (!(absl::ascii_isalnum(u) || c == '-' || u >= 0x80)) return false;
    }
  }
  return true;
}

// Splits "<path> params" after the "FROM:" / "TO:" keyword; returns the path without brackets.
absl::Status SplitPath(std::string_view args, std::string_view keyword, std::string* path,
                       std::string_view* params) {
  if (args.size() < keyword.size() ||
      !absl::EqualsIgnoreCase(AV(args.substr(0, keyword.size())), AV(keyword))) {
    return absl::InvalidArgumentError("syntax: expected " + std::string(keyword) + "<address>");
  }
  args.remove_prefix(keyword.size());
  if (!args.empty() && args.front() == ' ') args.remove_prefix(1);  // a common client quirk
  if (args.empty() || args.front() != '<') {
    return absl::InvalidArgumentError("syntax: the address must be in angle brackets");
  }
  bool quoted = false;
  size_t close = std::string_view::npos;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == '\\' && quoted) {
      ++i;
    } else if (args[i] == '"') {
      quoted = !quoted;
    } else if (args[i] == '>' && !quoted) {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) return absl::InvalidArgumentError("syntax: missing '>'");
  *path = std::string(args.substr(1, close - 1));
  if (path->size() > kMaxPathOctets) return absl::InvalidArgumentError("address too long");
  *params = args.substr(close + 1);
  if (!params->empty() && params->front() != ' ') {
    return absl::InvalidArgumentError("syntax: text after the address");
  }
  return absl::OkStatus();
}

struct Param {
  std::string key;    // upper-case
  std::string value;  // as sent
  bool has_value = false;
};

absl::StatusOr<std::vector<Param>> SplitParams(std::string_view text) {
  std::vector<Param> out;
  std::set<std::string> seen;
  for (absl::string_view word : absl::StrSplit(AV(text), ' ', absl::SkipEmpty())) {
    Param p;
    const size_t eq = word.find('=');
    p.key = absl::AsciiStrToUpper(word.substr(0, eq));
    if (eq != absl::string_view::npos) {
      p.value = std::string(word.substr(eq + 1));
      p.has_value = true;
    }
    if (p.key.empty() || p.value.size() > kMaxParamValue || !seen.insert(p.key).second) {
      return absl::UnimplementedError("malformed or repeated parameter");
    }
    out.push_back(std::move(p));
  }
  return out;
}

// RFC 3461 §4: xtext is printable ASCII except "+" and "=", with "+XX" hex escapes.
bool IsXtext(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = s[i];
    if (c == '+') {
      if (i + 2 >= s.size() || !absl::ascii_isxdigit(s[i + 1]) ||
          !absl::ascii_isxdigit(s[i + 2])) {
        return false;
      }
      i += 2;
    } else if (c < 33 || c > 126 || c == '=') {
      return false;
    }
  }
  return true;
}

absl::Status Unknown(const Param& p) {
  return absl::UnimplementedError("parameter " + p.key + " not recognised or malformed");
}

}  // namespace

bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

absl::Status ValidateMailbox(std::string_view mailbox) {
  const size_t at = mailbox.rfind('@');
  if (at == std::string_view::npos || at == 0) {
    return absl::InvalidArgumentError("address must be local-part@domain");
  }
  std::string_view local = mailbox.substr(0, at);
  if (!IsDotString(local) && !IsQuotedString(local)) {
    return absl::InvalidArgumentError("bad local part");
  }
  if (local.size() > 64) return absl::InvalidArgumentError("local part too long");
  if (!IsDomain(mailbox.substr(at + 1))) return absl::InvalidArgumentError("bad domain");
  return absl::OkStatus();
}

absl::StatusOr<MailFrom> ParseMailFrom(std::string_view args) {
  MailFrom out;
  std::string_view params;
  if (absl::Status s = SplitPath(args, "FROM:", &out.reverse_path, &params); !s.ok()) return s;
  if (!out.reverse_path.empty() && out.reverse_path.front() == '@') {
    const size_t colon = out.reverse_path.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("bad source route");
    out.reverse_path.erase(0, colon + 1);
  }
  if (!out.reverse_path.empty()) {
    if (absl::Status s = ValidateMailbox(out.reverse_path); !s.ok()) return s;
  }
  absl::StatusOr<std::vector<Param>> list = SplitParams(params);
  if (!list.ok()) return list.status();
  for (const Param& p : *list) {
    if (p.key == "SIZE") {
      uint64_t n = 0;
      if (!p.has_value || p.value.size() > 20 || !absl::SimpleAtoi(p.value, &n)) return Unknown(p);
      out.size = n;
    } else if (p.key == "BODY") {
      const std::string v = absl::AsciiStrToUpper(p.value);
      if (v == "7BIT") out.body = BodyType::k7Bit;
      else if (v == "8BITMIME") out.body = BodyType::k8BitMime;
      else if (v == "BINARYMIME") out.body = BodyType::kBinaryMime;
      else return Unknown(p);
    } else if (p.key == "SMTPUTF8") {
      if (p.has_value) return Unknown(p);
      out.smtputf8 = true;
    } else if (p.key == "RET") {
      out.ret = absl::AsciiStrToUpper(p.value);
      if (out.ret != "FULL" && out.ret != "HDRS") return Unknown(p);
    } else if (p.key == "ENVID") {
      if (!p.has_value || p.value.size() > 100 || !IsXtext(p.value)) return Unknown(p);
      out.envid = p.value;
    } else if (p.key == "AUTH") {
      if (!p.has_value || !IsXtext(p.value)) return Unknown(p);
      out.auth = p.value;
    } else {
      return Unknown(p);
    }
  }
  return out;
}

absl::StatusOr<RcptTo> ParseRcptTo(std::string_view args) {
  RcptTo out;
  std::string_view params;
  if (absl::Status s = SplitPath(args, "TO:", &out.forward_path, &params); !s.ok()) return s;
  if (out.forward_path.empty()) return absl::InvalidArgumentError("empty recipient");
  if (out.forward_path.front() == '@') {
    const size_t colon = out.forward_path.find(':');
    if (colon == std::string::npos) return absl::InvalidArgumentError("bad source route");
    out.forward_path.erase(0, colon + 1);
    out.had_source_route = true;
  }
  if (absl::EqualsIgnoreCase(AV(out.forward_path), "postmaster")) {
    out.postmaster = true;
  } else if (absl::Status s = ValidateMailbox(out.forward_path); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::vector<Param>> list = SplitParams(params);
  if (!list.ok()) return list.status();
  for (const Param& p : *list) {
    if (p.key == "NOTIFY") {
      const std::string v = absl::AsciiStrToUpper(p.value);
      bool ok = !v.empty();
      for (absl::string_view item : absl::StrSplit(v, ',')) {
        ok &= item == "SUCCESS" || item == "FAILURE" || item == "DELAY" ||
              (item == "NEVER" && v == "NEVER");
      }
      if (!ok) return Unknown(p);
      out.notify = v;
    } else if (p.key == "ORCPT") {
      const size_t semi = p.value.find(';');
      if (semi == std::string::npos || semi == 0 || !IsXtext(p.value.substr(semi + 1))) {
        return Unknown(p);
      }
      out.orcpt = p.value;
    } else {
      return Unknown(p);
    }
  }
  return out;
}

}  // namespace mailroom::smtp
