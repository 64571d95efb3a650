#include "services/shared/auth/throttle.h"

#include <algorithm>

#include "absl/strings/ascii.h"

namespace mailroom::auth {
namespace {
std::string UserKey(std::string_view user) {
  return absl::AsciiStrToLower(absl::string_view(user.data(), user.size()));
}
}  // namespace

AuthThrottle::AuthThrottle(ThrottleConfig config) : config_(config) {}

int AuthThrottle::Failures(const std::unordered_map<std::string, Entry>& map,
                           std::string_view key, absl::Time now) const {
  auto it = map.find(std::string(key));
  if (it == map.end() || now - it->second.first > config_.window) return 0;
  return it->second.failures;
}

void AuthThrottle::Bump(std::unordered_map<std::string, Entry>& map, std::string_view key,
                        absl::Time now) {
  if (map.size() >= config_.max_entries) {
    // Forget expired entries; if none, the oldest one.
    for (auto it = map.begin(); it != map.end();) {
      it = now - it->second.first > config_.window ? map.erase(it) : std::next(it);
    }
    if (map.size() >= config_.max_entries) {
      auto oldest = std::min_element(map.begin(), map.end(), [](const auto& a, const auto& b) {
        return a.second.first < b.second.first;
      });
      map.erase(oldest);
    }
  }
  Entry& e = map[std::string(key)];
  if (now - e.first > config_.window) e = Entry{0, now};
  ++e.failures;
}

absl::Duration AuthThrottle::DelayFor(int failures) const {
  if (failures <= 0) return absl::ZeroDuration();
  absl::Duration d = config_.base_delay;
  for (int i = 1; i < failures && d < config_.max_delay; ++i) d *= 2;
  return std::min(d, config_.max_delay);
}

absl::Duration AuthThrottle::Delay(std::string_view ip, std::string_view user, absl::Time now) {
  absl::ReaderMutexLock lock(&mu_);
  return DelayFor(std::max(Failures(by_ip_, ip, now), Failures(by_user_, UserKey(user), now)));
}

bool AuthThrottle::Blocked(std::string_view ip, std::string_view user, absl::Time now) {
  absl::ReaderMutexLock lock(&mu_);
  return Failures(by_ip_, ip, now) >= config_.max_failures_per_ip ||
         (!user.empty() &&
          Failures(by_user_, UserKey(user), now) >= config_.max_failures_per_user);
}

void AuthThrottle::RecordFailure(std::string_view ip, std::string_view user, absl::Time now) {
  absl::MutexLock lock(&mu_);
  Bump(by_ip_, ip, now);
  if (!user.empty()) Bump(by_user_, UserKey(user), now);
}

void AuthThrottle::RecordSuccess(std::string_view user) {
  absl::MutexLock lock(&mu_);
  by_user_.erase(UserKey(user));
}

size_t AuthThrottle::tracked() const {
  absl::ReaderMutexLock lock(&mu_);
  return by_ip_.size() + by_user_.size();
}

}  // namespace mailroom::auth
