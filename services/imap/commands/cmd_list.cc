// LIST (RFC 9051 §6.3.9) with LIST-EXTENDED selection and return options (RFC 5258),
// SPECIAL-USE (RFC 6154), CHILDREN (RFC 3348), LIST-STATUS (RFC 5819), and LSUB (RFC 3501
// §6.3.9). The hierarchy separator is "/"; INBOX matches case-insensitively.
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/imap/commands/special_use.h"
#include "services/imap/protocol/list_args.h"
#include "services/imap/session/session.h"

namespace mailroom::imap {
namespace {

// RFC 9051 §6.3.9: "*" matches anything, "%" anything but the hierarchy separator.
bool Match(absl::string_view name, absl::string_view pattern) {
  size_t n = 0, p = 0;
  while (p < pattern.size()) {
    const char pc = pattern[p];
    if (pc == '*' || pc == '%') {
      // Try every possible length for the wildcard (names are short).
      for (size_t k = n; k <= name.size(); ++k) {
        if (Match(name.substr(k), pattern.substr(p + 1))) return true;
        if (k < name.size() && pc == '%' && name[k] == '/') return false;
      }
      return false;
    }
    if (n >= name.size() || name[n] != pc) return false;
    ++n;
    ++p;
  }
  return n == name.size();
}

// INBOX (and its children) match case-insensitively: canonicalise a pattern's INBOX prefix.
std::string CanonicalPattern(std::string pattern) {
  if (pattern.size() >= 5 && absl::EqualsIgnoreCase(pattern.substr(0, 5), "INBOX") &&
      (pattern.size() == 5 || pattern[5] == '/' || pattern[5] == '*' || pattern[5] == '%')) {
    pattern.replace(0, 5, "INBOX");
  }
  return pattern;
}

struct Entry {
  bool exists = false;
  bool subscribed = false;
  bool has_children = false;
  bool subscribed_child = false;
  v1::SpecialUse use = v1::SPECIAL_USE_UNSPECIFIED;
};

}  // namespace

asio::awaitable<void> Session::CmdList(const Command& c) {
  const bool lsub = c.name == "LSUB";
  absl::StatusOr<ListArgs> args = ParseListArgs(c.args, utf8(), lsub);
  if (!args.ok()) co_return Bad(c.tag, args.status().message());
  if (!lsub && args->patterns.size() == 1 && args->patterns[0].empty() && !args->extended) {
    // RFC 9051 §6.3.9: the hierarchy delimiter and root.
    Untagged("LIST (\\Noselect) \"/\" \"\"");
    co_return Tagged(c.tag, StatusKind::kOk, "", "LIST completed");
  }
  v1::ListMailboxesRequest request;
  request.set_user_id(user_id_);
  absl::StatusOr<v1::ListMailboxesResponse> r =
      co_await context_.store.ListMailboxes(std::move(request));
  if (!r.ok()) co_return StoreError(c.tag, r.status(), c.name);

  std::map<std::string, Entry> entries;
  for (const v1::MailboxInfo& m : r->mailboxes()) {
    Entry& e = entries[m.name()];
    e.exists = true;
    e.subscribed = m.subscribed();
    e.use = m.special_use();
  }
  for (const std::string& name : r->subscribed_nonexistent()) entries[name].subscribed = true;
  // Parents: mark children and add missing ancestors (\Noselect / \NonExistent).
  std::vector<std::string> names;
  for (const auto& [name, e] : entries) names.push_back(name);
  for (const std::string& name : names) {
    const bool sub = entries[name].subscribed;
    for (size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
      Entry& parent = entries[name.substr(0, pos)];
      if (entries[name].exists) parent.has_children = true;
      if (sub) parent.subscribed_child = true;
    }
  }

  std::vector<std::string> patterns;
  for (const std::string& p : args->patterns) {
    patterns.push_back(CanonicalPattern(absl::StrCat(args->reference, p)));
  }
  const bool want_subscribed = args->select.subscribed || args->ret.subscribed;
  std::vector<std::string> order;
  if (entries.count("INBOX")) order.push_back("INBOX");
  for (const auto& [name, e] : entries) {
    if (name != "INBOX") order.push_back(name);
  }
  std::vector<std::string> listed;
  for (const std::string& name : order) {
    const Entry& e = entries[name];
    bool matched = false;
    for (const std::string& p : patterns) matched = matched || Match(name, p);
    if (!matched) continue;
    bool childinfo = false;
    if (lsub) {
      if (!e.subscribed) continue;
    } else if (args->select.subscribed) {
      if (!e.subscribed) {
        // RFC 5258 §3.5: RECURSIVEMATCH reports parents of matching children.
        if (!(args->select.recursive_match && e.subscribed_child)) continue;
        childinfo = true;
      }
    } else if (args->select.special_use) {
      if (e.use == v1::SPECIAL_USE_UNSPECIFIED) continue;
    } else if (!e.exists && !e.has_children) {
      continue;  // a subscription to a missing mailbox is listed only when asked for
    }
    std::vector<std::string> attrs;
    if (!e.exists) {
      attrs.push_back(args->extended || rev2_ ? "\\NonExistent" : "\\Noselect");
    }
    if (!lsub && (e.exists || e.has_children)) {
      attrs.push_back(e.has_children ? "\\HasChildren" : "\\HasNoChildren");
    }
    if (!lsub && want_subscribed && e.subscribed && !childinfo) attrs.push_back("\\Subscribed");
    if (!lsub && e.use != v1::SPECIAL_USE_UNSPECIFIED) {
      attrs.push_back(std::string(SpecialUseAttribute(e.use)));
    }
    ResponseBuilder b(utf8());
    b.Raw(lsub ? "LSUB " : "LIST ").Open();
    for (const std::string& a : attrs) b.Atom(a);
    b.Close().String("/").String(WireName(name));
    if (childinfo) b.Raw(" (\"CHILDINFO\" (\"SUBSCRIBED\"))");
    Untagged(b.Take());
    if (args->ret.status && e.exists) {
      v1::GetMailboxStatusRequest status_request;
      status_request.set_user_id(user_id_);
      status_request.set_name(name);
      absl::StatusOr<v1::GetMailboxStatusResponse> st =
          co_await context_.store.GetMailboxStatus(std::move(status_request));
      if (st.ok()) {
        v1::MailboxStatus status = st->status();
        status.set_name(name);
        Untagged(StatusLine(status, *args->ret.status));
      }
    }
    if (!co_await MaybeFlush()) co_return;
  }
  Tagged(c.tag, StatusKind::kOk, "", absl::StrCat(c.name, " completed"));
}

}  // namespace mailroom::imap
