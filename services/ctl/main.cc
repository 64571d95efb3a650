// mailroomctl: the operator's command-line tool for the Mailroom store (domains, users,
// aliases, quotas, health). Global option --store HOST:PORT or MAILROOM_STORE.
#include <cstdlib>
#include <cstring>
#include <string>

#include "services/ctl/commands.h"

int main(int argc, char** argv) {
  mailroom::ctl::Invocation inv;
  const char* env = std::getenv("MAILROOM_STORE");
  inv.store = env != nullptr && *env != '\0' ? env : "127.0.0.1:50051";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--store" && i + 1 < argc) {
      inv.store = argv[++i];
    } else if (a.rfind("--store=", 0) == 0) {
      inv.store = a.substr(8);
    } else if (a == "-h" || a == "--help" || a == "help") {
      mailroom::ctl::PrintUsage();
      return 0;
    } else {
      inv.args.push_back(std::move(a));
    }
  }
  if (inv.args.empty()) {
    mailroom::ctl::PrintUsage();
    return 2;
  }
  return mailroom::ctl::RunCommand(inv);
}
