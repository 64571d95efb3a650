// Authentication failure throttling per client address and per login name, shared by the
// three front ends (DESIGN.md invariant 7). Each failure makes the next answer to that address
// or user wait longer (doubling up to a cap); past a hard limit within the window, attempts
// are refused outright until the window passes. Memory is bounded: at most `max_entries`
// addresses and users are tracked (the oldest are forgotten first).
#ifndef MAILROOM_SERVICES_SHARED_AUTH_THROTTLE_H_
#define MAILROOM_SERVICES_SHARED_AUTH_THROTTLE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace mailroom::auth {

struct ThrottleConfig {
  absl::Duration base_delay = absl::Milliseconds(500);  // after the first failure
  absl::Duration max_delay = absl::Seconds(15);
  int max_failures_per_ip = 30;      // within `window`; then refused
  int max_failures_per_user = 10;
  absl::Duration window = absl::Minutes(10);
  size_t max_entries = 100000;
};

class AuthThrottle {
 public:
  explicit AuthThrottle(ThrottleConfig config = {});

  // How long to wait before answering an attempt from `ip` for `user` (the longer of the two).
  absl::Duration Delay(std::string_view ip, std::string_view user, absl::Time now);
  // True when `ip` or `user` has used up its failures in the window: refuse without checking.
  bool Blocked(std::string_view ip, std::string_view user, absl::Time now);
  void RecordFailure(std::string_view ip, std::string_view user, absl::Time now);
  // A success clears the user's count (not the address's: one account must not launder it).
  void RecordSuccess(std::string_view user);

  size_t tracked() const;

 private:
  struct Entry {
    int failures = 0;
    absl::Time first = absl::InfinitePast();
  };
  int Failures(const std::unordered_map<std::string, Entry>& map, std::string_view key,
               absl::Time now) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Bump(std::unordered_map<std::string, Entry>& map, std::string_view key, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Duration DelayFor(int failures) const;

  const ThrottleConfig config_;
  mutable absl::Mutex mu_;
  std::unordered_map<std::string, Entry> by_ip_ ABSL_GUARDED_BY(mu_);
  std::unordered_map<std::string, Entry> by_user_ ABSL_GUARDED_BY(mu_);
};

}  // namespace mailroom::auth

#endif  // MAILROOM_SERVICES_SHARED_AUTH_THROTTLE_H_
