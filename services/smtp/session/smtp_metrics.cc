#include "services/smtp/session/smtp_metrics.h"

#include <string>

namespace mailroom::smtp {

SmtpMetrics::SmtpMetrics(metrics::Registry& registry)
    : messages_(registry.AddCounter("mailroom_smtp_messages_total",
                                    "SMTP transactions by result", {"result"})),
      rejections_(registry.AddCounter("mailroom_smtp_rejections_total",
                                      "SMTP commands refused, by reason", {"reason"})),
      errors_(registry.AddCounter("mailroom_smtp_error_replies_total",
                                  "error replies counted against the session limit, by code",
                                  {"code"})),
      bytes_(registry.AddCounter("mailroom_smtp_accepted_bytes_total",
                                 "octets of accepted messages").Get()),
      latency_(registry.AddHistogram("mailroom_smtp_delivery_seconds",
                                     "from DATA/first BDAT to the final reply", {},
                                     {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10})
                   .Get()) {}

void SmtpMetrics::Transaction(std::string_view result, uint64_t bytes, double seconds) {
  messages_.WithLabels({absl::string_view(result.data(), result.size())}).Increment();
  if (result == "accepted") {
    bytes_.Increment(static_cast<double>(bytes));
    latency_.Observe(seconds);
  }
}

void SmtpMetrics::ErrorReply(int code) {
  const std::string label = std::to_string(code);
  errors_.WithLabels({absl::string_view(label)}).Increment();
}

void SmtpMetrics::Rejected(std::string_view reason) {
  rejections_.WithLabels({absl::string_view(reason.data(), reason.size())}).Increment();
}

}  // namespace mailroom::smtp
