// The POP3 session state machine over a scripted connection (FakeStream) and an in-memory
// store (FakePop3Store): every command in every state, the UPDATE rules, locking, throttling,
// SASL, STLS and the RETR/TOP encoding.
#include "services/pop3/session/session.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/pop3/session/apop.h"
#include "services/pop3/session/fake_pop3_store.h"
#include "services/shared/auth/sasl.h"
#include "services/shared/net/testing/fake_stream.h"

namespace mailroom::pop3 {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using net::testing::FakeStream;
using net::testing::RunSync;

const std::string kMsg1 = "From: a@example.test\r\nSubject: one\r\n\r\nhello\r\n.dot\r\n";
const std::string kMsg2 = "From: b@example.test\nSubject: two\n\nl1\nl2\nl3\n";  // bare LF
const std::string kMsg3 = "Subject: three\r\n\r\nlast line without newline";

auth::ThrottleConfig FastThrottle() {
  auth::ThrottleConfig c;
  c.base_delay = absl::Milliseconds(1);
  c.max_delay = absl::Milliseconds(2);
  return c;
}

class Pop3SessionTest : public ::testing::Test {
 protected:
  Pop3SessionTest() : throttle_(FastThrottle()), metrics_(registry_) {
    store_.AddUser("alice@example.test", "secret", {kMsg1, kMsg2, kMsg3});
    store_.AddUser("bob@example.test", "pw", {});
  }

  // Runs a session over `input` (chunks); returns everything the server wrote.
  std::string Run(std::vector<std::string> input,
                  absl::Status at_end = absl::UnavailableError("peer closed")) {
    auto stream = std::make_unique<FakeStream>(std::move(input), std::move(at_end));
    stream->mutable_peer().loopback = loopback_;
    stream->mutable_peer().address = loopback_ ? "127.0.0.1" : "192.0.2.7";
    FakeStream* raw = stream.get();
    net::Connection connection(std::move(stream), net::Limits{}, "sid", "pop3");
    Session session(connection, SessionContext{options_, store_, throttle_, metrics_, tls_});
    RunSync(session.Run());
    tls_after_ = raw->IsTls();
    return raw->output();
  }

  // The output split into lines (without CRLF), greeting dropped.
  std::vector<std::string> Lines(std::vector<std::string> input,
                                 absl::Status at_end = absl::UnavailableError("peer closed")) {
    const std::string out = Run(std::move(input), std::move(at_end));
    EXPECT_TRUE(absl::EndsWith(out, "\r\n")) << out;
    std::vector<std::string> lines = absl::StrSplit(out, "\r\n");
    lines.pop_back();
    EXPECT_THAT(lines.front(), HasSubstr("+OK Mailroom POP3 server ready"));
    lines.erase(lines.begin());
    return lines;
  }

  static std::string Login() { return "USER alice@example.test\r\nPASS secret\r\n"; }

  testing::FakePop3Store store_;
  SessionOptions options_;
  auth::AuthThrottle throttle_;
  metrics::Registry registry_;
  Pop3Metrics metrics_;
  bool tls_ = false;
  bool loopback_ = true;
  bool tls_after_ = false;
};

TEST_F(Pop3SessionTest, LoginListAndRetrieve) {
  EXPECT_THAT(Lines({Login() + "STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 3\r\nRETR 1\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS",
                          "+OK maildrop has 3 messages (138 octets)",
                          "+OK 3 138",
                          "+OK 3 messages (138 octets)", "1 51", "2 44", "3 43", ".",
                          "+OK 2 44",
                          "+OK unique-id listing follows", "1 000004d200000001",
                          "2 000004d200000002", "3 000004d200000003", ".",
                          "+OK 3 000004d200000003",
                          "+OK 51 octets", "From: a@example.test", "Subject: one", "", "hello",
                          "..dot", ".",
                          "+OK bye"));
  EXPECT_EQ(store_.expunge_calls, 0);
  EXPECT_EQ(store_.releases, 1);
}

TEST_F(Pop3SessionTest, RetrNormalisesLineEndingsAndCompletesTheLastLine) {
  EXPECT_THAT(Lines({Login() + "RETR 2\r\nRETR 3\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "+OK 44 octets", "From: b@example.test", "Subject: two", "", "l1", "l2",
                          "l3", ".",
                          "+OK 43 octets", "Subject: three", "", "last line without newline", ".",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, TopWithZeroAndWithMoreLinesThanTheBody) {
  EXPECT_THAT(Lines({Login() + "TOP 2 0\r\nTOP 2 1\r\nTOP 2 100\r\nTOP 9 1\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "+OK top of message follows", "From: b@example.test", "Subject: two",
                          "", ".",
                          "+OK top of message follows", "From: b@example.test", "Subject: two",
                          "", "l1", ".",
                          "+OK top of message follows", "From: b@example.test", "Subject: two",
                          "", "l1", "l2", "l3", ".",
                          "-ERR no such message", "+OK bye"));
}

TEST_F(Pop3SessionTest, LargeMessagesStreamWithTheSameBytes) {
  const std::string small = Run({Login() + "RETR 1\r\nRETR 2\r\nTOP 3 0\r\nQUIT\r\n"});
  options_.prefetch_message_bytes = 0;  // every message "large": streamed in 7-byte chunks
  const std::string streamed = Run({Login() + "RETR 1\r\nRETR 2\r\nTOP 3 0\r\nQUIT\r\n"});
  EXPECT_EQ(streamed, small);
  EXPECT_EQ(store_.open_message_calls, 3);
}

TEST_F(Pop3SessionTest, SequentialRetrIsPrefetchedInOneRoundTrip) {
  Run({Login() + "RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 1\r\nQUIT\r\n"});
  EXPECT_EQ(store_.fetch_bodies_calls, 2);  // 1-3 at once; 1 again after it was consumed
}

TEST_F(Pop3SessionTest, DeleMarksAndQuitExpungesAllAtOnce) {
  EXPECT_THAT(Lines({Login() + "DELE 1\r\nDELE 1\r\nLIST 1\r\nRETR 1\r\nSTAT\r\nDELE 3\r\n"
                               "LIST\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "+OK message 1 deleted", "-ERR message 1 already deleted",
                          "-ERR message 1 already deleted", "-ERR message 1 already deleted",
                          "+OK 2 87", "+OK message 3 deleted",
                          "+OK 1 messages (44 octets)", "2 44", ".",
                          "+OK bye, 2 messages deleted"));
  EXPECT_EQ(store_.expunge_calls, 1);
  EXPECT_THAT(store_.last_expunged, ElementsAre(1, 3));
  EXPECT_EQ(store_.user("alice@example.test").inbox.size(), 1u);
}

TEST_F(Pop3SessionTest, DeleThenRsetDeletesNothing) {
  EXPECT_THAT(Lines({Login() + "DELE 1\r\nDELE 2\r\nRSET\r\nSTAT\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "+OK message 1 deleted", "+OK message 2 deleted",
                          "+OK maildrop has 3 messages (138 octets)", "+OK 3 138", "+OK bye"));
  EXPECT_EQ(store_.expunge_calls, 0);
}

TEST_F(Pop3SessionTest, DroppedConnectionBeforeQuitDeletesNothing) {
  Run({Login() + "DELE 1\r\nDELE 2\r\n"});
  EXPECT_EQ(store_.expunge_calls, 0);
  EXPECT_EQ(store_.releases, 1);
  EXPECT_EQ(store_.user("alice@example.test").inbox.size(), 3u);
}

TEST_F(Pop3SessionTest, IdleTimeoutDeletesNothing) {
  std::vector<std::string> lines =
      Lines({Login() + "DELE 1\r\n"}, absl::DeadlineExceededError("idle"));
  EXPECT_EQ(lines.back(), "-ERR autologout: idle for too long");
  EXPECT_EQ(store_.expunge_calls, 0);
}

TEST_F(Pop3SessionTest, FailedExpungeIsNotAcknowledged) {
  store_.expunge_error = absl::UnavailableError("db down");
  EXPECT_THAT(Lines({Login() + "DELE 1\r\nQUIT\r\n"}).back(),
              "-ERR [SYS/TEMP] some deleted messages were not removed");
}

TEST_F(Pop3SessionTest, CommandsInTheWrongState) {
  EXPECT_THAT(Lines({"STAT\r\nRETR 1\r\nDELE 1\r\nNOOP\r\nPASS x\r\n" + Login() +
                     "USER x\r\nAPOP a 0123456789abcdef0123456789abcdef\r\nAUTH PLAIN\r\n"
                     "STLS\r\nUTF8\r\nQUIT\r\n"}),
              ElementsAre("-ERR STAT is not valid in this state",
                          "-ERR RETR is not valid in this state",
                          "-ERR DELE is not valid in this state",
                          "-ERR NOOP is not valid in this state", "-ERR USER first",
                          "+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "-ERR USER is not valid in this state",
                          "-ERR APOP is not valid in this state",
                          "-ERR AUTH is not valid in this state",
                          "-ERR STLS is not valid in this state",
                          "-ERR UTF8 is not valid in this state", "+OK bye"));
}

TEST_F(Pop3SessionTest, BadCommandsAndArguments) {
  EXPECT_THAT(Lines({Login() + "FOO\r\nRETR\r\nRETR x\r\nRETR 0\r\nRETR 4\r\nTOP 1\r\n"
                               "LIST 1 2\r\nNOOP\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 3 messages (138 octets)",
                          "-ERR unknown command", "-ERR syntax error: RETR: missing argument",
                          "-ERR syntax error: bad message number", "-ERR no such message",
                          "-ERR no such message", "-ERR syntax error: TOP: missing argument",
                          "-ERR syntax error: LIST: too many arguments", "+OK", "+OK bye"));
}

TEST_F(Pop3SessionTest, PassMustFollowUser) {
  EXPECT_THAT(Lines({"USER alice@example.test\r\nCAPA\r\nPASS secret\r\nQUIT\r\n"}),
              ::testing::Contains("-ERR USER first"));
}

TEST_F(Pop3SessionTest, OverlongLineIsAnsweredAndTheSessionGoesOn) {
  EXPECT_THAT(Lines({"NOOP " + std::string(10000, 'x') + "\r\nQUIT\r\n"}),
              ElementsAre("-ERR line too long", "+OK bye"));
}

TEST_F(Pop3SessionTest, WrongPasswordsThenClose) {
  EXPECT_THAT(Lines({"USER alice@example.test\r\nPASS a\r\nUSER alice@example.test\r\nPASS b\r\n"
                     "USER alice@example.test\r\nPASS c\r\nUSER alice@example.test\r\n"}),
              ElementsAre("+OK send PASS", "-ERR [AUTH] invalid user name or password",
                          "+OK send PASS", "-ERR [AUTH] invalid user name or password",
                          "+OK send PASS", "-ERR [AUTH] invalid user name or password"));
  EXPECT_EQ(store_.authenticate_calls, 3);
  EXPECT_EQ(store_.last_remote_ip, "127.0.0.1");
}

TEST_F(Pop3SessionTest, ThrottledUserIsRefusedWithoutAskingTheStore) {
  auth::ThrottleConfig c = FastThrottle();
  c.max_failures_per_user = 2;
  auth::AuthThrottle throttle(c);
  throttle.RecordFailure("192.0.2.1", "alice@example.test", absl::Now());
  throttle.RecordFailure("192.0.2.2", "alice@example.test", absl::Now());
  testing::FakePop3Store store;
  store.AddUser("alice@example.test", "secret", {});
  auto stream = std::make_unique<FakeStream>(std::vector<std::string>{Login() + "QUIT\r\n"});
  FakeStream* raw = stream.get();
  net::Connection connection(std::move(stream), net::Limits{}, "sid", "pop3");
  Session session(connection, SessionContext{options_, store, throttle, metrics_, false});
  RunSync(session.Run());
  EXPECT_THAT(raw->output(),
              HasSubstr("-ERR [SYS/TEMP] too many failed logins, try again later\r\n"));
  EXPECT_EQ(store.authenticate_calls, 0);
}

TEST_F(Pop3SessionTest, SecondSessionGetsInUse) {
  store_.lease_holder = "pop3-other-replica";
  EXPECT_THAT(Lines({Login() + "QUIT\r\n"}),
              ElementsAre("+OK send PASS", "-ERR [IN-USE] maildrop is locked by another session",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, LeaseIsHeldDuringTheSessionAndReleasedAfter) {
  Run({Login() + "QUIT\r\n"});
  EXPECT_EQ(store_.releases, 1);
  // A second session right after gets the maildrop again.
  EXPECT_THAT(Lines({Login() + "QUIT\r\n"})[1], "+OK maildrop has 3 messages (138 octets)");
}

TEST_F(Pop3SessionTest, StoreUnavailableIsSysTemp) {
  store_.inbox_error = absl::UnavailableError("down");
  EXPECT_THAT(Lines({Login() + "QUIT\r\n"}),
              ElementsAre("+OK send PASS", "-ERR [SYS/TEMP] temporary failure, try again later",
                          "+OK bye"));
  EXPECT_EQ(store_.releases, 1);  // the lease taken before the failure is given back
}

TEST_F(Pop3SessionTest, CapaOnLoopbackWithTls) {
  tls_ = true;
  options_.login_delay_seconds = 900;
  options_.expire_days = 31;
  EXPECT_THAT(Lines({"CAPA\r\nQUIT\r\n"}),
              ElementsAre("+OK capability list follows", "TOP", "UIDL", "RESP-CODES",
                          "AUTH-RESP-CODE", "PIPELINING", "USER", "SASL PLAIN LOGIN", "STLS",
                          "EXPIRE 31", "LOGIN-DELAY 900", "UTF8", "IMPLEMENTATION Mailroom", ".",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, PlaintextRefusedBeforeTlsOffLoopback) {
  loopback_ = false;
  tls_ = true;
  std::vector<std::string> lines =
      Lines({"CAPA\r\nUSER alice@example.test\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\r\n"
             "AUTH\r\nQUIT\r\n"});
  EXPECT_THAT(lines, Not(::testing::Contains("USER")));
  EXPECT_THAT(lines, Not(::testing::Contains("SASL PLAIN LOGIN")));
  EXPECT_THAT(lines, ::testing::Contains("STLS"));
  EXPECT_THAT(lines, ::testing::Contains(
                         "-ERR [AUTH] plaintext authentication is not allowed without TLS; use STLS"));
  EXPECT_EQ(store_.authenticate_calls, 0);
}

TEST_F(Pop3SessionTest, StlsDiscardsPipelinedPlaintextThenAllowsLogin) {
  loopback_ = false;
  tls_ = true;
  std::vector<std::string> lines =
      Lines({"STLS\r\nUSER alice@example.test\r\n", "CAPA\r\n" + Login() + "QUIT\r\n"});
  EXPECT_TRUE(tls_after_);
  EXPECT_EQ(lines[0], "+OK begin TLS negotiation");
  EXPECT_EQ(lines[1], "+OK capability list follows");
  EXPECT_THAT(lines, Not(::testing::Contains("STLS")));
  EXPECT_THAT(lines, ::testing::Contains("+OK maildrop has 3 messages (138 octets)"));
  // The plaintext "USER" never got its "+OK send PASS": only the one after TLS did.
  EXPECT_EQ(std::count(lines.begin(), lines.end(), "+OK send PASS"), 1);
}

TEST_F(Pop3SessionTest, StlsWithoutTlsOrTwice) {
  EXPECT_THAT(Lines({"STLS\r\nQUIT\r\n"}),
              ElementsAre("-ERR STLS is not available", "+OK bye"));
  tls_ = true;
  EXPECT_THAT(Lines({"STLS\r\n", "STLS\r\n", "QUIT\r\n"}),
              ElementsAre("+OK begin TLS negotiation", "-ERR TLS is already active", "+OK bye"));
}

TEST_F(Pop3SessionTest, AuthPlainWithAndWithoutInitialResponse) {
  const std::string plain = auth::EncodeBase64(std::string("\0alice@example.test\0secret", 26));
  EXPECT_THAT(Lines({"AUTH PLAIN " + plain + "\r\nQUIT\r\n"}),
              ElementsAre("+OK maildrop has 3 messages (138 octets)", "+OK bye"));
  EXPECT_THAT(Lines({"AUTH PLAIN\r\n" + plain + "\r\nQUIT\r\n"}),
              ElementsAre("+ ", "+OK maildrop has 3 messages (138 octets)", "+OK bye"));
  EXPECT_THAT(Lines({"AUTH PLAIN\r\n*\r\nAUTH PLAIN !!!\r\nAUTH CRAM-MD5\r\nQUIT\r\n"}),
              ElementsAre("+ ", "-ERR authentication cancelled", "-ERR malformed PLAIN response",
                          "-ERR unsupported authentication mechanism", "+OK bye"));
}

TEST_F(Pop3SessionTest, AuthLogin) {
  const std::string user = auth::EncodeBase64("alice@example.test");
  const std::string pass = auth::EncodeBase64("secret");
  EXPECT_THAT(Lines({"AUTH LOGIN\r\n" + user + "\r\n" + pass + "\r\nQUIT\r\n"}),
              ElementsAre("+ VXNlcm5hbWU6", "+ UGFzc3dvcmQ6",
                          "+OK maildrop has 3 messages (138 octets)", "+OK bye"));
  EXPECT_THAT(Lines({"AUTH LOGIN " + user + "\r\n" + auth::EncodeBase64("wrong") + "\r\nQUIT\r\n"}),
              ElementsAre("+ UGFzc3dvcmQ6", "-ERR [AUTH] invalid user name or password",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, BareAuthListsMechanisms) {
  EXPECT_THAT(Lines({"AUTH\r\nQUIT\r\n"}),
              ElementsAre("+OK SASL mechanisms follow", "PLAIN", "LOGIN", ".", "+OK bye"));
}

TEST_F(Pop3SessionTest, ApopIsOffByDefault) {
  EXPECT_THAT(Lines({"APOP alice@example.test 0123456789abcdef0123456789abcdef\r\nQUIT\r\n"}),
              ElementsAre("-ERR APOP is not enabled on this server", "+OK bye"));
}

// A Stream whose next input is computed from what the server wrote so far (for APOP, whose
// digest depends on the greeting).
class InteractiveStream final : public net::Stream {
 public:
  explicit InteractiveStream(std::function<std::string(const std::string&)> respond)
      : respond_(std::move(respond)) {
    peer_.address = "127.0.0.1";
    peer_.loopback = true;
  }
  asio::awaitable<absl::StatusOr<size_t>> ReadSome(absl::Span<char> buffer,
                                                   absl::Duration) override {
    if (pending_.empty()) pending_ = respond_(output_);
    if (pending_.empty()) co_return absl::UnavailableError("closed");
    const size_t n = std::min(buffer.size(), pending_.size());
    std::copy_n(pending_.data(), n, buffer.data());
    pending_.erase(0, n);
    co_return n;
  }
  asio::awaitable<absl::Status> WriteAll(absl::string_view data, absl::Duration) override {
    output_.append(data.data(), data.size());
    co_return absl::OkStatus();
  }
  asio::awaitable<absl::Status> StartTls(absl::Duration) override {
    co_return absl::FailedPreconditionError("no TLS");
  }
  asio::awaitable<void> Shutdown(absl::Duration) override { co_return; }
  void Cancel() override {}
  void Close() override {}
  bool IsTls() const override { return false; }
  std::optional<net::TlsInfo> GetTlsInfo() const override { return std::nullopt; }
  const net::PeerInfo& peer() const override { return peer_; }
  const std::string& output() const { return output_; }

 private:
  std::function<std::string(const std::string&)> respond_;
  std::string pending_;
  std::string output_;
  net::PeerInfo peer_;
};

TEST_F(Pop3SessionTest, ApopWhenEnabled) {
  options_.enable_apop = true;
  options_.apop_secrets["alice@example.test"] = "tanstaaf";
  int step = 0;
  auto stream = std::make_unique<InteractiveStream>([&](const std::string& out) -> std::string {
    const size_t lt = out.find('<'), gt = out.find('>');
    const std::string timestamp = out.substr(lt, gt - lt + 1);
    switch (step++) {
      case 0:
        return "APOP alice@example.test " + ApopDigest(timestamp, "wrong") + "\r\n";
      case 1:
        return "APOP alice@example.test " + ApopDigest(timestamp, "tanstaaf") + "\r\nQUIT\r\n";
      default:
        return "";
    }
  });
  InteractiveStream* raw = stream.get();
  net::Connection connection(std::move(stream), net::Limits{}, "sid", "pop3");
  Session session(connection, SessionContext{options_, store_, throttle_, metrics_, false});
  RunSync(session.Run());
  std::vector<std::string> lines = absl::StrSplit(raw->output(), "\r\n");
  ASSERT_GE(lines.size(), 4u);
  EXPECT_THAT(lines[0], ::testing::MatchesRegex(R"(\+OK .* <[0-9]+\.[0-9a-f]+@localhost>)"));
  EXPECT_EQ(lines[1], "-ERR [AUTH] invalid user name or digest");
  EXPECT_EQ(lines[2], "+OK maildrop has 3 messages (138 octets)");
  EXPECT_EQ(lines[3], "+OK bye");
}

TEST_F(Pop3SessionTest, Utf8AndNoopAndPipelining) {
  // Every command in one packet: the replies come back in order.
  EXPECT_THAT(Lines({"UTF8\r\n" + Login() + "NOOP\r\nSTAT\r\nQUIT\r\n"}),
              ElementsAre("+OK UTF8 enabled", "+OK send PASS",
                          "+OK maildrop has 3 messages (138 octets)", "+OK", "+OK 3 138",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, EmptyMaildrop) {
  EXPECT_THAT(Lines({"USER bob@example.test\r\nPASS pw\r\nSTAT\r\nLIST\r\nUIDL\r\nQUIT\r\n"}),
              ElementsAre("+OK send PASS", "+OK maildrop has 0 messages (0 octets)", "+OK 0 0",
                          "+OK 0 messages (0 octets)", ".", "+OK unique-id listing follows", ".",
                          "+OK bye"));
}

TEST_F(Pop3SessionTest, MetricsCountCommandsAndLogins) {
  Run({Login() + "RETR 1\r\nDELE 1\r\nQUIT\r\n"});
  EXPECT_EQ(metrics_.commands.WithLabels({"RETR"}).value(), 1);
  EXPECT_EQ(metrics_.logins.WithLabels({"ok"}).value(), 1);
  EXPECT_EQ(metrics_.messages_retrieved.value(), 1);
  EXPECT_EQ(metrics_.messages_deleted.value(), 1);
  EXPECT_EQ(metrics_.sessions_in_transaction.value(), 0);
}

}  // namespace
}  // namespace mailroom::pop3
