// ChangeListener: one dedicated PostgreSQL connection that LISTENs on the change channel and
// hands every payload to a callback (DESIGN.md invariant 4). It reconnects by itself; the
// LISTEN connection is direct, never through a transaction-mode pooler.
#ifndef MAILROOM_SERVICES_STORE_DB_CHANGE_LISTENER_H_
#define MAILROOM_SERVICES_STORE_DB_CHANGE_LISTENER_H_

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

namespace mailroom::store::db {

class ChangeListener {
 public:
  // `on_payload` runs on the listener's thread for each notification, in commit order.
  // `on_reconnect` runs after the connection was lost and re-established (notifications may
  // have been missed in between).
  ChangeListener(std::string dsn, std::function<void(std::string_view)> on_payload,
                 std::function<void()> on_reconnect);
  ~ChangeListener();

  void Start();
  void Stop();
  // True once LISTEN is in place on a live connection.
  bool listening() const { return listening_.load(); }

 private:
  void Run();

  const std::string dsn_;
  std::function<void(std::string_view)> on_payload_;
  std::function<void()> on_reconnect_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> listening_{false};
  std::thread thread_;
};

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_CHANGE_LISTENER_H_
