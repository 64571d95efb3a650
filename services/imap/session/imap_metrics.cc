#include "services/imap/session/imap_metrics.h"

namespace mailroom::imap {

ImapMetrics::ImapMetrics(metrics::Registry& registry)
    : commands_(registry.AddCounter("mailroom_imap_commands_total",
                                    "IMAP commands answered, by command and result",
                                    {"command", "result"})),
      auth_failures_(registry.AddCounter("mailroom_imap_auth_failures_total",
                                         "failed IMAP logins").Get()),
      idling_(registry.AddGauge("mailroom_imap_idling", "sessions in IDLE").Get()) {}

void ImapMetrics::Command(absl::string_view name, absl::string_view result) {
  commands_
      .WithLabels({name,
                   result})
      .Increment();
}

void ImapMetrics::AuthFailed() { auth_failures_.Increment(); }

}  // namespace mailroom::imap
