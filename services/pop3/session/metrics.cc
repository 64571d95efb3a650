#include "services/pop3/session/metrics.h"

namespace mailroom::pop3 {

Pop3Metrics::Pop3Metrics(metrics::Registry& r)
    : commands(r.AddCounter("mailroom_pop3_commands_total", "POP3 commands received", {"verb"})),
      logins(r.AddCounter("mailroom_pop3_logins_total", "POP3 login attempts", {"result"})),
      messages_retrieved(r.AddCounter("mailroom_pop3_messages_retrieved_total",
                                      "messages sent by RETR or TOP")
                             .Get()),
      bytes_sent(r.AddCounter("mailroom_pop3_message_bytes_sent_total",
                              "octets of message data sent by RETR and TOP")
                     .Get()),
      messages_deleted(r.AddCounter("mailroom_pop3_messages_deleted_total",
                                    "messages expunged in the UPDATE state")
                           .Get()),
      updates_failed(r.AddCounter("mailroom_pop3_updates_failed_total",
                                  "QUIT whose deletions could not be committed")
                         .Get()),
      sessions_in_transaction(r.AddGauge("mailroom_pop3_sessions_in_transaction",
                                         "sessions holding a maildrop")
                                  .Get()) {}

}  // namespace mailroom::pop3
