// The SMTP front end's metrics (DESIGN.md invariant 10), registered once per process.
#ifndef MAILROOM_SERVICES_SMTP_SESSION_SMTP_METRICS_H_
#define MAILROOM_SERVICES_SMTP_SESSION_SMTP_METRICS_H_

#include <string_view>

#include "services/shared/metrics/registry.h"

namespace mailroom::smtp {

class SmtpMetrics {
 public:
  explicit SmtpMetrics(metrics::Registry& registry);

  // A finished transaction: result is "accepted" or a rejection reason ("too_big", "quota",
  // "store_unavailable", "bad_line_endings", "client_gone", ...).
  void Transaction(std::string_view result, uint64_t bytes, double seconds);
  void Rejected(std::string_view reason);
  // An error reply counted against the session's error limit, by reply code.
  void ErrorReply(int code);

 private:
  metrics::Family<metrics::Counter>& messages_;
  metrics::Family<metrics::Counter>& rejections_;
  metrics::Family<metrics::Counter>& errors_;
  metrics::Counter& bytes_;
  metrics::Histogram& latency_;
};

}  // namespace mailroom::smtp

#endif  // MAILROOM_SERVICES_SMTP_SESSION_SMTP_METRICS_H_
