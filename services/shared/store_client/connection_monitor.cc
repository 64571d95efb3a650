// ConnectionMonitor: logs the loss and the return of the store connection.
#include "services/shared/store_client/connection_monitor.h"

#include <optional>
#include <string>
#include <utility>

#include "services/shared/log/log.h"

namespace mailroom::store_client {

ConnectionMonitor::ConnectionMonitor(StoreClient client, absl::Duration report_after,
                                     Listener listener)
    : client_(std::move(client)), report_after_(report_after), listener_(std::move(listener)) {
  thread_ = std::thread([this] { Run(); });
}

ConnectionMonitor::~ConnectionMonitor() {
  stop_.store(true, std::memory_order_relaxed);
  thread_.join();
}

void ConnectionMonitor::Report(const Event& event) const {
  if (listener_) {
    listener_(event);
  } else if (event.reachable) {
    log::Info("store reachable again",
              {{"store", client_.options().target},
               {"unreachable_seconds", absl::ToDoubleSeconds(event.down_for)}});
  } else {
    log::Warning("store unreachable", {{"store", client_.options().target},
                                       {"seconds", absl::ToDoubleSeconds(report_after_)}});
  }
}

void ConnectionMonitor::Run() {
  std::optional<absl::Time> down_since;
  bool reported = false;
  while (!stop_.load(std::memory_order_relaxed)) {
    const absl::Time now = absl::Now();
    if (client_.Connected(/*try_to_connect=*/true)) {
      if (reported) Report({.reachable = true, .down_for = now - *down_since});
      down_since.reset();
      reported = false;
    } else if (!down_since.has_value()) {
      down_since = now;
    } else if (!reported && now - *down_since >= report_after_) {
      Report({.reachable = false, .down_for = now - *down_since});
      reported = true;
    }
    client_.AwaitConnectivityChange(absl::Seconds(1));
  }
}

}  // namespace mailroom::store_client
