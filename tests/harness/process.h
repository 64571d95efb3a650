// Child processes for integration tests: start a binary with arguments and environment,
// capture its output in a log file, signal it, wait for it. Only processes started here are
// ever signalled, by their PID.
#ifndef MAILROOM_TESTS_HARNESS_PROCESS_H_
#define MAILROOM_TESTS_HARNESS_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace mailroom::testing {

class Process {
 public:
  // Starts `argv[0]` (a path) with the extra `env` entries ("NAME=value"); stdout and stderr go
  // to `log_path`. INTERNAL when fork/exec fails.
  static absl::StatusOr<Process> Start(const std::vector<std::string>& argv,
                                       const std::vector<std::string>& env,
                                       const std::string& log_path);
  Process(Process&& other) noexcept;
  Process& operator=(Process&& other) noexcept;
  ~Process();  // SIGKILL + wait, if still running

  pid_t pid() const { return pid_; }
  void Signal(int sig);
  // Waits up to `timeout`; returns the exit status (as from waitpid) or DEADLINE_EXCEEDED.
  absl::StatusOr<int> Wait(absl::Duration timeout);
  bool Running();

 private:
  explicit Process(pid_t pid) : pid_(pid) {}
  pid_t pid_ = -1;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();
// Waits until something accepts TCP connections on 127.0.0.1:port.
bool WaitForPort(int port, absl::Duration timeout);
// Runs a shell command; returns its exit code.
int Shell(const std::string& command);
// A new empty directory under $TMPDIR (or /tmp).
std::string TempDir(const std::string& prefix);

}  // namespace mailroom::testing

#endif  // MAILROOM_TESTS_HARNESS_PROCESS_H_
