// What a POP3 session needs to know about its server's policy: plain data, filled once from
// the service's Config (services/pop3/config.h), defaults here and nowhere else.
#ifndef MAILROOM_SERVICES_POP3_SESSION_OPTIONS_H_
#define MAILROOM_SERVICES_POP3_SESSION_OPTIONS_H_

#include <cstdint>
#include <map>
#include <string>

#include "absl/time/time.h"
#include "services/pop3/protocol/command.h"

namespace mailroom::pop3 {

struct SessionOptions {
  std::string hostname = "localhost";       // greeting and the APOP timestamp
  std::string implementation = "Mailroom";  // CAPA IMPLEMENTATION (RFC 2449 §6.9)
  // Loopback connections count as secured for USER/PASS and AUTH (DESIGN.md invariant 8).
  bool plaintext_auth_on_loopback = true;
  // CAPA LOGIN-DELAY and EXPIRE (RFC 2449 §6.5, §6.7): advertised policy. A negative
  // expire_days is "EXPIRE NEVER".
  int login_delay_seconds = 0;
  int expire_days = -1;
  // The maildrop lease (RFC 1939 §8 exclusive lock, shared by every replica through the
  // store): its TTL, renewed every third of it while the session lives.
  absl::Duration lease_ttl = absl::Seconds(60);
  // Failed logins after which the connection is closed.
  int max_auth_failures = 3;
  // RETR/TOP of messages up to this size fetch the bodies of the next few messages too (up to
  // prefetch_bytes in all), saving a store round trip per message for sequential readers.
  uint64_t prefetch_message_bytes = 256 * 1024;
  uint64_t prefetch_bytes = 1024 * 1024;
  int prefetch_messages = 256;
  // Output buffered before it is written during RETR.
  size_t write_chunk_bytes = 256 * 1024;
  // APOP (RFC 1939 §7) needs each user's secret in plaintext-equivalent form: off by default.
  // apop_secrets maps login address → shared secret.
  bool enable_apop = false;
  std::map<std::string, std::string> apop_secrets;
  Limits parser_limits;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_OPTIONS_H_
