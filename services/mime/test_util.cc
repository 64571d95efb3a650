// Test helpers: IMAP-shaped renderings and generated messages.
#include "services/mime/test_util.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mailroom::mime::testing {
namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string NilOrEmpty(std::string_view s) { return s.empty() ? "NIL" : Quote(s); }

std::string NilOr(const std::optional<std::string>& s) { return s ? Quote(*s) : "NIL"; }

std::string AddressList(const std::vector<Address>& list) {
  if (list.empty()) return "NIL";
  std::string out = "(";
  for (const Address& a : list) {
    if (a.group_end) {
      out += "(NIL NIL NIL NIL)";
    } else if (a.group_start) {
      absl::StrAppend(&out, "(NIL NIL ", Quote(a.mailbox), " NIL)");
    } else {
      absl::StrAppend(&out, "(", NilOrEmpty(a.name), " ", NilOrEmpty(a.adl), " ",
                      NilOrEmpty(a.mailbox), " ", NilOrEmpty(a.host), ")");
    }
  }
  return out + ")";
}

std::string Params(const std::vector<Param>& params) {
  std::string out;
  for (const Param& p : params) absl::StrAppend(&out, ";", p.name, "=", p.value);
  return out;
}

}  // namespace

std::string Crlf(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

std::string ImapEnvelope(const Envelope& env) {
  return absl::StrCat("(", NilOr(env.date), " ", NilOr(env.subject), " ", AddressList(env.from),
                      " ", AddressList(env.sender), " ", AddressList(env.reply_to), " ",
                      AddressList(env.to), " ", AddressList(env.cc), " ", AddressList(env.bcc), " ",
                      NilOr(env.in_reply_to), " ", NilOr(env.message_id), ")");
}

std::string Describe(const Part& part) {
  std::string out = absl::StrCat(part.type, "/", part.subtype, Params(part.params));
  if (IsMultipart(part)) {
    std::vector<std::string> children;
    for (const Part& child : part.children) children.push_back(Describe(child));
    return absl::StrCat(out, " (", absl::StrJoin(children, ", "), ")");
  }
  absl::StrAppend(&out, " ", part.encoding);
  if (part.type == "text" || IsEncapsulatedMessage(part)) {
    absl::StrAppend(&out, " L", part.body_lines);
  }
  if (part.id) absl::StrAppend(&out, " id=", *part.id);
  if (part.description) absl::StrAppend(&out, " desc=", *part.description);
  if (part.md5) absl::StrAppend(&out, " md5=", *part.md5);
  if (part.location) absl::StrAppend(&out, " loc=", *part.location);
  if (part.disposition) {
    absl::StrAppend(&out, " disp=", *part.disposition, Params(part.disposition_params));
  }
  if (!part.languages.empty()) absl::StrAppend(&out, " lang=", absl::StrJoin(part.languages, ","));
  if (IsEncapsulatedMessage(part)) {
    absl::StrAppend(&out, " (", part.children.empty() ? "" : Describe(part.children[0]), ")");
  }
  return out;
}

std::vector<uint32_t> ParsePath(std::string_view path) {
  std::vector<uint32_t> out;
  uint32_t n = 0;
  bool any = false;
  for (char c : path) {
    if (c == '.') {
      out.push_back(n);
      n = 0;
      any = false;
    } else {
      n = n * 10 + static_cast<uint32_t>(c - '0');
      any = true;
    }
  }
  if (any) out.push_back(n);
  return out;
}

namespace {

struct InvariantWalk {
  std::string_view raw;
  const Limits& limits;
  int parts = 0;
  int max_depth = 0;

  std::string Check(const Part& p, uint64_t begin, uint64_t end, int depth) {
    ++parts;
    max_depth = std::max(max_depth, depth);
    if (p.header_offset < begin || p.header_offset + p.header_size != p.body_offset ||
        p.body_offset + p.body_size > end || end > raw.size()) {
      return absl::StrCat("part range out of bounds at depth ", depth);
    }
    if (IsMultipart(p) && p.children.empty()) return "multipart without children";
    if (IsEncapsulatedMessage(p) && (p.children.size() != 1 || !p.message_envelope)) {
      return "message/rfc822 without exactly one child and an envelope";
    }
    if (!IsMultipart(p) && !IsEncapsulatedMessage(p) && !p.children.empty()) {
      return "leaf with children";
    }
    for (const Part& child : p.children) {
      std::string err = Check(child, p.body_offset, p.body_offset + p.body_size, depth + 1);
      if (!err.empty()) return err;
    }
    return "";
  }
};

}  // namespace

std::string CheckInvariants(const Message& msg, std::string_view raw, const Limits& limits) {
  if (msg.size != raw.size()) return "size differs from the input";
  if (msg.body.header_offset != 0 || msg.body.header_size != msg.header_size ||
      msg.body.body_offset + msg.body.body_size != raw.size()) {
    return "top-level entity does not span the message";
  }
  InvariantWalk walk{raw, limits};
  std::string err = walk.Check(msg.body, 0, raw.size(), 0);
  if (!err.empty()) return err;
  if (walk.parts > std::max(limits.max_parts, 1)) return "more parts than max_parts";
  if (walk.max_depth > std::max(limits.max_depth, 0)) return "deeper than max_depth";
  return "";
}

std::vector<MessageCase> AllCases() {
  std::vector<MessageCase> all = BasicCases();
  for (MessageCase& c : BrokenCases()) all.push_back(std::move(c));
  return all;
}

std::string DeeplyNestedMessage(int depth) {
  std::string head = "From: deep@example.com\r\nSubject: deep\r\n";
  std::string tail;
  for (int i = 0; i < depth; ++i) {
    std::string b = absl::StrCat("b", i);
    absl::StrAppend(&head, "Content-Type: multipart/mixed; boundary=", b, "\r\n\r\n--", b, "\r\n");
    tail = absl::StrCat("\r\n--", b, "--\r\n", tail);
  }
  return absl::StrCat(head, "Content-Type: text/plain\r\n\r\ninnermost", tail);
}

std::string ManyPartsMessage(int parts) {
  std::string out = "From: many@example.com\r\nContent-Type: multipart/mixed; boundary=m\r\n\r\n";
  for (int i = 0; i < parts; ++i) absl::StrAppend(&out, "--m\r\n\r\npart ", i, "\r\n");
  return out + "--m--\r\n";
}

}  // namespace mailroom::mime::testing
