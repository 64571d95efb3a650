// What POP3 deletes is expunged for IMAP too, and watchers are told (ctest label integration):
// a real mailroom-stored and mailroom-pop3d; a Watch stream on the store (what IMAP IDLE
// sessions subscribe to) sees KIND_MESSAGES_EXPUNGED with exactly the UIDs a POP3 session
// deleted, after its QUIT, and nothing for a session that dropped before QUIT.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/store/testing/test_database.h"
#include "tests/harness/process.h"

namespace mailroom {
namespace {

namespace v1 = ::mailroom::store::v1;
using ::mailroom::testing::Process;

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 10) {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return c;
}

// A line-at-a-time POP3 client over a blocking socket.
class Pop3 {
 public:
  explicit Pop3(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{20, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    EXPECT_EQ(connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
    greeting_ = Line();
  }
  ~Pop3() { close(fd_); }
  std::string Cmd(const std::string& command) {
    const std::string wire = command + "\r\n";
    EXPECT_EQ(write(fd_, wire.data(), wire.size()), static_cast<ssize_t>(wire.size()));
    return Line();
  }
  std::string Line() {
    std::string line;
    char c;
    while (read(fd_, &c, 1) == 1) {
      if (c == '\n') break;
      if (c != '\r') line.push_back(c);
    }
    return line;
  }
  const std::string& greeting() const { return greeting_; }

 private:
  int fd_ = -1;
  std::string greeting_;
};

uint32_t Deliver(v1::MailStore::Stub* stub, uint64_t user, const std::string& raw) {
  v1::DeliverMessageResponse resp;
  auto ctx = Ctx();
  auto writer = stub->DeliverMessage(ctx.get(), &resp);
  v1::DeliverMessageRequest part;
  part.mutable_header()->add_recipients()->set_user_id(user);
  writer->Write(part);
  part.set_chunk(raw);
  writer->Write(part);
  part.set_end(true);
  writer->Write(part);
  writer->WritesDone();
  EXPECT_TRUE(writer->Finish().ok());
  return resp.results(0).uid();
}

TEST(Pop3Watch, DeletionsAreExpungedAndAnnouncedOnlyAfterQuit) {
  absl::StatusOr<store::testing::TestDatabase> db = store::testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  const int store_port = testing::FreePort();
  const std::string dir = testing::TempDir("pop3-watch");
  absl::StatusOr<Process> store = Process::Start(
      {absl::StrCat(MAILROOM_BIN_DIR, "/mailroom-stored"),
       absl::StrCat("--listen=127.0.0.1:", store_port), absl::StrCat("--database_url=", db->dsn()),
       "--password_ops=1", "--password_mem_kib=8192"},
      {}, dir + "/store.log");
  ASSERT_TRUE(store.ok()) << store.status();
  ASSERT_TRUE(testing::WaitForPort(store_port, absl::Seconds(30)));
  const int pop3_port = testing::FreePort();
  absl::StatusOr<Process> pop3d = Process::Start(
      {absl::StrCat(MAILROOM_BIN_DIR, "/mailroom-pop3d"),
       absl::StrCat("--store=127.0.0.1:", store_port),
       absl::StrCat("--pop3_listen=127.0.0.1:", pop3_port), "--pop3s_listen=",
       absl::StrCat("--metrics_listen=127.0.0.1:", testing::FreePort())},
      {}, dir + "/pop3d.log");
  ASSERT_TRUE(pop3d.ok()) << pop3d.status();
  ASSERT_TRUE(testing::WaitForPort(pop3_port, absl::Seconds(30)));

  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", store_port),
                                     grpc::InsecureChannelCredentials());
  auto admin = v1::Admin::NewStub(channel);
  auto mail = v1::MailStore::NewStub(channel);
  v1::AddDomainRequest d;
  d.set_name("example.test");
  v1::AddDomainResponse dr;
  ASSERT_TRUE(admin->AddDomain(Ctx().get(), d, &dr).ok());
  v1::AddUserRequest u;
  u.set_address("watched@example.test");
  u.set_password("secret");
  v1::AddUserResponse ur;
  ASSERT_TRUE(admin->AddUser(Ctx().get(), u, &ur).ok());
  const uint64_t user = ur.user().user_id();
  const uint32_t uid1 = Deliver(mail.get(), user, "Subject: 1\r\n\r\none\r\n");
  Deliver(mail.get(), user, "Subject: 2\r\n\r\ntwo\r\n");
  const uint32_t uid3 = Deliver(mail.get(), user, "Subject: 3\r\n\r\nthree\r\n");

  grpc::ClientContext watch_ctx;
  watch_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  v1::WatchRequest wr;
  wr.set_user_id(user);
  auto watch = mail->Watch(&watch_ctx, wr);
  v1::ChangeEvent event;
  ASSERT_TRUE(watch->Read(&event));
  ASSERT_EQ(event.kind(), v1::ChangeEvent::KIND_READY);

  {
    // A session that marks a message and drops before QUIT changes nothing.
    Pop3 dropped(pop3_port);
    dropped.Cmd("USER watched@example.test");
    ASSERT_TRUE(absl::StartsWith(dropped.Cmd("PASS secret"), "+OK"));
    ASSERT_TRUE(absl::StartsWith(dropped.Cmd("DELE 2"), "+OK"));
  }
  std::string reply;
  for (int attempt = 0; attempt < 50; ++attempt) {  // until the dropped session's lock is gone
    Pop3 pop(pop3_port);
    pop.Cmd("USER watched@example.test");
    reply = pop.Cmd("PASS secret");
    if (absl::StrContains(reply, "[IN-USE]")) {
      usleep(100 * 1000);
      continue;
    }
    ASSERT_EQ(reply, "+OK maildrop has 3 messages (59 octets)");
    ASSERT_TRUE(absl::StartsWith(pop.Cmd("DELE 1"), "+OK"));
    ASSERT_TRUE(absl::StartsWith(pop.Cmd("DELE 3"), "+OK"));
    ASSERT_EQ(pop.Cmd("QUIT"), "+OK bye, 2 messages deleted");
    break;
  }
  // The first event after READY other than the (late) announcements of the three deliveries
  // is the expunge of exactly 1 and 3: nothing came from the dropped session. (Watch may still
  // pass on changes committed just before READY; watchers compare MODSEQs.)
  ASSERT_TRUE(watch->Read(&event));
  while (event.kind() == v1::ChangeEvent::KIND_MESSAGE_ADDED) {
    for (uint32_t uid : event.uids()) EXPECT_LE(uid, uid3);
    ASSERT_TRUE(watch->Read(&event));
  }
  EXPECT_EQ(event.kind(), v1::ChangeEvent::KIND_MESSAGES_EXPUNGED);
  EXPECT_THAT(event.uids(), ::testing::UnorderedElementsAre(uid1, uid3));
  watch_ctx.TryCancel();

  v1::GetMailboxStatusRequest sr;
  sr.set_user_id(user);
  sr.set_name("INBOX");
  v1::GetMailboxStatusResponse status;
  ASSERT_TRUE(mail->GetMailboxStatus(Ctx().get(), sr, &status).ok());
  EXPECT_EQ(status.status().messages(), 1u);  // what IMAP sees too
}

}  // namespace
}  // namespace mailroom
