#include "services/pop3/session/fake_pop3_store.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::pop3::testing {

void FakePop3Store::AddUser(const std::string& address, const std::string& password,
                            std::vector<std::string> messages) {
  User u;
  u.id = users_.size() + 1;
  u.password = password;
  uint32_t uid = 1;
  for (std::string& m : messages) u.inbox[uid++] = std::move(m);
  users_[address] = std::move(u);
}

FakePop3Store::User* FakePop3Store::ById(uint64_t id) {
  for (auto& [name, u] : users_) {
    if (u.id == id) return &u;
  }
  return nullptr;
}

asio::awaitable<absl::StatusOr<Account>> FakePop3Store::Authenticate(std::string username,
                                                                     std::string password,
                                                                     std::string remote_ip) {
  ++authenticate_calls;
  last_remote_ip = remote_ip;
  auto it = users_.find(username);
  if (it == users_.end() || it->second.password != password) {
    co_return absl::PermissionDeniedError("bad credentials");
  }
  co_return Account{it->second.id, username};
}

asio::awaitable<absl::StatusOr<Account>> FakePop3Store::LookupAccount(std::string address) {
  auto it = users_.find(address);
  if (it == users_.end()) co_return absl::NotFoundError("no such user");
  co_return Account{it->second.id, address};
}

asio::awaitable<absl::StatusOr<std::string>> FakePop3Store::AcquireLease(uint64_t user_id,
                                                                         std::string,
                                                                         absl::Duration) {
  if (!lease_holder.empty() || leases_.count(user_id) > 0) {
    co_return absl::FailedPreconditionError("maildrop in use");
  }
  std::string id = absl::StrCat("lease-", next_lease_++);
  leases_[user_id] = id;
  co_return id;
}

asio::awaitable<absl::Status> FakePop3Store::RenewLease(uint64_t user_id, std::string lease_id,
                                                        absl::Duration) {
  auto it = leases_.find(user_id);
  if (it == leases_.end() || it->second != lease_id) {
    co_return absl::FailedPreconditionError("lease lost");
  }
  co_return absl::OkStatus();
}

asio::awaitable<absl::Status> FakePop3Store::ReleaseLease(uint64_t user_id, std::string lease_id) {
  auto it = leases_.find(user_id);
  if (it != leases_.end() && it->second == lease_id) leases_.erase(it);
  ++releases;
  co_return absl::OkStatus();
}

asio::awaitable<absl::StatusOr<Inbox>> FakePop3Store::OpenInbox(uint64_t user_id) {
  if (!inbox_error.ok()) co_return inbox_error;
  User* u = ById(user_id);
  if (u == nullptr) co_return absl::NotFoundError("no user");
  Inbox inbox;
  inbox.mailbox_id = 100 + user_id;
  inbox.uidvalidity = uidvalidity;
  for (const auto& [uid, body] : u->inbox) inbox.messages.push_back({uid, body.size()});
  co_return inbox;
}

asio::awaitable<absl::StatusOr<std::vector<std::pair<uint32_t, std::string>>>>
FakePop3Store::FetchBodies(uint64_t user_id, uint64_t, std::vector<uint32_t> uids) {
  ++fetch_bodies_calls;
  User* u = ById(user_id);
  std::vector<std::pair<uint32_t, std::string>> out;
  for (uint32_t uid : uids) {
    auto it = u->inbox.find(uid);
    if (it != u->inbox.end()) out.emplace_back(uid, it->second);
  }
  co_return out;
}

namespace {

class ChunkSource final : public MessageSource {
 public:
  ChunkSource(std::optional<std::string> body, size_t chunk)
      : body_(std::move(body)), chunk_(chunk) {}
  asio::awaitable<absl::StatusOr<std::optional<std::string>>> Next() override {
    if (!body_.has_value()) co_return absl::NotFoundError("no such message");
    if (pos_ >= body_->size()) co_return std::optional<std::string>();
    std::string piece = body_->substr(pos_, chunk_);
    pos_ += piece.size();
    co_return std::optional<std::string>(std::move(piece));
  }

 private:
  std::optional<std::string> body_;
  size_t chunk_;
  size_t pos_ = 0;
};

}  // namespace

std::unique_ptr<MessageSource> FakePop3Store::OpenMessage(uint64_t user_id, uint64_t,
                                                          uint32_t uid) {
  ++open_message_calls;
  User* u = ById(user_id);
  std::optional<std::string> body;
  if (auto it = u->inbox.find(uid); it != u->inbox.end()) body = it->second;
  return std::make_unique<ChunkSource>(std::move(body), read_chunk_bytes);
}

asio::awaitable<absl::Status> FakePop3Store::Expunge(uint64_t user_id, uint64_t,
                                                     std::vector<uint32_t> uids) {
  ++expunge_calls;
  if (!expunge_error.ok()) co_return expunge_error;
  User* u = ById(user_id);
  for (uint32_t uid : uids) u->inbox.erase(uid);
  last_expunged = std::move(uids);
  co_return absl::OkStatus();
}

}  // namespace mailroom::pop3::testing
