// The IMAP session over a scripted fake connection and a fake store (an in-process gRPC
// MailStore on 127.0.0.1): exact protocol output for whole conversations, table-driven.
#include "services/imap/session/session.h"

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/shared/net/testing/fake_stream.h"

namespace mailroom::imap {
namespace {

// User ann (password "secret") with INBOX (two messages) and Work.
class FakeStore final : public v1::MailStore::Service {
 public:
  grpc::Status Authenticate(grpc::ServerContext*, const v1::AuthenticateRequest* request,
                            v1::AuthenticateResponse* response) override {
    if (request->username() != "ann" || request->password() != "secret") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no");
    }
    response->mutable_principal()->set_user_id(2);
    response->mutable_principal()->set_address("ann@example.test");
    return grpc::Status::OK;
  }
  grpc::Status SelectMailbox(grpc::ServerContext*, const v1::SelectMailboxRequest* request,
                             v1::SelectMailboxResponse* response) override {
    if (request->name() != "INBOX") return grpc::Status(grpc::StatusCode::NOT_FOUND, "none");
    response->mutable_mailbox()->set_mailbox_id(1);
    response->mutable_status()->set_uidvalidity(77);
    response->mutable_status()->set_uidnext(8);
    response->mutable_status()->set_highestmodseq(3);
    if (request->changed_since_modseq() > 0) return grpc::Status::OK;
    for (uint32_t uid : {4u, 7u}) {
      v1::MessageSummary* m = response->add_messages();
      m->set_uid(uid);
      if (uid == 4) m->mutable_flags()->set_system(v1::SYSTEM_FLAG_SEEN);
    }
    return grpc::Status::OK;
  }
  grpc::Status GetExpunged(grpc::ServerContext*, const v1::GetExpungedRequest*,
                           v1::GetExpungedResponse*) override {
    return grpc::Status::OK;
  }
  grpc::Status Watch(grpc::ServerContext* context, const v1::WatchRequest*,
                     grpc::ServerWriter<v1::ChangeEvent>* writer) override {
    v1::ChangeEvent ready;
    ready.set_kind(v1::ChangeEvent::KIND_READY);
    writer->Write(ready);
    while (!context->IsCancelled()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return grpc::Status::OK;
  }
  // As if another session had flagged UID 4 just before: its answer carries \Flagged too.
  grpc::Status StoreFlags(grpc::ServerContext*, const v1::StoreFlagsRequest* request,
                          v1::StoreFlagsResponse* response) override {
    for (const v1::UidRange& r : request->uids().ranges()) {
      for (uint32_t uid : {4u, 7u}) {
        if (uid < r.first() || (r.last() != 0 && uid > r.last())) continue;
        v1::MessageSummary* m = response->add_updated();
        m->set_uid(uid);
        uint32_t system = request->flags().system();
        if (uid == 4) system |= v1::SYSTEM_FLAG_SEEN | v1::SYSTEM_FLAG_FLAGGED;
        m->mutable_flags()->set_system(system);
      }
    }
    return grpc::Status::OK;
  }
  grpc::Status CopyMessages(grpc::ServerContext*, const v1::CopyMessagesRequest*,
                            v1::CopyMessagesResponse*) override {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no destination");
  }
  // Like the real store: any number of messages in one stream, committed at the end marker
  // only, all of them or (over `quota_bytes`, not INBOX, cancelled) none; UIDs from 8 on.
  grpc::Status AppendMessage(grpc::ServerContext* context,
                             grpc::ServerReader<v1::AppendMessageRequest>* reader,
                             v1::AppendMessageResponse* response) override {
    ++append_streams;
    struct Done {
      std::atomic<int>& n;
      ~Done() { ++n; }
    } done{append_streams_done};
    std::vector<std::string> bodies;
    std::vector<std::string> headers;
    v1::AppendMessageRequest part;
    bool ended = false;
    while (reader->Read(&part)) {
      if (part.has_header()) {
        bodies.emplace_back();
        headers.push_back(part.header().ShortDebugString());
      } else if (part.part_case() == v1::AppendMessageRequest::kChunk && !bodies.empty()) {
        bodies.back() += part.chunk();
      } else if (part.part_case() == v1::AppendMessageRequest::kEnd) {
        ended = true;
      }
    }
    if (!ended || context->IsCancelled()) {
      return grpc::Status(grpc::StatusCode::CANCELLED, "no end marker");
    }
    if (headers.empty() || headers[0].find("mailbox: \"INBOX\"") == std::string::npos) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such mailbox");
    }
    size_t total = 0;
    for (const std::string& b : bodies) total += b.size();
    if (total > quota_bytes) return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "quota");
    absl::MutexLock lock(&mu_);
    response->set_uidvalidity(77);
    response->set_uid(8);
    for (size_t i = 0; i < bodies.size(); ++i) response->add_uids(8 + i);
    committed_.insert(committed_.end(), bodies.begin(), bodies.end());
    committed_headers_.insert(committed_headers_.end(), headers.begin(), headers.end());
    return grpc::Status::OK;
  }

  std::vector<std::string> committed() {
    absl::MutexLock lock(&mu_);
    return committed_;
  }
  std::vector<std::string> committed_headers() {
    absl::MutexLock lock(&mu_);
    return committed_headers_;
  }
  // Waits until every AppendMessage call has returned (a cancelled one too).
  void WaitForAppends() {
    for (int i = 0; i < 500 && append_streams_done < append_streams; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  size_t quota_bytes = 1 << 20;
  std::atomic<int> append_streams{0};
  std::atomic<int> append_streams_done{0};

 private:
  absl::Mutex mu_;
  std::vector<std::string> committed_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> committed_headers_ ABSL_GUARDED_BY(mu_);
};

class SessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(port_, 0);
    frontend_.store.target = absl::StrCat("127.0.0.1:", port_);
    frontend_.store.max_retries = 0;
    absl::StatusOr<store_client::StoreClient> store =
        store_client::StoreClient::Create(frontend_.store);
    ASSERT_TRUE(store.ok());
    store_ = std::make_unique<store_client::StoreClient>(*std::move(store));
    throttle_ = std::make_unique<auth::AuthThrottle>(auth::ThrottleConfig{
        absl::ZeroDuration(), absl::ZeroDuration(), 30, 3, absl::Minutes(10), 1000});
    metrics_ = std::make_unique<ImapMetrics>(registry_);
    config_.hostname = "imap.example.test";
  }
  void TearDown() override { server_->Shutdown(); }

  // Runs a conversation and returns the server's lines after the greeting.
  std::vector<std::string> Converse(std::vector<std::string> chunks, bool loopback = true) {
    auto stream = std::make_unique<net::testing::FakeStream>(std::move(chunks));
    stream->mutable_peer().address = loopback ? "127.0.0.1" : "192.0.2.7";
    stream->mutable_peer().loopback = loopback;
    net::testing::FakeStream* raw = stream.get();
    net::Limits limits;
    limits.max_line_length = 100;
    net::Connection conn(std::move(stream), limits, "test-session", "imap");
    frontend::FrontendContext context{frontend_, *store_, *throttle_, registry_, true};
    Session session(conn, context, config_, *metrics_);
    net::testing::RunSync(session.Run());
    std::vector<std::string> lines = absl::StrSplit(raw->output(), "\r\n", absl::SkipEmpty());
    greeting_ = lines.empty() ? "" : lines[0];
    if (!lines.empty()) lines.erase(lines.begin());
    return lines;
  }

  FakeStore fake_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  frontend::FrontendConfig frontend_;
  std::unique_ptr<store_client::StoreClient> store_;
  std::unique_ptr<auth::AuthThrottle> throttle_;
  metrics::Registry registry_;
  std::unique_ptr<ImapMetrics> metrics_;
  SessionConfig config_;
  std::string greeting_;
};

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;

TEST_F(SessionTest, ExactOutputOfCoreConversations) {
  struct Case {
    const char* name;
    std::vector<std::string> input;
    std::vector<std::string> output;
  };
  const std::vector<Case> cases = {
      {"noop and logout", {"a NOOP\r\nb LOGOUT\r\n"},
       {"a OK NOOP completed", "* BYE Logging out", "b OK LOGOUT completed"}},
      {"wrong state", {"a SELECT INBOX\r\n"}, {"a BAD Log in first"}},
      {"unknown command", {"a XYZZY\r\n"}, {"a BAD Unknown command"}},
      {"bad password", {"a LOGIN ann wrong\r\n"},
       {"a NO [AUTHENTICATIONFAILED] Authentication failed"}},
      {"synchronizing literal", {"a LOGIN {3}\r\n", "ann secret\r\nb NAMESPACE\r\n"},
       {"+ go ahead", "a OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ SASL-IR ID ENABLE IDLE "
                      "NAMESPACE UIDPLUS MOVE UNSELECT CHILDREN SPECIAL-USE CREATE-SPECIAL-USE "
                      "LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES STATUS=SIZE MULTIAPPEND "
                      "BINARY APPENDLIMIT=52428800] Logged in",
        "* NAMESPACE ((\"\" \"/\")) NIL NIL", "b OK NAMESPACE completed"}},
      {"select and fetch",
       {"a LOGIN ann secret\r\n", "b SELECT INBOX\r\nc FETCH 1:* (UID)\r\nd FETCH 3 UID\r\n"},
       {"a OK", "* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)",
        "* 2 EXISTS", "* 0 RECENT", "* OK [UNSEEN 2] First unseen",
        "* OK [UIDVALIDITY 77] UIDs valid", "* OK [UIDNEXT 8] Predicted next UID",
        "* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted",
        "b OK [READ-WRITE] SELECT completed", "* 1 FETCH (UID 4)", "* 2 FETCH (UID 7)",
        "c OK FETCH completed", "d BAD Invalid message sequence number"}},
      {"unknown mailbox", {"a LOGIN ann secret\r\nb SELECT Nope\r\n"},
       {"a OK", "b NO [NONEXISTENT] SELECT: no such mailbox"}},
      {"trycreate", {"a LOGIN ann secret\r\nb SELECT INBOX\r\nc COPY 1 Nope\r\n"},
       {"a OK", "*", "*", "*", "*", "*", "*", "*", "b OK", "c NO [TRYCREATE] No such mailbox"}},
      {"fetch not selected", {"a LOGIN ann secret\r\nb FETCH 1 FLAGS\r\n"},
       {"a OK", "b BAD No mailbox selected"}},
      {"line too long", {std::string(150, 'x') + "\r\na NOOP\r\n"},
       {"* BAD Line too long", "a OK NOOP completed"}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> lines = Converse(c.input);
    ASSERT_EQ(lines.size(), c.output.size()) << c.name << ": " << absl::StrJoin(lines, "|");
    for (size_t i = 0; i < lines.size(); ++i) {
      // An expected line that is a prefix stands for the whole line (long untagged ones).
      EXPECT_EQ(lines[i].substr(0, c.output[i].size()), c.output[i]) << c.name << " line " << i;
    }
  }
}

// Found by tests/integration/imap/replica_consistency_test.py: STORE .SILENT must still
// report flags another session changed meanwhile (RFC 3501 §6.4.6), and only those.
TEST_F(SessionTest, SilentStoreReportsOtherSessionsChanges) {
  std::vector<std::string> lines = Converse(
      {"a LOGIN ann secret\r\nb SELECT INBOX\r\n",
       "c STORE 1 +FLAGS.SILENT (\\Deleted)\r\nd UID STORE 7 +FLAGS.SILENT (\\Deleted)\r\n"});
  ASSERT_GE(lines.size(), 3u);
  lines.erase(lines.begin(), lines.end() - 3);
  EXPECT_THAT(lines, ElementsAre("* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Seen))",
                                 "c OK STORE completed", "d OK STORE completed"));
}

// FETCH of FLAGS and UID, and SEARCH by system flags and numbers, are answered from the
// session's view (this fake store has no FetchMessages or SearchMessages: a store call would
// fail the command), and the session's own APPENDs that follow the view's UIDNEXT directly
// join it without a fetch.
TEST_F(SessionTest, FlagsAndOwnAppendsComeFromTheView) {
  std::vector<std::string> lines = Converse(
      {"a LOGIN ann secret\r\nb SELECT INBOX\r\n", "c FETCH 1:* (FLAGS UID)\r\n",
       "d APPEND INBOX (\\Draft) {5+}\r\nhello\r\n", "e UID FETCH 8 FLAGS\r\n",
       "f SEARCH UNSEEN\r\ng SEARCH UNSEEN NOT (3 OR DRAFT SEEN)\r\nh SEARCH 9\r\n"});
  ASSERT_GE(lines.size(), 12u) << absl::StrJoin(lines, "|");
  lines.erase(lines.begin(), lines.end() - 12);
  EXPECT_THAT(lines, ElementsAre("* 1 FETCH (FLAGS (\\Seen) UID 4)", "* 2 FETCH (FLAGS () UID 7)",
                                 "c OK FETCH completed", "* 3 EXISTS",
                                 "d OK [APPENDUID 77 8] APPEND completed",
                                 "* 3 FETCH (FLAGS (\\Draft) UID 8)", "e OK FETCH completed",
                                 "* SEARCH 2 3", "f OK SEARCH completed", "* SEARCH 2",
                                 "g OK SEARCH completed",
                                 "h BAD Invalid message sequence number"));
}

// RFC 3502: all messages of one APPEND go to the store in one stream and are committed
// together; APPENDUID carries the whole uid-set (RFC 4315 §3).
TEST_F(SessionTest, MultiappendCommitsAllMessagesInOneStoreCall) {
  std::vector<std::string> lines = Converse(
      {"a LOGIN ann secret\r\n",
       "b APPEND INBOX (\\Seen) {5+}\r\nhello (\\Flagged) {5+}\r\nworld {3}\r\n", "abc\r\n",
       "c APPEND INBOX {4}\r\n", "solo\r\n"});
  ASSERT_EQ(lines.size(), 5u) << absl::StrJoin(lines, "|");
  EXPECT_THAT(std::vector<std::string>(lines.begin() + 1, lines.end()),
              ElementsAre("+ go ahead", "b OK [APPENDUID 77 8:10] APPEND completed",
                          "+ go ahead", "c OK [APPENDUID 77 8] APPEND completed"));
  fake_.WaitForAppends();
  EXPECT_EQ(fake_.append_streams, 2);
  EXPECT_THAT(fake_.committed(), ElementsAre("hello", "world", "abc", "solo"));
  const std::vector<std::string> headers = fake_.committed_headers();
  ASSERT_EQ(headers.size(), 4u);
  EXPECT_THAT(headers[0], HasSubstr("system: 1"));  // \Seen
  EXPECT_THAT(headers[1], HasSubstr("system: 4"));  // \Flagged
  EXPECT_THAT(headers[2], HasSubstr("size: 3"));
}

// RFC 3502 §6.3.11: "no partial appending is permitted" whichever message fails and why.
TEST_F(SessionTest, FailedMultiappendStoresNothing) {
  config_.append_limit = 10;
  fake_.quota_bytes = 12;
  struct Case {
    const char* name;
    std::vector<std::string> input;
    std::vector<std::string> output;  // after the LOGIN reply; prefixes
  };
  const std::vector<Case> cases = {
      {"quota exceeded by the third message",
       {"b APPEND INBOX {5+}\r\nhello {5+}\r\nworld {5+}\r\nthird\r\nc NOOP\r\n"},
       {"b NO [OVERQUOTA] APPEND: quota or size limit exceeded", "c OK NOOP completed"}},
      {"APPENDLIMIT exceeded by the second message",
       {"b APPEND INBOX {5+}\r\nhello {50+}\r\n" + std::string(50, 'x') + "\r\nc NOOP\r\n"},
       {"b NO [TOOBIG] Message exceeds APPENDLIMIT", "c OK NOOP completed"}},
      {"APPENDLIMIT exceeded, synchronizing",
       {"b APPEND INBOX {5}\r\n", "hello {50}\r\nc NOOP\r\n"},
       {"+ go ahead", "b NO [TOOBIG] Message exceeds APPENDLIMIT", "c OK NOOP completed"}},
      {"bad date in the second message",
       {"b APPEND INBOX {5+}\r\nhello \"not a date\" {5+}\r\nworld\r\nc NOOP\r\n"},
       {"b BAD", "c OK NOOP completed"}},
      {"zero-length second message cancels",
       {"b APPEND INBOX {5+}\r\nhello {0+}\r\n\r\nc NOOP\r\n"},
       {"b NO Empty message: APPEND cancelled", "c OK NOOP completed"}},
      {"missing mailbox", {"b APPEND Nope {5+}\r\nhello {5+}\r\nworld\r\n"},
       {"b NO [TRYCREATE] No such mailbox"}},
      {"client gone during the second literal", {"b APPEND INBOX {5+}\r\nhello {9+}\r\nwor"},
       {}},
  };
  for (const Case& c : cases) {
    std::vector<std::string> input = {"a LOGIN ann secret\r\n"};
    input.insert(input.end(), c.input.begin(), c.input.end());
    std::vector<std::string> lines = Converse(input);
    ASSERT_EQ(lines.size(), c.output.size() + 1) << c.name << ": " << absl::StrJoin(lines, "|");
    for (size_t i = 0; i < c.output.size(); ++i) {
      EXPECT_EQ(lines[i + 1].substr(0, c.output[i].size()), c.output[i]) << c.name;
    }
    fake_.WaitForAppends();
    EXPECT_THAT(fake_.committed(), ::testing::IsEmpty()) << c.name;
  }
}

TEST_F(SessionTest, GreetingAdvertisesLoginOnlyWhereSecured) {
  Converse({"a CAPABILITY\r\n"}, /*loopback=*/true);
  EXPECT_THAT(greeting_, HasSubstr("STARTTLS AUTH=PLAIN AUTH=LOGIN]"));
  std::vector<std::string> lines = Converse({"a LOGIN ann secret\r\n"}, /*loopback=*/false);
  EXPECT_THAT(greeting_, HasSubstr("STARTTLS LOGINDISABLED]"));
  EXPECT_THAT(lines, ElementsAre("a NO [PRIVACYREQUIRED] Plaintext login is disabled; use "
                                 "STARTTLS first"));
}

TEST_F(SessionTest, TooManyBadCommandsEndTheSession) {
  config_.max_bad_commands = 2;
  std::vector<std::string> lines = Converse({"a X\r\nb Y\r\nc NOOP\r\n"});
  EXPECT_THAT(lines, ElementsAreArray({"a BAD Unknown command", "b BAD Unknown command",
                                       "* BYE Too many invalid commands"}));
}

}  // namespace
}  // namespace mailroom::imap
