#include "services/store/db/change_listener.h"

#include <chrono>
#include <pqxx/connection>
#include <pqxx/notification>

#include "services/shared/log/log.h"
#include "services/store/db/errors.h"
#include "services/store/db/mail_db.h"

namespace mailroom::store::db {
namespace {

class Receiver : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection_base& conn, std::function<void(std::string_view)>* sink)
      : pqxx::notification_receiver(conn, kChangeChannel), sink_(sink) {}
  void operator()(const std::string& payload, int /*backend_pid*/) override { (*sink_)(payload); }

 private:
  std::function<void(std::string_view)>* sink_;
};

}  // namespace

ChangeListener::ChangeListener(std::string dsn, std::function<void(std::string_view)> on_payload,
                               std::function<void()> on_reconnect)
    : dsn_(std::move(dsn)),
      on_payload_(std::move(on_payload)),
      on_reconnect_(std::move(on_reconnect)) {}

ChangeListener::~ChangeListener() { Stop(); }

void ChangeListener::Start() { thread_ = std::thread([this] { Run(); }); }

void ChangeListener::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ChangeListener::Run() {
  bool had_connection = false;
  while (!stop_.load()) {
    try {
      pqxx::connection conn(dsn_);
      Receiver receiver(conn, &on_payload_);
      conn.get_notifs();  // issues the LISTEN
      listening_.store(true);
      if (had_connection) {
        log::Warning("change listener reconnected; watchers resynchronise");
        on_reconnect_();
      }
      had_connection = true;
      while (!stop_.load()) {
        // Wakes at least every 200 ms to notice Stop(); returns early on notifications.
        conn.await_notification(0, 200000);
      }
    } catch (...) {
      listening_.store(false);
      absl::Status s = TranslateCurrentException();
      log::Warning("change listener lost its connection", {{"error", std::string(s.message())}});
      for (int i = 0; i < 10 && !stop_.load(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }
  }
  listening_.store(false);
}

}  // namespace mailroom::store::db
