// LeaseKeeper: holds a POP3 maildrop lease (the RFC 1939 §8 exclusive lock, kept in the store
// so that it spans every replica) for as long as a session lives, renewing it every third of
// its TTL from a timer on the session's executor. If the process dies the renewals stop and
// the lease expires by itself after its TTL.
#ifndef MAILROOM_SERVICES_POP3_SESSION_LEASE_KEEPER_H_
#define MAILROOM_SERVICES_POP3_SESSION_LEASE_KEEPER_H_

#include <asio/any_io_executor.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/time/time.h"
#include "services/pop3/session/store.h"

namespace mailroom::pop3 {

class LeaseKeeper {
 public:
  // Starts renewing `lease_id` on `executor` (the session's; use from it only). `store` must
  // outlive the keeper's timer, i.e. the executor's work.
  LeaseKeeper(asio::any_io_executor executor, Pop3Store& store, uint64_t user_id,
              std::string lease_id, absl::Duration ttl);
  ~LeaseKeeper();  // Stop()s.

  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Stops renewing (the lease itself stays until released or expired).
  void Stop();
  // True once a renewal failed: another session may hold the maildrop now.
  bool lost() const;
  const std::string& lease_id() const;

  struct State;  // shared with the renewal coroutine, which may outlive the keeper briefly

 private:
  std::shared_ptr<State> state_;
};

}  // namespace mailroom::pop3

#endif  // MAILROOM_SERVICES_POP3_SESSION_LEASE_KEEPER_H_
