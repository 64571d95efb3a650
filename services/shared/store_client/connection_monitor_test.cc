// ConnectionMonitor against an in-process fake store that goes away and comes back on the same
// port.
#include "services/shared/store_client/connection_monitor.h"

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "services/shared/store_client/fake_mail_store_for_test.h"

namespace mailroom::store_client {
namespace {

class Recorder {
 public:
  void Add(const ConnectionMonitor::Event& event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(event);
  }
  // Waits up to `limit` for the count-th event.
  std::vector<ConnectionMonitor::Event> WaitFor(size_t count, absl::Duration limit) {
    absl::MutexLock lock(&mu_);
    auto enough = [&] { return events_.size() >= count; };
    mu_.AwaitWithTimeout(absl::Condition(&enough), limit);
    return events_;
  }

 private:
  absl::Mutex mu_;
  std::vector<ConnectionMonitor::Event> events_;
};

std::unique_ptr<grpc::Server> StartFake(testing::FakeMailStore& fake, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", *port), grpc::InsecureServerCredentials(),
                           port);
  builder.RegisterService(&fake);
  return builder.BuildAndStart();
}

TEST(ConnectionMonitorTest, ReportsALossOnceAndTheReturnWithItsLength) {
  testing::FakeMailStore fake;
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartFake(fake, &port);
  ASSERT_NE(server, nullptr);
  Options options;
  options.target = absl::StrCat("dns:///127.0.0.1:", port);
  options.max_reconnect_backoff = absl::Milliseconds(300);
  options.connect_timeout = absl::Milliseconds(200);
  absl::StatusOr<StoreClient> client = StoreClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status();

  Recorder recorder;
  ConnectionMonitor monitor(*client, absl::Milliseconds(300),
                            [&](const ConnectionMonitor::Event& e) { recorder.Add(e); });
  // Connected, nothing to report.
  for (int i = 0; i < 100 && !client->Connected(false); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(client->Connected(false));
  EXPECT_TRUE(recorder.WaitFor(1, absl::Milliseconds(500)).empty());

  server->Shutdown(std::chrono::system_clock::now());
  server.reset();
  std::vector<ConnectionMonitor::Event> events = recorder.WaitFor(1, absl::Seconds(10));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_FALSE(events[0].reachable);
  // Still down: reported once, not again.
  EXPECT_EQ(recorder.WaitFor(2, absl::Seconds(1)).size(), 1u);

  const absl::Time restarted = absl::Now();
  server = StartFake(fake, &port);
  ASSERT_NE(server, nullptr);
  events = recorder.WaitFor(2, absl::Seconds(10));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[1].reachable);
  // Down from before the restart (at least report_after + the second above) until after it.
  EXPECT_GE(events[1].down_for, absl::Milliseconds(1300));
  EXPECT_LE(events[1].down_for, absl::Now() - restarted + absl::Seconds(15));
  server->Shutdown(std::chrono::system_clock::now());
}

}  // namespace
}  // namespace mailroom::store_client
