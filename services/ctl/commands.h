// mailroomctl's commands over the store's Admin API. Each returns the process exit code:
// 0 success, 1 the store refused (not found, exists, invalid), 2 usage error,
// 3 the store is unreachable.
#ifndef MAILROOM_SERVICES_CTL_COMMANDS_H_
#define MAILROOM_SERVICES_CTL_COMMANDS_H_

#include <string>
#include <vector>

namespace mailroom::ctl {

struct Invocation {
  std::string store;                  // host:port
  std::vector<std::string> args;      // after global options: e.g. {"user", "add", "a@b"}
};

int RunCommand(const Invocation& inv);
void PrintUsage();

}  // namespace mailroom::ctl

#endif  // MAILROOM_SERVICES_CTL_COMMANDS_H_
