// deliver_load: drives MailStore.DeliverMessage with a bounded number of messages of a given
// size to a given number of local recipients, from several concurrent clients, and reports
// messages/s, MB/s and latency percentiles. Only talks to the store address it is given
// (loopback in bench/store/deliver_bench.sh).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <mutex>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "mailroom/store/v1/store.grpc.pb.h"

ABSL_FLAG(std::string, store, "127.0.0.1:50051", "store address");
ABSL_FLAG(int, messages, 2000, "messages to deliver in total (upper bound)");
ABSL_FLAG(int, seconds, 60, "time limit (upper bound)");
ABSL_FLAG(int, size, 4096, "message size in octets");
ABSL_FLAG(int, recipients, 1, "local recipients per message");
ABSL_FLAG(int, concurrency, 8, "concurrent clients");

namespace v1 = ::mailroom::store::v1;

namespace {

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return c;
}

// Users bench0..benchN-1@bench.test, created when missing; returns their ids.
std::vector<uint64_t> EnsureUsers(const std::shared_ptr<grpc::Channel>& ch, int n) {
  auto admin = v1::Admin::NewStub(ch);
  auto mail = v1::MailStore::NewStub(ch);
  v1::AddDomainRequest d;
  d.set_name("bench.test");
  v1::AddDomainResponse dr;
  admin->AddDomain(Ctx().get(), d, &dr);
  std::vector<uint64_t> ids;
  for (int i = 0; i < n; ++i) {
    const std::string address = absl::StrCat("bench", i, "@bench.test");
    v1::AddUserRequest u;
    u.set_address(address);
    u.set_password("bench");
    v1::AddUserResponse ur;
    admin->AddUser(Ctx().get(), u, &ur);
    v1::ResolveAddressRequest rq;
    rq.set_address(address);
    v1::ResolveAddressResponse rr;
    grpc::Status s = mail->ResolveAddress(Ctx().get(), rq, &rr);
    if (!s.ok() || !rr.has_principal()) {
      std::cerr << "cannot resolve " << address << ": " << s.error_message() << "\n";
      std::exit(1);
    }
    ids.push_back(rr.principal().user_id());
  }
  return ids;
}

std::string MakeMessage(int n, int size) {
  std::string m = absl::StrCat("From: load@bench.test\r\nTo: bench0@bench.test\r\nSubject: load ",
                               n, "\r\nMessage-ID: <", n, "@bench.test>\r\n\r\n");
  while (static_cast<int>(m.size()) < size) {
    absl::StrAppend(&m, "The quick brown fox jumps over the lazy dog ", m.size(), "\r\n");
  }
  m.resize(size);
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_store), grpc::InsecureChannelCredentials());
  const std::vector<uint64_t> users = EnsureUsers(channel, absl::GetFlag(FLAGS_recipients));
  const int total = absl::GetFlag(FLAGS_messages);
  const int size = absl::GetFlag(FLAGS_size);
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::atomic<int> next{0}, ok{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies;
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int w = 0; w < absl::GetFlag(FLAGS_concurrency); ++w) {
    workers.emplace_back([&] {
      auto stub = v1::MailStore::NewStub(channel);
      std::vector<double> mine;
      for (int n = next++; n < total && absl::Now() < deadline; n = next++) {
        const std::string raw = MakeMessage(n, size);
        const absl::Time t0 = absl::Now();
        v1::DeliverMessageResponse resp;
        auto ctx = Ctx();
        auto writer = stub->DeliverMessage(ctx.get(), &resp);
        v1::DeliverMessageRequest header;
        for (uint64_t u : users) header.mutable_header()->add_recipients()->set_user_id(u);
        header.mutable_header()->set_size(raw.size());
        writer->Write(header);
        for (size_t off = 0; off < raw.size(); off += 64 << 10) {
          v1::DeliverMessageRequest part;
          part.set_chunk(raw.substr(off, 64 << 10));
          writer->Write(part);
        }
        v1::DeliverMessageRequest end;
        end.set_end(true);
        writer->Write(end);
        writer->WritesDone();
        if (writer->Finish().ok()) {
          ++ok;
          mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - t0));
        } else {
          ++failed;
        }
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : workers) t.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::sort(latencies.begin(), latencies.end());
  const auto pct = [&](double p) {
    return latencies.empty() ? 0.0 : latencies[std::min(latencies.size() - 1,
                                                        static_cast<size_t>(p * latencies.size()))];
  };
  std::cout << "size=" << size << " recipients=" << users.size() << " concurrency="
            << absl::GetFlag(FLAGS_concurrency) << " delivered=" << ok << " failed=" << failed
            << " seconds=" << secs << " msgs_per_s=" << ok / secs
            << " MB_per_s=" << ok * static_cast<double>(size) / secs / 1e6
            << " p50_ms=" << pct(0.5) << " p99_ms=" << pct(0.99) << "\n";
  return failed > 0 ? 1 : 0;
}
