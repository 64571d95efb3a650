#include "services/store/service/watch_hub.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "services/store/db/mail_db.h"

namespace mailroom::store {

uint64_t WatchHub::Subscribe(uint64_t user_id, uint64_t mailbox_id, Sink sink) {
  std::lock_guard<std::mutex> lock(mu_);
  const uint64_t handle = next_handle_++;
  by_handle_.emplace(handle, Watcher{user_id, mailbox_id, std::move(sink)});
  by_user_.emplace(user_id, handle);
  return handle;
}

void WatchHub::Unsubscribe(uint64_t handle) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = by_handle_.find(handle);
  if (it == by_handle_.end()) return;
  auto [first, last] = by_user_.equal_range(it->second.user_id);
  for (auto u = first; u != last; ++u) {
    if (u->second == handle) {
      by_user_.erase(u);
      break;
    }
  }
  by_handle_.erase(it);
}

void WatchHub::OnPayload(std::string_view payload) {
  if (payload == db::kResyncPayload) {
    OnReconnect();
    return;
  }
  std::string bytes;
  if (!absl::Base64Unescape(absl::string_view(payload.data(), payload.size()), &bytes)) return;
  v1::ChangeEvent event;
  if (!event.ParseFromString(bytes)) return;
  Publish(event);
}

void WatchHub::Publish(const v1::ChangeEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [first, last] = by_user_.equal_range(event.user_id());
  for (auto u = first; u != last; ++u) {
    const Watcher& w = by_handle_.at(u->second);
    if (w.mailbox_id != 0 && event.mailbox_id() != 0 && w.mailbox_id != event.mailbox_id()) {
      continue;
    }
    w.sink(event);
  }
}

void WatchHub::OnReconnect() {
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [handle, w] : by_handle_) {
    v1::ChangeEvent e;
    e.set_user_id(w.user_id);
    e.set_mailbox_id(w.mailbox_id);
    w.sink(e);
  }
}

size_t WatchHub::watchers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return by_handle_.size();
}

}  // namespace mailroom::store
