// MailStore.AppendMessage over gRPC against a real PostgreSQL (label `db`): a single message as
// before, several messages (IMAP MULTIAPPEND, RFC 3502) committed in one transaction with
// consecutive UIDs, and every way a several-message stream can fail storing nothing at all.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/shared/status/status_matchers.h"
#include "services/store/db/mail_db.h"
#include "services/store/db/pool.h"
#include "services/store/domain/ingest.h"
#include "services/store/service/mail_store_service.h"
#include "services/store/service/watch_hub.h"
#include "services/store/testing/test_database.h"

namespace mailroom::store {
namespace {

using ::mailroom::testing::IsOk;
using ::mailroom::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// One message of a stream: its bytes and header fields.
struct Part {
  std::string raw;
  uint32_t system_flags = 0;
  int64_t internal_date = 0;  // Unix seconds; 0 = unset
  bool declare_size = true;
};

class MailStoreAppendTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<store::testing::TestDatabase> db = store::testing::TestDatabase::Create();
    ASSERT_TRUE(db.ok()) << db.status();
    database_ = new store::testing::TestDatabase(*std::move(db));
    db::PoolOptions options;
    options.dsn = database_->dsn();
    options.size = 8;
    pool_ = new db::ConnectionPool(options);
    mail_ = new db::MailDb(pool_);
    ASSERT_TRUE(mail_->AddDomain("example.test", "").ok());
  }
  static void TearDownTestSuite() {
    delete mail_;
    delete pool_;
    delete database_;
  }

  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  void StartServer() {
    service_ = std::make_unique<MailStoreService>(mail_, &hub_, limits_);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    stub_ = v1::MailStore::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                                                       grpc::InsecureChannelCredentials()));
  }
  // Waits for every running handler: after it, nothing more can be committed.
  void StopServer() {
    if (server_ == nullptr) return;
    server_->Shutdown();
    server_.reset();
  }

  uint64_t NewUser(uint64_t quota = 0) {
    static std::atomic<int> n{0};
    ParsedAddress a;
    a.local = a.base = absl::StrCat("append", n++);
    a.domain = "example.test";
    absl::StatusOr<v1::User> u = mail_->AddUser(a, "hash", quota);
    EXPECT_TRUE(u.ok()) << u.status();
    return u.ok() ? u->user_id() : 0;
  }

  static std::string Message(const std::string& subject, size_t body_bytes = 20) {
    return absl::StrCat("From: ann@example.test\r\nTo: bob@example.test\r\nSubject: ", subject,
                        "\r\n\r\n", std::string(body_bytes, 'x'), "\r\n");
  }

  // Writes `parts` as one stream (chunks of `chunk` bytes); `end` sends the end marker.
  // Returns the stream's status; `*response` is its answer.
  grpc::Status Append(uint64_t user, const std::string& mailbox, const std::vector<Part>& parts,
                      v1::AppendMessageResponse* response, bool end = true, size_t chunk = 7) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    std::unique_ptr<grpc::ClientWriter<v1::AppendMessageRequest>> writer =
        stub_->AppendMessage(&ctx, response);
    bool first = true;
    for (const Part& p : parts) {
      v1::AppendMessageRequest header;
      if (first) {
        header.mutable_header()->set_user_id(user);
        header.mutable_header()->set_mailbox(mailbox);
      }
      first = false;
      header.mutable_header()->mutable_flags()->set_system(p.system_flags);
      if (p.internal_date != 0) {
        header.mutable_header()->mutable_internal_date()->set_seconds(p.internal_date);
      }
      if (p.declare_size) header.mutable_header()->set_size(p.raw.size());
      if (!writer->Write(header)) break;
      for (size_t off = 0; off < p.raw.size(); off += chunk) {
        v1::AppendMessageRequest c;
        c.set_chunk(p.raw.substr(off, chunk));
        if (!writer->Write(c)) break;
      }
    }
    if (end) {
      v1::AppendMessageRequest e;
      e.set_end(true);
      writer->Write(e);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  std::vector<v1::MessageSummary> Messages(uint64_t user, const std::string& name = "INBOX") {
    v1::SelectMailboxRequest r;
    r.set_user_id(user);
    absl::StatusOr<v1::SelectMailboxResponse> s = mail_->Select(r, name);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return {};
    return {s->messages().begin(), s->messages().end()};
  }
  std::vector<uint32_t> Uids(uint64_t user, const std::string& name = "INBOX") {
    std::vector<uint32_t> out;
    for (const v1::MessageSummary& m : Messages(user, name)) out.push_back(m.uid());
    return out;
  }
  uint32_t UidNext(uint64_t user) {
    absl::StatusOr<v1::MailboxStatus> s = mail_->GetStatus(user, "INBOX");
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? s->uidnext() : 0;
  }
  static int64_t Scalar(const std::string& sql) {
    pqxx::connection c(database_->dsn());
    pqxx::nontransaction t(c);
    return t.exec(sql)[0][0].as<int64_t>();
  }
  static int64_t RefCount(const std::string& raw) {
    const std::string hex = absl::StrCat("'\\x", absl::BytesToHexString(Sha256(raw)), "'");
    return Scalar(absl::StrCat("SELECT coalesce(sum(refcount), -1) FROM contents WHERE sha256 = ",
                               hex));
  }
  // Nothing of `user` was stored: no message, no quota used, UIDNEXT still 1.
  void ExpectNothingStored(uint64_t user) {
    EXPECT_THAT(Uids(user), IsEmpty());
    absl::StatusOr<v1::GetQuotaResponse> q = mail_->GetQuota(user);
    ASSERT_THAT(q, IsOk());
    EXPECT_EQ(q->used_bytes(), 0u);
    EXPECT_EQ(q->used_messages(), 0u);
    EXPECT_EQ(UidNext(user), 1u);
  }

  static store::testing::TestDatabase* database_;
  static db::ConnectionPool* pool_;
  static db::MailDb* mail_;
  ServiceLimits limits_;
  WatchHub hub_;
  std::unique_ptr<MailStoreService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::MailStore::Stub> stub_;
};

store::testing::TestDatabase* MailStoreAppendTest::database_ = nullptr;
db::ConnectionPool* MailStoreAppendTest::pool_ = nullptr;
db::MailDb* MailStoreAppendTest::mail_ = nullptr;

TEST_F(MailStoreAppendTest, SingleMessageStreamWorksAsBefore) {
  const uint64_t user = NewUser();
  v1::AppendMessageResponse r;
  ASSERT_TRUE(Append(user, "INBOX", {{Message("one")}}, &r).ok());
  EXPECT_EQ(r.uid(), 1u);
  EXPECT_THAT(r.uids(), ElementsAre(1u));
  EXPECT_NE(r.uidvalidity(), 0u);
  EXPECT_THAT(Uids(user), ElementsAre(1u));
}

TEST_F(MailStoreAppendTest, SeveralMessagesCommitTogetherWithConsecutiveUids) {
  const uint64_t user = NewUser();
  v1::AppendMessageResponse first;
  ASSERT_TRUE(Append(user, "INBOX", {{Message("before")}}, &first).ok());
  const std::string a = Message("a"), b = Message("b", 300), same_as_a = a;
  v1::AppendMessageResponse r;
  grpc::Status s = Append(user, "INBOX",
                          {{a, v1::SYSTEM_FLAG_SEEN, 1700000000},
                           {b, v1::SYSTEM_FLAG_FLAGGED | v1::SYSTEM_FLAG_DRAFT},
                           {same_as_a, 0, 0, /*declare_size=*/false}},
                          &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(r.uid(), 2u);
  EXPECT_THAT(r.uids(), ElementsAre(2u, 3u, 4u));
  EXPECT_EQ(r.uidvalidity(), first.uidvalidity());
  EXPECT_GT(r.modseq(), first.modseq());
  std::vector<v1::MessageSummary> m = Messages(user);
  ASSERT_EQ(m.size(), 4u);
  EXPECT_EQ(m[1].flags().system(), v1::SYSTEM_FLAG_SEEN);
  EXPECT_EQ(m[2].flags().system(), v1::SYSTEM_FLAG_FLAGGED | v1::SYSTEM_FLAG_DRAFT);
  EXPECT_EQ(m[3].flags().system(), 0u);
  // One MODSEQ for the whole append: it is one change.
  EXPECT_EQ(m[1].modseq(), r.modseq());
  EXPECT_EQ(m[3].modseq(), r.modseq());
  // Stored once per distinct content, referenced by both copies.
  EXPECT_EQ(RefCount(a), 2);
  EXPECT_EQ(RefCount(b), 1);
  EXPECT_EQ(Scalar(absl::StrCat("SELECT extract(epoch FROM internal_date)::bigint FROM messages "
                                "WHERE user_id = ", user, " AND uid = 2")),
            1700000000);
  absl::StatusOr<v1::GetQuotaResponse> q = mail_->GetQuota(user);
  ASSERT_THAT(q, IsOk());
  EXPECT_EQ(q->used_bytes(), Message("before").size() + 2 * a.size() + b.size());
  EXPECT_EQ(q->used_messages(), 4u);
}

TEST_F(MailStoreAppendTest, OverQuotaInTheMiddleStoresNothing) {
  // Quota for two of the three messages.
  const std::string msg = Message("q", 400);
  const uint64_t user = NewUser(/*quota=*/2 * msg.size() + 10);
  v1::AppendMessageResponse r;
  // Refused as soon as the third header declares its size.
  grpc::Status s = Append(user, "INBOX", {{msg}, {Message("q2", 400)}, {Message("q3", 400)}}, &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  StopServer();
  ExpectNothingStored(user);
  StartServer();
  // Undeclared sizes: caught by the commit's own check of the sum.
  s = Append(user, "INBOX",
             {{msg, 0, 0, false}, {Message("q4", 400), 0, 0, false},
              {Message("q5", 400), 0, 0, false}},
             &r);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << s.error_message();
  StopServer();
  ExpectNothingStored(user);
  // The staged contents are referenced by nothing and collected as garbage.
  EXPECT_EQ(RefCount(Message("q4", 400)), 0);
  ASSERT_THAT(mail_->CollectGarbage(absl::ZeroDuration()), IsOk());
  EXPECT_EQ(RefCount(Message("q4", 400)), -1);
  StartServer();
  // Two still fit.
  ASSERT_TRUE(Append(user, "INBOX", {{msg}, {Message("q2", 400)}}, &r).ok());
  EXPECT_THAT(r.uids(), ElementsAre(1u, 2u));
}

TEST_F(MailStoreAppendTest, StreamWithoutEndMarkerStoresNothing) {
  const uint64_t user = NewUser();
  v1::AppendMessageResponse r;
  grpc::Status s = Append(user, "INBOX", {{Message("x")}, {Message("y")}}, &r, /*end=*/false);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::CANCELLED) << s.error_message();
  StopServer();
  ExpectNothingStored(user);
}

TEST_F(MailStoreAppendTest, CancelledDuringSecondMessageStoresNothing) {
  const uint64_t user = NewUser();
  v1::AppendMessageResponse r;
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientWriter<v1::AppendMessageRequest>> writer =
      stub_->AppendMessage(&ctx, &r);
  v1::AppendMessageRequest part;
  part.mutable_header()->set_user_id(user);
  part.mutable_header()->set_mailbox("INBOX");
  ASSERT_TRUE(writer->Write(part));
  part.set_chunk(Message("first"));
  ASSERT_TRUE(writer->Write(part));
  part.mutable_header()->set_size(1000);
  ASSERT_TRUE(writer->Write(part));
  part.set_chunk("From: half of it\r\n");
  ASSERT_TRUE(writer->Write(part));
  // Let the store stage the first message before the client goes away.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ctx.TryCancel();
  EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  StopServer();
  ExpectNothingStored(user);
  EXPECT_EQ(RefCount(Message("first")), 0);  // staged, referenced by nothing
}

TEST_F(MailStoreAppendTest, BadLaterMessageStoresNothing) {
  const uint64_t user = NewUser();
  const uint64_t other = NewUser();
  v1::AppendMessageResponse r;
  struct Case {
    const char* name;
    std::function<void(v1::AppendMessageRequest::Header*)> edit;  // of the second header
    grpc::StatusCode code;
  };
  const std::vector<Case> cases = {
      {"other mailbox", [](auto* h) { h->set_mailbox("Archive"); },
       grpc::StatusCode::INVALID_ARGUMENT},
      {"other user", [&](auto* h) { h->set_user_id(other); }, grpc::StatusCode::INVALID_ARGUMENT},
      {"bad keyword", [](auto* h) { h->mutable_flags()->add_keywords("bad keyword"); },
       grpc::StatusCode::INVALID_ARGUMENT},
      {"too large", [](auto* h) { h->set_size(1ull << 40); },
       grpc::StatusCode::RESOURCE_EXHAUSTED},
      {"size mismatch", [](auto* h) { h->set_size(3); }, grpc::StatusCode::INVALID_ARGUMENT},
  };
  for (const Case& c : cases) {
    grpc::ClientContext ctx;
    auto writer = stub_->AppendMessage(&ctx, &r);
    v1::AppendMessageRequest part;
    part.mutable_header()->set_user_id(user);
    part.mutable_header()->set_mailbox("INBOX");
    writer->Write(part);
    part.set_chunk(Message("ok"));
    writer->Write(part);
    v1::AppendMessageRequest::Header second;
    c.edit(&second);
    *part.mutable_header() = second;
    writer->Write(part);
    part.set_chunk(Message("second"));
    writer->Write(part);
    part.set_end(true);
    writer->Write(part);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), c.code) << c.name;
  }
  // A message without bytes, and the same stream into a missing mailbox.
  EXPECT_EQ(Append(user, "INBOX", {{Message("a")}, {""}}, &r).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Append(user, "Nope", {{Message("a")}, {Message("b")}}, &r).error_code(),
            grpc::StatusCode::NOT_FOUND);
  StopServer();
  ExpectNothingStored(user);
  EXPECT_THAT(Uids(other), IsEmpty());
  EXPECT_THAT(Uids(user, "Archive"), IsEmpty());
}

TEST_F(MailStoreAppendTest, TooManyMessagesInOneStream) {
  StopServer();
  limits_.max_append_messages = 3;
  StartServer();
  const uint64_t user = NewUser();
  v1::AppendMessageResponse r;
  std::vector<Part> four = {{Message("1")}, {Message("2")}, {Message("3")}, {Message("4")}};
  EXPECT_EQ(Append(user, "INBOX", four, &r).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  four.pop_back();
  ASSERT_TRUE(Append(user, "INBOX", four, &r).ok());
  EXPECT_THAT(r.uids(), ElementsAre(1u, 2u, 3u));
}

TEST_F(MailStoreAppendTest, ConcurrentAppendsEachGetOneConsecutiveBlock) {
  const uint64_t user = NewUser();
  constexpr int kStreams = 6, kPerStream = 5;
  std::vector<v1::AppendMessageResponse> responses(kStreams);
  std::vector<grpc::Status> statuses(kStreams);
  std::vector<std::thread> threads;
  for (int t = 0; t < kStreams; ++t) {
    threads.emplace_back([&, t] {
      std::vector<Part> parts;
      for (int i = 0; i < kPerStream; ++i) parts.push_back({Message(absl::StrCat(t, "-", i))});
      statuses[t] = Append(user, "INBOX", parts, &responses[t], true, 64);
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<uint32_t> all;
  for (int t = 0; t < kStreams; ++t) {
    ASSERT_TRUE(statuses[t].ok()) << statuses[t].error_message();
    ASSERT_EQ(responses[t].uids_size(), kPerStream);
    for (int i = 0; i < kPerStream; ++i) {
      EXPECT_EQ(responses[t].uids(i), responses[t].uid() + i);
      all.insert(responses[t].uids(i));
    }
  }
  EXPECT_EQ(all.size(), static_cast<size_t>(kStreams * kPerStream));
  EXPECT_EQ(Uids(user).size(), all.size());
}

// The rare race AppendStaged guards against: a staged content released before the commit.
TEST_F(MailStoreAppendTest, ContentReleasedBeforeCommitIsUnavailable) {
  const uint64_t user = NewUser();
  const std::string raw = Message("released");
  ASSERT_THAT(mail_->StageContent(raw, Ingest(raw)), IsOk());
  db::StagedMessage m{Sha256(raw), raw.size(), {}, 0};
  Scalar(absl::StrCat("WITH d AS (DELETE FROM contents WHERE sha256 = '\\x",
                      absl::BytesToHexString(m.sha256), "' RETURNING 1) SELECT count(*) FROM d"));
  EXPECT_THAT(mail_->AppendStaged(user, "INBOX", {m, m}),
              StatusIs(absl::StatusCode::kUnavailable));
  ExpectNothingStored(user);
  ASSERT_THAT(mail_->StageContent(raw, Ingest(raw)), IsOk());
  absl::StatusOr<v1::AppendMessageResponse> r = mail_->AppendStaged(user, "INBOX", {m, m});
  ASSERT_THAT(r, IsOk());
  EXPECT_THAT(r->uids(), ElementsAre(1u, 2u));
  EXPECT_EQ(RefCount(raw), 2);
}

}  // namespace
}  // namespace mailroom::store
