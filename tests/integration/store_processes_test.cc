// Real mailroom-stored processes over real PostgreSQL (label integration):
//  - a change committed through one store process reaches a Watch on another (invariant 4);
//  - PostgreSQL crashing in the middle of deliveries loses no acknowledged message and leaves
//    no partial one, and the store recovers by itself (invariant 1, issue "faults").
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <pqxx/pqxx>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/store/testing/test_database.h"
#include "tests/harness/pg_cluster.h"
#include "tests/harness/process.h"

namespace mailroom {
namespace {

namespace v1 = ::mailroom::store::v1;
using ::mailroom::testing::PgCluster;
using ::mailroom::testing::Process;

struct Store {
  Process process;
  int port;
  std::shared_ptr<grpc::Channel> channel;
};

Store StartStore(const std::string& dsn, const std::string& name) {
  const int port = testing::FreePort();
  const std::string log = absl::StrCat(::testing::TempDir(), "/", name, ".log");
  absl::StatusOr<Process> p = Process::Start(
      {absl::StrCat(MAILROOM_BIN_DIR, "/mailroom-stored"), absl::StrCat("--listen=127.0.0.1:", port),
       absl::StrCat("--database_url=", dsn), "--pool_size=8", "--drain_seconds=2"},
      {}, log);
  EXPECT_TRUE(p.ok()) << p.status();
  EXPECT_TRUE(testing::WaitForPort(port, absl::Seconds(30))) << "store did not start, see " << log;
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                     grpc::InsecureChannelCredentials());
  return Store{*std::move(p), port, channel};
}

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 10) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return c;
}

uint64_t AddUser(grpc::Channel* ch, const std::string& address) {
  auto admin = v1::Admin::NewStub(std::shared_ptr<grpc::Channel>(ch, [](grpc::Channel*) {}));
  v1::AddDomainRequest d;
  d.set_name(address.substr(address.find('@') + 1));
  v1::AddDomainResponse dr;
  admin->AddDomain(Ctx().get(), d, &dr);  // may already exist
  v1::AddUserRequest u;
  u.set_address(address);
  u.set_password("secret");
  v1::AddUserResponse ur;
  grpc::Status s = admin->AddUser(Ctx().get(), u, &ur);
  EXPECT_TRUE(s.ok()) << s.error_message();
  return ur.user().user_id();
}

grpc::Status Deliver(v1::MailStore::Stub* stub, uint64_t user, const std::string& raw,
                     const std::string& txid, v1::DeliverMessageResponse* out,
                     size_t chunk = 64 << 10) {
  auto ctx = Ctx(30);
  auto writer = stub->DeliverMessage(ctx.get(), out);
  v1::DeliverMessageRequest header;
  header.mutable_header()->add_recipients()->set_user_id(user);
  header.mutable_header()->set_size(raw.size());
  header.mutable_header()->set_transaction_id(txid);
  writer->Write(header);
  for (size_t off = 0; off < raw.size(); off += chunk) {
    v1::DeliverMessageRequest part;
    part.set_chunk(raw.substr(off, chunk));
    if (!writer->Write(part)) break;
  }
  v1::DeliverMessageRequest end;
  end.set_end(true);
  writer->Write(end);
  writer->WritesDone();
  return writer->Finish();
}

std::string Message(int n, size_t body_bytes) {
  std::string body;
  while (body.size() < body_bytes) absl::StrAppend(&body, "line ", n, " ", body.size(), "\r\n");
  return absl::StrCat("From: load@example.test\r\nSubject: message ", n, "\r\n\r\n", body);
}

TEST(StoreProcesses, WatchSeesChangesCommittedThroughAnotherStore) {
  absl::StatusOr<store::testing::TestDatabase> db = store::testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  Store a = StartStore(db->dsn(), "watch-a");
  Store b = StartStore(db->dsn(), "watch-b");
  const uint64_t user = AddUser(a.channel.get(), "watcher@example.test");
  auto stub_a = v1::MailStore::NewStub(a.channel);
  auto stub_b = v1::MailStore::NewStub(b.channel);

  grpc::ClientContext watch_ctx;
  // Bounds every Read below: past this the stream ends and the test fails instead of hanging.
  watch_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::WatchRequest wr;
  wr.set_user_id(user);
  auto reader = stub_b->Watch(&watch_ctx, wr);
  v1::ChangeEvent event;
  ASSERT_TRUE(reader->Read(&event));
  ASSERT_EQ(event.kind(), v1::ChangeEvent::KIND_READY);

  constexpr int kRounds = 20;
  std::vector<double> latency_ms;
  for (int i = 0; i < kRounds; ++i) {
    v1::DeliverMessageResponse resp;
    const absl::Time sent = absl::Now();
    ASSERT_TRUE(Deliver(stub_a.get(), user, Message(i, 200), "", &resp).ok());
    ASSERT_TRUE(reader->Read(&event));
    const absl::Time seen = absl::Now();
    EXPECT_EQ(event.kind(), v1::ChangeEvent::KIND_MESSAGE_ADDED);
    EXPECT_THAT(event.uids(), ::testing::ElementsAre(resp.results(0).uid()));
    latency_ms.push_back(absl::ToDoubleMilliseconds(seen - sent));
  }
  watch_ctx.TryCancel();
  std::sort(latency_ms.begin(), latency_ms.end());
  const double median = latency_ms[kRounds / 2];
  std::cout << "deliver-through-A to watch-on-B latency ms: median " << median << ", max "
            << latency_ms.back() << "\n";
  // Invariant 4: within 100 ms on this machine (the median of 20, so one slow round on a
  // loaded CI machine does not decide).
  EXPECT_LT(median, 100.0);
}

TEST(StoreProcesses, PostgresCrashLosesNothingAcknowledgedAndLeavesNoPartialMessage) {
  absl::StatusOr<PgCluster> pg = PgCluster::Start();
  ASSERT_TRUE(pg.ok()) << pg.status();
  Store store = StartStore(pg->dsn(), "crash-store");
  const uint64_t user = AddUser(store.channel.get(), "crash@example.test");
  auto stub = v1::MailStore::NewStub(store.channel);

  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::mutex mu;
  std::vector<std::string> acknowledged;  // transaction ids answered OK
  int failures = 0;
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      while (!stop.load()) {
        const int n = next++;
        // Every fourth message is large, so the crash often lands mid-stream.
        const std::string raw = Message(n, n % 4 == 0 ? (2 << 20) : 4000);
        const std::string txid = absl::StrCat("crash-", n);
        v1::DeliverMessageResponse resp;
        grpc::Status s = Deliver(stub.get(), user, raw, txid, &resp, 16 << 10);
        std::lock_guard<std::mutex> lock(mu);
        if (s.ok()) acknowledged.push_back(txid);
        else ++failures;
        (void)w;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  ASSERT_TRUE(pg->Kill());
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  ASSERT_TRUE(pg->Restart());
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  stop = true;
  for (std::thread& t : writers) t.join();
  EXPECT_GT(failures, 0) << "the crash should have failed some deliveries";

  // The store reconnected by itself: a new delivery succeeds.
  v1::DeliverMessageResponse after;
  grpc::Status s = Deliver(stub.get(), user, Message(999999, 100), "after-restart", &after);
  EXPECT_TRUE(s.ok()) << s.error_message();

  pqxx::connection conn(pg->dsn());
  pqxx::nontransaction q(conn);
  // Every acknowledged delivery is there (its idempotency record and its message).
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_FALSE(acknowledged.empty());
  for (const std::string& txid : acknowledged) {
    pqxx::result r = q.exec_params(
        "SELECT count(*) FROM delivery_log d JOIN messages m ON m.sha256 = d.sha256 "
        "WHERE d.transaction_id = $1",
        txid);
    EXPECT_EQ(r[0][0].as<int>(), 1) << txid << " was acknowledged but is not stored";
  }
  // No partial message: every content is whole (its hash matches its bytes and its size),
  // and reference counts agree with the messages that use them.
  EXPECT_EQ(q.exec("SELECT count(*) FROM contents WHERE sha256 <> sha256(raw) "
                   "OR size <> length(raw)")[0][0].as<int>(), 0);
  EXPECT_EQ(q.exec("SELECT count(*) FROM contents c WHERE refcount <> (SELECT count(*) "
                   "FROM messages m WHERE m.sha256 = c.sha256)")[0][0].as<int>(), 0);
  EXPECT_EQ(q.exec("SELECT count(*) FROM messages m WHERE m.size <> (SELECT size FROM "
                   "contents c WHERE c.sha256 = m.sha256)")[0][0].as<int>(), 0);
  // UIDs stayed unique and below UIDNEXT.
  EXPECT_EQ(q.exec("SELECT count(*) FROM messages m JOIN mailboxes b USING (user_id, "
                   "mailbox_id) WHERE m.uid >= b.uidnext")[0][0].as<int>(), 0);
  std::cout << "acknowledged " << acknowledged.size() << ", failed " << failures << "\n";

  store.process.Signal(SIGTERM);
  absl::StatusOr<int> exit = store.process.Wait(absl::Seconds(15));
  ASSERT_TRUE(exit.ok()) << "store did not drain on SIGTERM";
  EXPECT_TRUE(WIFEXITED(*exit) && WEXITSTATUS(*exit) == 0);
}

}  // namespace
}  // namespace mailroom
