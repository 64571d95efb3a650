// mailroom-stored: the mailbox store. Wires configuration, PostgreSQL, the change listener and
// the gRPC services; drains on SIGTERM (DESIGN.md invariant 10).
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "services/shared/config/env_flags.h"
#include "services/shared/log/log.h"
#include "services/store/config.h"
#include "services/store/db/change_listener.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/migrate.h"
#include "services/store/db/pool.h"
#include "services/store/service/admin_service.h"
#include "services/store/service/mail_store_service.h"
#include "services/store/service/slow_call_log.h"
#include "services/store/service/watch_hub.h"

namespace mailroom::store {
namespace {

// Waits for the first of SIGTERM / SIGINT (blocked in every thread) and returns its number.
int WaitForSignal() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  int sig = 0;
  sigwait(&set, &sig);
  return sig;
}

int Run(const Config& config) {
  if (config.migrate) {
    absl::StatusOr<int> version = db::Migrate(config.pool.dsn);
    for (int attempt = 0; !version.ok() && attempt < 30; ++attempt) {
      log::Warning("database not ready", {{"error", std::string(version.status().message())}});
      std::this_thread::sleep_for(std::chrono::seconds(1));
      version = db::Migrate(config.pool.dsn);
    }
    if (!version.ok()) {
      log::Error("migration failed", {{"error", std::string(version.status().message())}});
      return 1;
    }
    log::Info("schema ready", {{"version", *version}});
  }
  db::ConnectionPool pool(config.pool);
  db::MailDb mail_db(&pool);
  WatchHub hub;
  db::ChangeListener listener(
      config.listen_dsn, [&hub](std::string_view p) { hub.OnPayload(p); },
      [&hub] { hub.OnReconnect(); });
  listener.Start();
  if (absl::Status s = mail_db.AnnounceStart(); !s.ok()) {
    log::Warning("could not announce the start to watchers",
                 {{"error", std::string(s.message())}});
  }

  // Contents staged for deliveries that never committed are collected in the background.
  std::mutex gc_mu;
  std::condition_variable gc_cv;
  bool stopping = false;
  std::thread gc([&] {
    std::unique_lock<std::mutex> lock(gc_mu);
    while (!gc_cv.wait_for(lock, std::chrono::minutes(10), [&] { return stopping; })) {
      absl::StatusOr<int64_t> removed = mail_db.CollectGarbage(absl::Hours(1));
      if (removed.ok() && *removed > 0) log::Info("collected unused contents", {{"removed", *removed}});
    }
  });

  MailStoreService mail_service(&mail_db, &hub, config.limits);
  AdminService admin_service(&mail_db, config.password_cost);
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&mail_service);
  builder.RegisterService(&admin_service);
  builder.SetMaxReceiveMessageSize(8 << 20);
  // gRPC's synchronous server keeps 2 idle threads by default and ends every other one after
  // its call: under a few concurrent calls it created a thread for every second call. Keep as
  // many as there are database connections (no more calls than that can work at once).
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              config.pool.size);
  // Front ends keep idle Watch streams open with keepalive pings every 30 s: allow them.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 0);
  // Connections are recycled now and then so that clients re-resolve dns:/// and spread over
  // new store replicas; calls in flight get a grace period.
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, 30 * 60 * 1000);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, 5 * 60 * 1000);
  // Unary calls slower than a second are logged: front ends give up after 5 s.
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(MakeSlowCallLogger(absl::Seconds(1)));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    log::Error("cannot listen", {{"listen", config.listen}});
    return 1;
  }
  log::Info("store serving", {{"listen", config.listen}, {"port", port}});

  const int sig = WaitForSignal();
  log::Info("draining", {{"signal", sig}, {"grace_seconds", config.drain_seconds}});
  // gRPC's Shutdown waits for every stream to finish. Watch streams end when cancelled (a
  // watcher that stopped reading once held it forever: store_watch_reactor_test); should any
  // stream still hold it past the grace period (plus a margin), the process exits anyway:
  // everything acknowledged is already committed in PostgreSQL.
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(gc_mu);
    if (!gc_cv.wait_for(lock, std::chrono::seconds(config.drain_seconds + 3),
                        [&] { return stopping; })) {
      log::Warning("drain did not finish in time; exiting");
      std::_Exit(0);
    }
  });
  server->GetHealthCheckService()->Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(config.drain_seconds));
  listener.Stop();
  {
    std::lock_guard<std::mutex> lock(gc_mu);
    stopping = true;
  }
  gc_cv.notify_all();
  gc.join();
  watchdog.join();
  log::Info("stopped");
  return 0;
}

}  // namespace
}  // namespace mailroom::store

int main(int argc, char** argv) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);  // before any thread starts
  // Debian's Abseil keeps absl::Mutex deadlock detection on (a debug aid that maintains a
  // lock graph on every mutex gRPC takes): off in production.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  mailroom::config::ParseFlagsWithEnv(argc, argv,
                                      "mailroom-stored: the Mailroom mailbox store (gRPC)");
  const mailroom::store::Config config = mailroom::store::ConfigFromFlags();
  mailroom::log::Init("store", mailroom::log::ParseLevel(config.log_level));
  return mailroom::store::Run(config);
}
