// The SMTP session state machine over a scripted fake connection and a fake store (an
// in-process gRPC MailStore on 127.0.0.1): reply codes for whole conversations, table-driven.
#include "services/smtp/session/session.h"

#include <grpcpp/grpcpp.h>

#include <mutex>
#include <regex>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/shared/auth/sasl.h"
#include "services/shared/net/testing/fake_stream.h"

namespace mailroom::smtp {
namespace {

namespace v1 = ::mailroom::store::v1;
using ::testing::ElementsAreArray;

// Local domain example.test with users bob (quota 1000, used 900) and ann (password
// "secret"); deliveries are recorded.
class FakeStore final : public v1::MailStore::Service {
 public:
  grpc::Status ResolveAddress(grpc::ServerContext*, const v1::ResolveAddressRequest* request,
                              v1::ResolveAddressResponse* response) override {
    const std::string& a = request->address();
    const std::string domain = a.substr(a.rfind('@') + 1);
    if (a.find('%') != std::string::npos) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad address");
    }
    if (domain == "example.test") {
      response->set_is_local_domain(true);
      if (a.rfind("bob@", 0) == 0 || a.rfind("ann@", 0) == 0) {
        v1::Principal* p = response->mutable_principal();
        p->set_user_id(a[0] == 'b' ? 1 : 2);
        if (a[0] == 'b') {
          p->set_quota_bytes(1000);
          p->set_used_bytes(900);
        }
      }
    }
    return grpc::Status::OK;
  }

  grpc::Status Authenticate(grpc::ServerContext*, const v1::AuthenticateRequest* request,
                            v1::AuthenticateResponse* response) override {
    if (request->username() != "ann@example.test" || request->password() != "secret") {
      return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "no");
    }
    response->mutable_principal()->set_user_id(2);
    response->mutable_principal()->set_address("ann@example.test");
    return grpc::Status::OK;
  }

  grpc::Status DeliverMessage(grpc::ServerContext*,
                              grpc::ServerReader<v1::DeliverMessageRequest>* reader,
                              v1::DeliverMessageResponse* response) override {
    v1::DeliverMessageRequest part;
    std::string body;
    bool ended = false;
    int recipients = 0;
    while (reader->Read(&part)) {
      if (part.has_header()) recipients = part.header().recipients_size();
      if (part.part_case() == v1::DeliverMessageRequest::kChunk) body += part.chunk();
      if (part.part_case() == v1::DeliverMessageRequest::kEnd) ended = true;
    }
    if (!ended) return grpc::Status(grpc::StatusCode::CANCELLED, "no end");
    std::lock_guard<std::mutex> lock(mu_);
    delivered_.push_back(body);
    last_recipients_ = recipients;
    response->add_results()->set_uid(static_cast<uint32_t>(delivered_.size()));
    return grpc::Status::OK;
  }

  std::vector<std::string> delivered() {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }
  int last_recipients() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_recipients_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> delivered_;
  int last_recipients_ = 0;
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
    smtp_metrics_ = std::make_unique<SmtpMetrics>(registry_);
    config_.hostname = "mx.example.test";
    config_.max_message_bytes = 2000;
    config_.max_recipients = 2;
  }
  void TearDown() override { server_->Shutdown(); }

  // Runs a whole conversation (input in `chunks`) and returns the reply codes in order.
  std::vector<int> Converse(std::vector<std::string> chunks, ListenerKind kind = ListenerKind::kMx,
                            bool loopback = true) {
    auto stream = std::make_unique<net::testing::FakeStream>(std::move(chunks));
    stream->mutable_peer().address = loopback ? "127.0.0.1" : "192.0.2.7";
    stream->mutable_peer().loopback = loopback;
    net::testing::FakeStream* raw = stream.get();
    net::Limits limits;
    net::Connection conn(std::move(stream), limits, "test-session", "mx");
    frontend::FrontendContext context{frontend_, *store_, *throttle_, registry_, true};
    Session session(conn, context, config_, kind, *smtp_metrics_);
    net::testing::RunSync(session.Run());
    output_ = raw->output();
    std::vector<int> codes;
    for (absl::string_view line : absl::StrSplit(output_, "\r\n", absl::SkipEmpty())) {
      if (line.size() >= 4 && line[3] == ' ') codes.push_back(std::stoi(std::string(line.substr(0, 3))));
    }
    return codes;
  }

  FakeStore fake_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  frontend::FrontendConfig frontend_;
  std::unique_ptr<store_client::StoreClient> store_;
  std::unique_ptr<auth::AuthThrottle> throttle_;
  metrics::Registry registry_;
  std::unique_ptr<SmtpMetrics> smtp_metrics_;
  SessionConfig config_;
  std::string output_;
};

TEST_F(SessionTest, ConversationsGiveTheRfc5321ReplyCodes) {
  struct Case {
    const char* name;
    std::vector<std::string> input;
    std::vector<int> codes;
  } cases[] = {
      {"happy path",
       {"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nRCPT TO:<ann@example.test>\r\nDATA\r\n",
        "Subject: s\r\n\r\nhello\r\n.\r\nQUIT\r\n"},
       {220, 250, 250, 250, 354, 250, 221}},
      {"order", {"MAIL FROM:<x@y.test>\r\nEHLO c.test\r\nRCPT TO:<ann@example.test>\r\n"
                 "DATA\r\nMAIL FROM:<x@y.test>\r\nMAIL FROM:<x@y.test>\r\nDATA\r\nQUIT\r\n"},
       {220, 503, 250, 503, 503, 250, 503, 554, 221}},
      {"recipients", {"HELO c.test\r\nMAIL FROM:<>\r\nRCPT TO:<nobody@example.test>\r\n"
                      "RCPT TO:<x@remote.test>\r\nRCPT TO:<a%b@example.test>\r\n"
                      "RCPT TO:<ann@example.test>\r\nRCPT TO:<ann@example.test>\r\n"
                      "RCPT TO:<bob@example.test>\r\nRCPT TO:<bob@example.test>\r\nQUIT\r\n"},
       {220, 250, 250, 550, 554, 553, 250, 250, 250, 452, 221}},
      {"declared size over limit and over quota",
       {"EHLO c.test\r\nMAIL FROM:<x@y.test> SIZE=5000\r\nMAIL FROM:<x@y.test> SIZE=500\r\n"
        "RCPT TO:<bob@example.test>\r\nQUIT\r\n"},
       {220, 250, 552, 250, 552, 221}},
      {"params need EHLO", {"HELO c.test\r\nMAIL FROM:<x@y.test> SIZE=10\r\nQUIT\r\n"},
       {220, 250, 555, 221}},
      {"bdat", {"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nRCPT TO:<ann@example.test>\r\n",
                "BDAT 5\r\nhelloBDAT 6 LAST\r\n worldQUIT\r\n"},
       {220, 250, 250, 250, 250, 250, 221}},
      {"bdat without transaction reads the chunk",
       {"EHLO c.test\r\nBDAT 4\r\nNOOPNOOP\r\nQUIT\r\n"}, {220, 250, 503, 250, 221}},
      {"auth on mx refused", {"EHLO c.test\r\nAUTH PLAIN\r\nQUIT\r\n"}, {220, 250, 503, 221}},
      {"helo with a bare CR", {"EHLO a\rInjected: x\r\nEHLO ok.test\r\nQUIT\r\n"},
       {220, 501, 250, 221}},
  };
  for (const Case& c : cases) {
    EXPECT_THAT(Converse(c.input), ElementsAreArray(c.codes)) << c.name << "\n" << output_;
  }
}

TEST_F(SessionTest, VrfyAnswers252UnlessEnabled) {
  EXPECT_THAT(Converse({"VRFY <ann@example.test>\r\nQUIT\r\n"}),
              ElementsAreArray({220, 252, 221}));
  config_.vrfy = true;
  EXPECT_THAT(Converse({"VRFY <ann@example.test>\r\nVRFY nobody@example.test\r\n"
                        "VRFY x@remote.test\r\nQUIT\r\n"}),
              ElementsAreArray({220, 250, 550, 252, 221}));
}

TEST_F(SessionTest, DeliveredBytesAreUnstuffedWithTraceHeaders) {
  Converse({"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nRCPT TO:<ann@example.test>\r\nDATA\r\n"
            "Subject: s\r\n\r\n..dot\r\nlast\r\n.\r\nQUIT\r\n"});
  const std::vector<std::string> delivered = fake_.delivered();
  ASSERT_EQ(delivered.size(), 1u);
  const std::string& body = delivered[0];
  EXPECT_THAT(body, ::testing::StartsWith("Return-Path: <x@y.test>\r\nReceived: from c.test "));
  EXPECT_THAT(body, ::testing::HasSubstr("with ESMTP id "));
  EXPECT_THAT(body, ::testing::EndsWith("\r\nSubject: s\r\n\r\n.dot\r\nlast\r\n"));
}

TEST_F(SessionTest, SubmissionNeedsAuthAndAcceptsPlainAndLogin) {
  const std::string plain = auth::EncodeBase64(std::string("\0ann@example.test\0secret", 24));
  const std::string bad = auth::EncodeBase64(std::string("\0ann@example.test\0wrong", 23));
  EXPECT_THAT(Converse({"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nAUTH PLAIN " + bad + "\r\n"
                        "AUTH PLAIN " + plain + "\r\nAUTH PLAIN " + plain + "\r\n"
                        "MAIL FROM:<ann@example.test>\r\nQUIT\r\n"},
                       ListenerKind::kSubmission),
              ElementsAreArray({220, 250, 530, 535, 235, 503, 250, 221}));
  EXPECT_THAT(output_, ::testing::HasSubstr("AUTH PLAIN LOGIN"));
  EXPECT_THAT(Converse({"EHLO c.test\r\nAUTH LOGIN\r\n" +
                        auth::EncodeBase64("ann@example.test") + "\r\n" +
                        auth::EncodeBase64("secret") + "\r\nQUIT\r\n"},
                       ListenerKind::kSubmission),
              ElementsAreArray({220, 250, 334, 334, 235, 221}));
}

TEST_F(SessionTest, PlaintextAuthRefusedOffLoopbackWithoutTls) {
  EXPECT_THAT(Converse({"EHLO c.test\r\nAUTH PLAIN AGEAYg==\r\nQUIT\r\n"},
                       ListenerKind::kSubmission, /*loopback=*/false),
              ElementsAreArray({220, 250, 538, 221}));
  EXPECT_THAT(output_, ::testing::Not(::testing::HasSubstr("AUTH PLAIN LOGIN")));
}

TEST_F(SessionTest, OversizeDataIsRefusedAndNothingDelivered) {
  const std::string big(3000, 'x');
  EXPECT_THAT(Converse({"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nRCPT TO:<ann@example.test>\r\n"
                        "DATA\r\n",
                        big + "\r\n.\r\nNOOP\r\nQUIT\r\n"}),
              ElementsAreArray({220, 250, 250, 250, 354, 552, 250, 221}));
  EXPECT_TRUE(fake_.delivered().empty());
}

TEST_F(SessionTest, PeerVanishingMidDataDeliversNothing) {
  Converse({"EHLO c.test\r\nMAIL FROM:<x@y.test>\r\nRCPT TO:<ann@example.test>\r\nDATA\r\n",
            "Subject: cut\r\n\r\npartial"});
  EXPECT_TRUE(fake_.delivered().empty());
}

}  // namespace
}  // namespace mailroom::smtp
