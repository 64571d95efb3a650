// MailStore handlers for accounts, mailboxes and leases. Message handlers are in
// mail_store_messages.cc, Watch in watch_reactor.cc.
#include "services/store/service/mail_store_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/store/domain/address.h"
#include "services/store/domain/mailbox_name.h"
#include "services/store/domain/password.h"
#include "services/store/service/grpc_status.h"

namespace mailroom::store {
namespace {

constexpr uint32_t kMaxLeaseSeconds = 3600;
// Used to spend the same time on unknown users as on known ones (no user enumeration).
constexpr char kDummyHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$"
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

grpc::Status Invalid(const absl::Status& s) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(s.message()));
}

}  // namespace

MailStoreService::MailStoreService(db::MailDb* db, WatchHub* hub, ServiceLimits limits)
    : db_(db), hub_(hub), limits_(std::move(limits)) {}

grpc::Status MailStoreService::Authenticate(grpc::ServerContext*,
                                            const v1::AuthenticateRequest* request,
                                            v1::AuthenticateResponse* response) {
  std::string login = request->username();
  if (login.find('@') == std::string::npos && !limits_.default_domain.empty()) {
    login = absl::StrCat(login, "@", limits_.default_domain);
  }
  absl::StatusOr<ParsedAddress> address = ParseAddress(login);
  absl::StatusOr<db::UserAuth> user =
      address.ok() ? db_->GetUserAuth(address->Canonical()) : absl::NotFoundError("bad login");
  if (!user.ok() && user.status().code() != absl::StatusCode::kNotFound) {
    return ToGrpc(user.status(), "Authenticate");
  }
  const bool match = VerifyPassword(request->password(),
                                    user.ok() ? user->password_hash : std::string(kDummyHash));
  if (!user.ok() || !match || user->disabled) {
    log::Info("authentication failed", {{"protocol", request->protocol()},
                                        {"remote_ip", request->remote_ip()},
                                        {"disabled", user.ok() && user->disabled}});
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "authentication failed");
  }
  *response->mutable_principal() = user->principal;
  return grpc::Status::OK;
}

grpc::Status MailStoreService::ResolveAddress(grpc::ServerContext*,
                                              const v1::ResolveAddressRequest* request,
                                              v1::ResolveAddressResponse* response) {
  absl::StatusOr<ParsedAddress> address = ParseAddress(request->address());
  if (!address.ok()) return Invalid(address.status());
  absl::StatusOr<v1::ResolveAddressResponse> r = db_->ResolveAddress(*address);
  if (!r.ok()) return ToGrpc(r.status(), "ResolveAddress");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::GetQuota(grpc::ServerContext*, const v1::GetQuotaRequest* request,
                                        v1::GetQuotaResponse* response) {
  absl::StatusOr<v1::GetQuotaResponse> r = db_->GetQuota(request->user_id());
  if (!r.ok()) return ToGrpc(r.status(), "GetQuota");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::ListMailboxes(grpc::ServerContext*,
                                             const v1::ListMailboxesRequest* request,
                                             v1::ListMailboxesResponse* response) {
  absl::StatusOr<v1::ListMailboxesResponse> r =
      db_->ListMailboxes(request->user_id(), request->subscribed_only());
  if (!r.ok()) return ToGrpc(r.status(), "ListMailboxes");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::CreateMailbox(grpc::ServerContext*,
                                             const v1::CreateMailboxRequest* request,
                                             v1::CreateMailboxResponse* response) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->name());
  if (!name.ok()) return Invalid(name.status());
  absl::StatusOr<v1::MailboxInfo> r =
      db_->CreateMailbox(request->user_id(), *name, request->special_use());
  if (!r.ok()) return ToGrpc(r.status(), "CreateMailbox");
  *response->mutable_mailbox() = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::DeleteMailbox(grpc::ServerContext*,
                                             const v1::DeleteMailboxRequest* request,
                                             v1::DeleteMailboxResponse*) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->name());
  if (!name.ok()) return Invalid(name.status());
  return ToGrpc(db_->DeleteMailbox(request->user_id(), *name), "DeleteMailbox");
}

grpc::Status MailStoreService::RenameMailbox(grpc::ServerContext*,
                                             const v1::RenameMailboxRequest* request,
                                             v1::RenameMailboxResponse*) {
  absl::StatusOr<std::string> from = CanonicalMailboxName(request->from_name());
  if (!from.ok()) return Invalid(from.status());
  absl::StatusOr<std::string> to = CanonicalMailboxName(request->to_name());
  if (!to.ok()) return Invalid(to.status());
  if (*to == kInbox) {
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS, "INBOX always exists");
  }
  return ToGrpc(db_->RenameMailbox(request->user_id(), *from, *to), "RenameMailbox");
}

grpc::Status MailStoreService::Subscribe(grpc::ServerContext*,
                                         const v1::SubscribeRequest* request,
                                         v1::SubscribeResponse*) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->name());
  if (!name.ok()) return Invalid(name.status());
  return ToGrpc(db_->Subscribe(request->user_id(), *name, request->subscribe()), "Subscribe");
}

grpc::Status MailStoreService::GetMailboxStatus(grpc::ServerContext*,
                                                const v1::GetMailboxStatusRequest* request,
                                                v1::GetMailboxStatusResponse* response) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->name());
  if (!name.ok()) return Invalid(name.status());
  absl::StatusOr<v1::MailboxStatus> r = db_->GetStatus(request->user_id(), *name);
  if (!r.ok()) return ToGrpc(r.status(), "GetMailboxStatus");
  *response->mutable_status() = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::SelectMailbox(grpc::ServerContext*,
                                             const v1::SelectMailboxRequest* request,
                                             v1::SelectMailboxResponse* response) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->name());
  if (!name.ok()) return Invalid(name.status());
  absl::StatusOr<v1::SelectMailboxResponse> r = db_->Select(*request, *name);
  if (!r.ok()) return ToGrpc(r.status(), "SelectMailbox");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::AcquireLease(grpc::ServerContext*,
                                            const v1::AcquireLeaseRequest* request,
                                            v1::AcquireLeaseResponse* response) {
  if (request->ttl_seconds() == 0 || request->ttl_seconds() > kMaxLeaseSeconds) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "ttl_seconds out of range");
  }
  absl::StatusOr<std::string> lease =
      db_->AcquireLease(request->user_id(), request->holder(), request->ttl_seconds());
  if (!lease.ok()) return ToGrpc(lease.status(), "AcquireLease");
  response->set_lease_id(*lease);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::RenewLease(grpc::ServerContext*,
                                          const v1::RenewLeaseRequest* request,
                                          v1::RenewLeaseResponse*) {
  if (request->ttl_seconds() == 0 || request->ttl_seconds() > kMaxLeaseSeconds) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "ttl_seconds out of range");
  }
  return ToGrpc(db_->RenewLease(request->user_id(), request->lease_id(), request->ttl_seconds()),
                "RenewLease");
}

grpc::Status MailStoreService::ReleaseLease(grpc::ServerContext*,
                                            const v1::ReleaseLeaseRequest* request,
                                            v1::ReleaseLeaseResponse*) {
  return ToGrpc(db_->ReleaseLease(request->user_id(), request->lease_id()), "ReleaseLease");
}

}  // namespace mailroom::store
