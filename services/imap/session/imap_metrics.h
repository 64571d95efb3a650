// The IMAP front end's metrics (DESIGN.md invariant 10), registered once per process.
#ifndef MAILROOM_SERVICES_IMAP_SESSION_IMAP_METRICS_H_
#define MAILROOM_SERVICES_IMAP_SESSION_IMAP_METRICS_H_

#include "absl/strings/string_view.h"

#include "services/shared/metrics/registry.h"

namespace mailroom::imap {

class ImapMetrics {
 public:
  explicit ImapMetrics(metrics::Registry& registry);

  // A command answered: `result` is "ok", "no" or "bad".
  void Command(absl::string_view name, absl::string_view result);
  void AuthFailed();
  metrics::Gauge& idling() { return idling_; }

 private:
  metrics::Family<metrics::Counter>& commands_;
  metrics::Counter& auth_failures_;
  metrics::Gauge& idling_;
};

}  // namespace mailroom::imap

#endif  // MAILROOM_SERVICES_IMAP_SESSION_IMAP_METRICS_H_
