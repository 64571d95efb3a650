// The Watch reactor against a real in-process gRPC server (Watch needs no database): a watcher
// that stops reading must not keep the server's Shutdown waiting forever.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/store/service/mail_store_service.h"
#include "services/store/service/watch_hub.h"

namespace mailroom::store {
namespace {

namespace v1 = ::mailroom::store::v1;

constexpr uint64_t kUser = 7;

class WatchReactorTest : public ::testing::Test {
 protected:
  void Start(size_t max_backlog) {
    ServiceLimits limits;
    limits.max_watch_backlog = max_backlog;
    service_ = std::make_unique<MailStoreService>(nullptr, &hub_, limits);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    stub_ = v1::MailStore::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }

  // Publishes events far beyond the stream's flow-control window (the client reads none), so
  // the reactor's write stays in flight.
  void Flood(int events) {
    v1::ChangeEvent event;
    event.set_kind(v1::ChangeEvent::KIND_FLAGS_CHANGED);
    event.set_user_id(kUser);
    event.set_mailbox_id(1);
    for (uint32_t uid = 1; uid <= 100; ++uid) event.add_uids(uid);
    event.set_mailbox_name(std::string(200, 'x'));
    for (int i = 0; i < events; ++i) {
      event.set_modseq(i + 1);
      hub_.Publish(event);
    }
  }

  // Opens a Watch of kUser's changes and reads its first event, which must be READY.
  std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> WatchUntilReady(
      grpc::ClientContext* context) {
    v1::WatchRequest request;
    request.set_user_id(kUser);
    std::unique_ptr<grpc::ClientReader<v1::ChangeEvent>> reader = stub_->Watch(context, request);
    v1::ChangeEvent event;
    EXPECT_TRUE(reader->Read(&event));
    EXPECT_EQ(event.kind(), v1::ChangeEvent::KIND_READY);
    EXPECT_EQ(event.user_id(), kUser);
    return reader;
  }

  // Shutdown(deadline) cancels the calls still running after the deadline, then waits for
  // them to end: true when it returned within `limit`.
  bool ShutsDownWithin(std::chrono::seconds limit) {
    auto done = std::make_shared<std::promise<void>>();
    std::future<void> finished = done->get_future();
    grpc::Server* server = server_.get();
    std::thread([server, done] {
      server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
      done->set_value();
    }).detach();
    return finished.wait_for(limit) == std::future_status::ready;
  }

  // Lets the flood reach the stream, then shuts the server down (see ShutsDownWithin).
  void ExpectShutdownEndsTheStream() {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    if (!ShutsDownWithin(std::chrono::seconds(20))) {
      ADD_FAILURE() << "Shutdown still waiting for the Watch stream after 20 s";
      std::_Exit(1);  // the server cannot be destroyed while Shutdown runs
    }
  }

  WatchHub hub_;
  std::unique_ptr<MailStoreService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
};

TEST_F(WatchReactorTest, FirstEventIsReady) {
  Start(100);
  grpc::ClientContext context;
  auto reader = WatchUntilReady(&context);
  context.TryCancel();
  v1::ChangeEvent event;
  while (reader->Read(&event)) {
  }
  ASSERT_TRUE(ShutsDownWithin(std::chrono::seconds(20)));
}

// Shutdown cancels a watcher whose write is blocked by flow control: the reactor must still
// finish (it once remembered the finish for after the write and then dropped it when the
// write failed, so gRPC waited forever).
TEST_F(WatchReactorTest, ShutdownEndsAWatcherThatStoppedReading) {
  Start(1'000'000);
  grpc::ClientContext context;
  auto reader = WatchUntilReady(&context);
  Flood(20'000);
  ExpectShutdownEndsTheStream();
  context.TryCancel();
}

// The same when the watcher was already dropped for its backlog while a write was blocked.
TEST_F(WatchReactorTest, ShutdownEndsAWatcherDroppedForItsBacklog) {
  Start(500);
  grpc::ClientContext context;
  auto reader = WatchUntilReady(&context);
  Flood(5'000);
  ExpectShutdownEndsTheStream();
  context.TryCancel();
}

}  // namespace
}  // namespace mailroom::store
