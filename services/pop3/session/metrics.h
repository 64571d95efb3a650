// The POP3 service's Prometheus metrics (DESIGN.md invariant 10), registered once per process
// and shared by every session. Connection counts come from the network core (mailroom_net_*).
#ifndef MAILROOM_SERVICES_POP3_SESSION_METRICS_H_
#define MAILROOM_SERVICES_POP3_SESSION_METRICS_H_

#include "services/shared/metrics/registry.h"

namespace mailroom::pop3 {

struct Pop3Metrics {
  explicit Pop3Metrics(metrics::Registry& registry);

  metrics::Family<metrics::Counter>& commands;  // label verb ("RETR", ..., "unknown")
  // label result: ok, bad_credentials, throttled, in_use, unavailable, error.
  metrics::Family<metrics::Counter>& logins;
  metrics::Counter& messages_retrieved;  // RETR and TOP answered
  metrics::Counter& bytes_sent;          // multi-line message data written
  metrics::Counter& messages_deleted;    // expunged in UPDATE
  metrics::Counter& updates_failed;      // QUIT whose expunge did not commit
  metrics::Gauge& sessions_in_transaction;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_METRICS_H_
