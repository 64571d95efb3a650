#include "fuzz/imap/imap_fuzz_args.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/imap/protocol/append_args.h"
#include "services/imap/protocol/auth_args.h"
#include "services/imap/protocol/copy_args.h"
#include "services/imap/protocol/enable_args.h"
#include "services/imap/protocol/expunge_args.h"
#include "services/imap/protocol/fetch_args.h"
#include "services/imap/protocol/list_args.h"
#include "services/imap/protocol/mailbox_args.h"
#include "services/imap/protocol/mailbox_name.h"
#include "services/imap/protocol/search_args.h"
#include "services/imap/protocol/select_args.h"
#include "services/imap/protocol/status_args.h"
#include "services/imap/protocol/store_args.h"

namespace mailroom::imap::fuzz {

void Check(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "imap_fuzz: %s\n", what);
    std::abort();
  }
}

namespace {

// A section rendered for a response parses back to the same section.
void CheckFetch(const FetchArgs& args) {
  for (const FetchItem& item : args.items) {
    if (item.attr != FetchAttr::kBodySection) continue;
    absl::StatusOr<FetchItem> again =
        ParseFetchItem(absl::StrCat("BODY[", RenderSection(item.section), "]"));
    Check(again.ok(), "rendered section does not parse");
    Check(again->section == item.section, "rendered section differs");
  }
}

// Every mailbox name the parsers return goes back to the wire and decodes to itself.
void CheckName(const std::string& name, bool utf8) {
  absl::StatusOr<std::string> again = MailboxFromWire(MailboxToWire(name, utf8), utf8);
  Check(again.ok() && *again == name, "mailbox name does not round-trip");
}

void ParseMailboxCommand(const Command& c, bool utf8) {
  const auto& a = c.args;
  if (c.name == "LIST" || c.name == "LSUB") {
    if (auto r = ParseListArgs(a, utf8, c.name == "LSUB"); r.ok()) {
      for (const std::string& p : r->patterns) CheckName(p, utf8);
    }
  } else if (c.name == "STATUS") {
    if (auto r = ParseStatusArgs(a, utf8); r.ok()) CheckName(r->mailbox, utf8);
  } else if (c.name == "SELECT" || c.name == "EXAMINE") {
    if (auto r = ParseSelectArgs(a, utf8); r.ok()) CheckName(r->mailbox, utf8);
  } else if (c.name == "APPEND") {
    if (auto r = ParseAppendArgs(a, utf8); r.ok()) {
      Check(!r->messages.empty(), "APPEND without a message");
    }
    (void)ParseAppendPrefix(a, utf8);
  } else if (c.name == "CREATE") {
    if (auto r = ParseCreateArgs(a, utf8); r.ok()) CheckName(r->mailbox, utf8);
  } else if (c.name == "RENAME") {
    (void)ParseRenameArgs(a, utf8);
  } else {
    if (auto r = ParseMailboxArg(a, utf8); r.ok()) CheckName(*r, utf8);
  }
}

}  // namespace

void ParseArgsFor(const Command& c, bool utf8) {
  const auto& a = c.args;
  if (c.name == "FETCH" || c.name == "UID FETCH") {
    if (auto r = ParseFetchArgs(a, c.name == "UID FETCH"); r.ok()) CheckFetch(*r);
  } else if (c.name == "STORE" || c.name == "UID STORE") {
    (void)ParseStoreArgs(a);
  } else if (c.name == "SEARCH" || c.name == "UID SEARCH") {
    if (auto r = ParseSearchArgs(a); r.ok()) (void)DebugString(r->key);
  } else if (c.name == "COPY" || c.name == "MOVE" || c.name == "UID COPY" ||
             c.name == "UID MOVE") {
    (void)ParseCopyArgs(a, utf8);
  } else if (c.name == "LOGIN") {
    (void)ParseLoginArgs(a);
  } else if (c.name == "AUTHENTICATE") {
    (void)ParseAuthenticateArgs(a);
  } else if (c.name == "ENABLE") {
    (void)ParseEnableArgs(a);
  } else if (c.name == "ID") {
    (void)ParseIdArgs(a);
  } else if (c.name == "UID EXPUNGE") {
    (void)ParseUidExpungeArgs(a);
  } else if (c.name == "LIST" || c.name == "LSUB" || c.name == "STATUS" ||
             c.name == "SELECT" || c.name == "EXAMINE" || c.name == "APPEND" ||
             c.name == "CREATE" || c.name == "RENAME" || c.name == "DELETE" ||
             c.name == "SUBSCRIBE" || c.name == "UNSUBSCRIBE") {
    ParseMailboxCommand(c, utf8);
  } else {
    (void)ParseNoArgs(a);
  }
}

}  // namespace mailroom::imap::fuzz
