// WatchHub: fans committed changes (from the ChangeListener) out to the Watch streams of this
// store replica, by user and optionally mailbox (DESIGN.md invariant 4).
#ifndef MAILROOM_SERVICES_STORE_SERVICE_WATCH_HUB_H_
#define MAILROOM_SERVICES_STORE_SERVICE_WATCH_HUB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string_view>

#include "mailroom/store/v1/store.pb.h"

namespace mailroom::store {

class WatchHub {
 public:
  using Sink = std::function<void(const v1::ChangeEvent&)>;

  // Registers `sink` for changes of `user_id` (mailbox_id 0 = all of the user's mailboxes).
  // Returns a handle for Unsubscribe. The sink runs on the listener thread: it must not block.
  uint64_t Subscribe(uint64_t user_id, uint64_t mailbox_id, Sink sink);
  void Unsubscribe(uint64_t handle);

  // Decodes a NOTIFY payload (base64 of a ChangeEvent) and delivers it; ignores garbage. The
  // payload db::kResyncPayload does what OnReconnect() does.
  void OnPayload(std::string_view payload);
  void Publish(const v1::ChangeEvent& event);
  // After the listener reconnected: tells every watcher to resynchronise (an event of kind
  // UNSPECIFIED with only user_id and mailbox_id set).
  void OnReconnect();

  size_t watchers() const;

 private:
  struct Watcher {
    uint64_t user_id;
    uint64_t mailbox_id;
    Sink sink;
  };
  mutable std::mutex mu_;
  uint64_t next_handle_ = 1;
  std::map<uint64_t, Watcher> by_handle_;
  std::multimap<uint64_t, uint64_t> by_user_;  // user_id -> handle
};

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_SERVICE_WATCH_HUB_H_
