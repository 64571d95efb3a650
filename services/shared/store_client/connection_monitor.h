// ConnectionMonitor: tells when a front end loses its store and when it has it back, so that an
// operator reading a front end's log sees "store unreachable" the moment its sessions start
// failing (and for how long), not only the per-call errors.
//
// One thread per monitor, woken by the channel's connectivity changes (at least once a second,
// to notice a stop). The monitor keeps the channel connecting (a channel left IDLE would not
// notice that the store came back until the next call).
#ifndef MAILROOM_SERVICES_SHARED_STORE_CLIENT_CONNECTION_MONITOR_H_
#define MAILROOM_SERVICES_SHARED_STORE_CLIENT_CONNECTION_MONITOR_H_

#include <atomic>
#include <functional>
#include <thread>

#include "absl/time/time.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client {

class ConnectionMonitor {
 public:
  struct Event {
    bool reachable = false;  // false: lost for report_after; true: back after a reported loss
    absl::Duration down_for;  // with reachable: how long the store was unreachable
  };
  using Listener = std::function<void(const Event&)>;

  // A loss shorter than `report_after` (a replica closing an aged connection, which the channel
  // replaces at once) is not reported. `listener` runs on the monitor's thread; the default
  // (when null) writes the events to the log.
  explicit ConnectionMonitor(StoreClient client, absl::Duration report_after = absl::Seconds(2),
                             Listener listener = nullptr);
  ConnectionMonitor(const ConnectionMonitor&) = delete;
  ConnectionMonitor& operator=(const ConnectionMonitor&) = delete;
  ~ConnectionMonitor();  // stops the thread (within about a second)

 private:
  void Run();
  void Report(const Event& event) const;

  StoreClient client_;
  absl::Duration report_after_;
  Listener listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace mailroom::store_client

#endif  // MAILROOM_SERVICES_SHARED_STORE_CLIENT_CONNECTION_MONITOR_H_
