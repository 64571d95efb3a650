// pop3_load: fills mailboxes and reads them back over POP3, checking every message.
//
//   pop3_load fill  --store=H:P --users=U --messages=N [--size=B] [--maildir_root=DIR]
//       Delivers N messages (spread over users popload0..popload{U-1}@load.test, created with
//       password --password when missing) through the store's DeliverMessage. Each message
//       carries "X-Body-SHA256:", the SHA-256 of its body. With --maildir_root the same bytes
//       are also written to DIR/<user>/Maildir/new/ (for a reference server such as Dovecot).
//   pop3_load read  --port=P --users=U [--dele] [--expect=N] [--rounds=R] [--stat_only]
//       U concurrent clients, one per user, each running R sessions (USER/PASS, STAT, UIDL,
//       RETR of every message, optionally DELE, QUIT) on 127.0.0.1:P; every RETR is
//       un-byte-stuffed and its body digest checked. Prints sessions/s and messages/s; exits 1
//       on any digest mismatch or protocol error (or when --expect messages were not all seen).
//   pop3_load deliver --store=H:P --to=ADDRESS FILE...   delivers each file byte for byte.
//
// Only 127.0.0.1 is ever contacted; every loop is bounded by a count and --seconds.
#include <arpa/inet.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "mailroom/store/v1/store.grpc.pb.h"

ABSL_FLAG(std::string, store, "127.0.0.1:50051", "store address (fill, deliver)");
ABSL_FLAG(int, port, 2110, "POP3 port on 127.0.0.1 (read)");
ABSL_FLAG(int, users, 8, "users (and concurrent readers)");
ABSL_FLAG(std::string, user_prefix, "popload", "user names are <prefix><i>@<domain>");
ABSL_FLAG(std::string, domain, "load.test", "domain of the users");
ABSL_FLAG(std::string, password, "load-password", "password of the users");
ABSL_FLAG(int, messages, 2000, "messages to deliver in total (fill)");
ABSL_FLAG(int, size, 4096, "approximate message size in octets (fill)");
ABSL_FLAG(int, concurrency, 8, "concurrent deliveries (fill)");
ABSL_FLAG(std::string, maildir_root, "", "also write each message to <dir>/<user>/Maildir/new");
ABSL_FLAG(std::string, to, "", "recipient address (deliver)");
ABSL_FLAG(bool, dele, false, "DELE every message read, then QUIT (read)");
ABSL_FLAG(int, expect, -1, "messages the readers must see in total (read; -1 = any)");
ABSL_FLAG(int, rounds, 1, "sessions per reader (read)");
ABSL_FLAG(bool, stat_only, false, "sessions do USER/PASS, STAT, QUIT only (read)");
ABSL_FLAG(int, seconds, 120, "time limit of the whole run");

namespace v1 = ::mailroom::store::v1;

namespace {

std::string Hex(const unsigned char* p, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) absl::StrAppendFormat(&out, "%02x", p[i]);
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  return Hex(md, len);
}

std::string UserName(int i) {
  return absl::StrCat(absl::GetFlag(FLAGS_user_prefix), i, "@", absl::GetFlag(FLAGS_domain));
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto c = std::make_unique<grpc::ClientContext>();
  c->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return c;
}

// A message of about `size` octets whose body has lines starting with "." (byte-stuffing)
// and whose header carries the body's SHA-256.
std::string MakeMessage(int n, int size, const std::string& to) {
  std::string body;
  uint64_t x = 0x9e3779b97f4a7c15ull * static_cast<uint64_t>(n + 1);
  while (static_cast<int>(body.size()) < size - 200) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    if (x % 7 == 0) body += ".";
    if (x % 11 == 0) body += "..";
    absl::StrAppend(&body, "line ", body.size(), " of message ", n, " ", x, "\r\n");
  }
  if (n % 5 == 0) body += ".\r\n";  // a line that is only a dot
  return absl::StrCat("From: load@", absl::GetFlag(FLAGS_domain), "\r\nTo: ", to,
                      "\r\nSubject: load message ", n, "\r\nMessage-ID: <", n, ".",
                      absl::ToUnixNanos(absl::Now()), "@pop3load>\r\nX-Body-SHA256: ",
                      Sha256Hex(body), "\r\n\r\n", body);
}

uint64_t EnsureUser(v1::Admin::Stub& admin, v1::MailStore::Stub& mail, const std::string& address) {
  v1::AddUserRequest u;
  u.set_address(address);
  u.set_password(absl::GetFlag(FLAGS_password));
  v1::AddUserResponse ur;
  admin.AddUser(Ctx().get(), u, &ur);  // may exist already
  v1::ResolveAddressRequest rq;
  rq.set_address(address);
  v1::ResolveAddressResponse rr;
  grpc::Status s = mail.ResolveAddress(Ctx().get(), rq, &rr);
  if (!s.ok() || !rr.has_principal()) {
    std::cerr << "cannot resolve " << address << ": " << s.error_message() << "\n";
    std::exit(1);
  }
  return rr.principal().user_id();
}

bool Deliver(v1::MailStore::Stub& stub, uint64_t user, const std::string& raw) {
  v1::DeliverMessageResponse resp;
  auto ctx = Ctx();
  auto writer = stub.DeliverMessage(ctx.get(), &resp);
  v1::DeliverMessageRequest header;
  header.mutable_header()->add_recipients()->set_user_id(user);
  header.mutable_header()->set_size(raw.size());
  header.mutable_header()->set_envelope_from("load@load.test");
  writer->Write(header);
  for (size_t off = 0; off < raw.size(); off += 64 << 10) {
    v1::DeliverMessageRequest part;
    part.set_chunk(raw.substr(off, 64 << 10));
    if (!writer->Write(part)) break;
  }
  v1::DeliverMessageRequest end;
  end.set_end(true);  // without it the store treats the stream as cancelled
  writer->Write(end);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  if (!s.ok()) {
    static std::atomic<int> reported{0};
    if (reported++ < 5) std::cerr << "deliver failed: " << s.error_message() << "\n";
  }
  return s.ok();
}

int Fill() {
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_store), grpc::InsecureChannelCredentials());
  auto admin = v1::Admin::NewStub(channel);
  auto mail = v1::MailStore::NewStub(channel);
  v1::AddDomainRequest d;
  d.set_name(absl::GetFlag(FLAGS_domain));
  v1::AddDomainResponse dr;
  admin->AddDomain(Ctx().get(), d, &dr);
  const int users = absl::GetFlag(FLAGS_users);
  std::vector<uint64_t> ids;
  for (int i = 0; i < users; ++i) ids.push_back(EnsureUser(*admin, *mail, UserName(i)));
  const std::string maildir_root = absl::GetFlag(FLAGS_maildir_root);
  const int total = absl::GetFlag(FLAGS_messages);
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::atomic<int> next{0}, ok{0}, failed{0};
  const absl::Time start = absl::Now();
  std::vector<std::thread> workers;
  for (int w = 0; w < absl::GetFlag(FLAGS_concurrency); ++w) {
    workers.emplace_back([&] {
      auto stub = v1::MailStore::NewStub(channel);
      for (int n = next++; n < total && absl::Now() < deadline; n = next++) {
        const int u = n % users;
        const std::string raw = MakeMessage(n, absl::GetFlag(FLAGS_size), UserName(u));
        if (!Deliver(*stub, ids[u], raw)) {
          ++failed;
          continue;
        }
        ++ok;
        if (!maildir_root.empty()) {
          const std::filesystem::path dir =
              std::filesystem::path(maildir_root) / UserName(u) / "Maildir";
          for (const char* sub : {"new", "cur", "tmp"}) {
            std::filesystem::create_directories(dir / sub);
          }
          std::ofstream(dir / "new" / absl::StrCat(1700000000 + n, ".M", n, ".pop3load"),
                        std::ios::binary)
              << raw;
        }
      }
    });
  }
  for (auto& t : workers) t.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat("fill: delivered=%d failed=%d users=%d seconds=%.2f msgs_per_s=%.1f\n",
                               ok.load(), failed.load(), users, secs, ok / secs);
  return failed == 0 && ok == total ? 0 : 1;
}

int DeliverFiles(const std::vector<char*>& files) {
  auto channel = grpc::CreateChannel(absl::GetFlag(FLAGS_store), grpc::InsecureChannelCredentials());
  auto admin = v1::Admin::NewStub(channel);
  auto mail = v1::MailStore::NewStub(channel);
  v1::ResolveAddressRequest rq;
  rq.set_address(absl::GetFlag(FLAGS_to));
  v1::ResolveAddressResponse rr;
  grpc::Status s = mail->ResolveAddress(Ctx().get(), rq, &rr);
  if (!s.ok() || !rr.has_principal()) {
    std::cerr << "unknown recipient " << absl::GetFlag(FLAGS_to) << "\n";
    return 1;
  }
  for (size_t i = 2; i < files.size(); ++i) {
    std::ifstream in(files[i], std::ios::binary);
    std::stringstream data;
    data << in.rdbuf();
    if (!in || !Deliver(*mail, rr.principal().user_id(), data.str())) return 1;
  }
  return 0;
}

// A blocking POP3 client for the reader.
class Client {
 public:
  bool Connect(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv{30, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
  }
  ~Client() {
    if (fd_ >= 0) close(fd_);
  }
  bool Send(const std::string& s) { return write(fd_, s.data(), s.size()) == ssize_t(s.size()); }
  // One line without CRLF; false on EOF/error.
  bool ReadLine(std::string* line) {
    for (;;) {
      size_t eol = buf_.find("\r\n", pos_);
      if (eol != std::string::npos) {
        line->assign(buf_, pos_, eol - pos_);
        pos_ = eol + 2;
        return true;
      }
      buf_.erase(0, pos_);
      pos_ = 0;
      char tmp[65536];
      ssize_t n = read(fd_, tmp, sizeof(tmp));
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<size_t>(n));
    }
  }
  bool Ok(std::string* line) { return ReadLine(line) && absl::StartsWith(*line, "+OK"); }
  // The multi-line data after a +OK, un-byte-stuffed, lines joined with CRLF.
  bool ReadMulti(std::string* out) {
    out->clear();
    std::string line;
    while (ReadLine(&line)) {
      if (line == ".") return true;
      if (!line.empty() && line[0] == '.') line.erase(0, 1);
      out->append(line);
      out->append("\r\n");
    }
    return false;
  }

 private:
  int fd_ = -1;
  std::string buf_;
  size_t pos_ = 0;
};

// Checks X-Body-SHA256 against the body; returns false on a mismatch or a missing header.
bool DigestOk(const std::string& message) {
  const size_t split = message.find("\r\n\r\n");
  if (split == std::string::npos) return false;
  const std::string header = message.substr(0, split + 2);
  const size_t h = header.find("X-Body-SHA256: ");
  if (h == std::string::npos) return false;
  const std::string want = header.substr(h + 15, 64);
  return Sha256Hex(std::string_view(message).substr(split + 4)) == want;
}

struct ReadStats {
  std::atomic<int> sessions{0}, messages{0}, bad_digest{0}, errors{0};
  std::atomic<uint64_t> bytes{0};
};

void Reader(int user, const absl::Time deadline, ReadStats& stats) {
  const int port = absl::GetFlag(FLAGS_port);
  for (int round = 0; round < absl::GetFlag(FLAGS_rounds) && absl::Now() < deadline; ++round) {
    Client c;
    std::string line;
    if (!c.Connect(port) || !c.Ok(&line)) {
      ++stats.errors;
      std::cerr << "connect/greeting failed for user " << user << ": " << line << "\n";
      return;
    }
    c.Send(absl::StrCat("USER ", UserName(user), "\r\nPASS ", absl::GetFlag(FLAGS_password),
                        "\r\nSTAT\r\n"));
    int count = 0;
    if (!c.Ok(&line) || !c.Ok(&line) || !c.Ok(&line) ||
        !absl::SimpleAtoi(line.substr(4, line.find(' ', 4) - 4), &count)) {
      ++stats.errors;
      std::cerr << "login failed for user " << user << ": " << line << "\n";
      return;
    }
    if (!absl::GetFlag(FLAGS_stat_only)) {
      std::string message;
      for (int n = 1; n <= count; ++n) {
        c.Send(absl::StrCat("RETR ", n, "\r\n"));
        if (!c.Ok(&line) || !c.ReadMulti(&message)) {
          ++stats.errors;
          std::cerr << "RETR " << n << " failed: " << line << "\n";
          return;
        }
        if (!DigestOk(message)) {
          ++stats.bad_digest;
          std::cerr << "digest mismatch: user " << user << " message " << n << "\n";
        }
        ++stats.messages;
        stats.bytes += message.size();
        if (absl::GetFlag(FLAGS_dele)) {
          c.Send(absl::StrCat("DELE ", n, "\r\n"));
          if (!c.Ok(&line)) ++stats.errors;
        }
      }
    }
    c.Send("QUIT\r\n");
    if (!c.Ok(&line)) {
      ++stats.errors;
      std::cerr << "QUIT failed: " << line << "\n";
      return;
    }
    ++stats.sessions;
  }
}

int Read() {
  ReadStats stats;
  const absl::Time deadline = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  const absl::Time start = absl::Now();
  std::vector<std::thread> readers;
  for (int u = 0; u < absl::GetFlag(FLAGS_users); ++u) {
    readers.emplace_back([u, deadline, &stats] { Reader(u, deadline, stats); });
  }
  for (auto& t : readers) t.join();
  const double secs = absl::ToDoubleSeconds(absl::Now() - start);
  std::cout << absl::StrFormat(
      "read: port=%d sessions=%d messages=%d bad_digest=%d errors=%d seconds=%.2f "
      "sessions_per_s=%.1f messages_per_s=%.1f MB_per_s=%.2f\n",
      absl::GetFlag(FLAGS_port), stats.sessions.load(), stats.messages.load(),
      stats.bad_digest.load(), stats.errors.load(), secs, stats.sessions / secs,
      stats.messages / secs, static_cast<double>(stats.bytes) / secs / 1e6);
  const int expect = absl::GetFlag(FLAGS_expect);
  if (expect >= 0 && stats.messages != expect) {
    std::cerr << "expected " << expect << " messages, read " << stats.messages << "\n";
    return 1;
  }
  return stats.bad_digest == 0 && stats.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  const std::string mode = args.size() > 1 ? args[1] : "";
  if (mode == "fill") return Fill();
  if (mode == "read") return Read();
  if (mode == "deliver") return DeliverFiles(args);
  std::cerr << "usage: pop3_load fill|read|deliver [flags]  (see --help)\n";
  return 2;
}
