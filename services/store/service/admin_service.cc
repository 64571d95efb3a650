#include "services/store/service/admin_service.h"

#include "absl/strings/str_cat.h"
#include "services/shared/log/log.h"
#include "services/store/domain/address.h"
#include "services/store/service/grpc_status.h"

namespace mailroom::store {
namespace {

grpc::Status Invalid(const absl::Status& s, std::string_view what) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat(std::string(what), ": ", std::string(s.message())));
}

// Canonical form of an existing user's or alias's address, for lookups.
absl::StatusOr<std::string> CanonicalAddress(const std::string& address) {
  absl::StatusOr<ParsedAddress> parsed = ParseAddress(address);
  if (!parsed.ok()) return parsed.status();
  return parsed->Canonical();
}

}  // namespace

grpc::Status AdminService::AddDomain(grpc::ServerContext*, const v1::AddDomainRequest* request,
                                     v1::AddDomainResponse* response) {
  absl::StatusOr<std::string> name = CanonicalDomain(request->name());
  if (!name.ok()) return Invalid(name.status(), "domain");
  std::string catch_all;
  if (!request->catch_all().empty()) {
    absl::StatusOr<std::string> a = CanonicalAddress(request->catch_all());
    if (!a.ok()) return Invalid(a.status(), "catch-all");
    catch_all = *a;
  }
  absl::StatusOr<v1::Domain> d = db_->AddDomain(*name, catch_all);
  if (!d.ok()) return ToGrpc(d.status(), "AddDomain");
  *response->mutable_domain() = *std::move(d);
  log::Info("domain added", {{"domain", *name}});
  return grpc::Status::OK;
}

grpc::Status AdminService::ListDomains(grpc::ServerContext*, const v1::ListDomainsRequest*,
                                       v1::ListDomainsResponse* response) {
  absl::StatusOr<std::vector<v1::Domain>> r = db_->ListDomains();
  if (!r.ok()) return ToGrpc(r.status(), "ListDomains");
  for (v1::Domain& d : *r) *response->add_domains() = std::move(d);
  return grpc::Status::OK;
}

grpc::Status AdminService::RemoveDomain(grpc::ServerContext*,
                                        const v1::RemoveDomainRequest* request,
                                        v1::RemoveDomainResponse*) {
  absl::StatusOr<std::string> name = CanonicalDomain(request->name());
  if (!name.ok()) return Invalid(name.status(), "domain");
  absl::Status s = db_->RemoveDomain(*name, request->force());
  if (s.ok()) log::Info("domain removed", {{"domain", *name}, {"force", request->force()}});
  return ToGrpc(s, "RemoveDomain");
}

grpc::Status AdminService::AddUser(grpc::ServerContext*, const v1::AddUserRequest* request,
                                   v1::AddUserResponse* response) {
  absl::StatusOr<ParsedAddress> address = ParseAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "address");
  if (!address->tag.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "address: '+' is reserved for plus-addressing");
  }
  absl::StatusOr<std::string> hash = HashPassword(request->password(), cost_);
  if (!hash.ok()) return Invalid(hash.status(), "password");
  absl::StatusOr<v1::User> user = db_->AddUser(*address, *hash, request->quota_bytes());
  if (!user.ok()) return ToGrpc(user.status(), "AddUser");
  *response->mutable_user() = *std::move(user);
  log::Info("user added", {{"address", address->Canonical()}});
  return grpc::Status::OK;
}

grpc::Status AdminService::ListUsers(grpc::ServerContext*, const v1::ListUsersRequest* request,
                                     v1::ListUsersResponse* response) {
  absl::StatusOr<std::vector<v1::User>> r = db_->ListUsers(request->domain());
  if (!r.ok()) return ToGrpc(r.status(), "ListUsers");
  for (v1::User& u : *r) *response->add_users() = std::move(u);
  return grpc::Status::OK;
}

grpc::Status AdminService::RemoveUser(grpc::ServerContext*, const v1::RemoveUserRequest* request,
                                      v1::RemoveUserResponse*) {
  absl::StatusOr<std::string> address = CanonicalAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "address");
  absl::Status s = db_->RemoveUser(*address);
  if (s.ok()) log::Info("user removed", {{"address", *address}});
  return ToGrpc(s, "RemoveUser");
}

grpc::Status AdminService::SetPassword(grpc::ServerContext*,
                                       const v1::SetPasswordRequest* request,
                                       v1::SetPasswordResponse*) {
  absl::StatusOr<std::string> address = CanonicalAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "address");
  absl::StatusOr<std::string> hash = HashPassword(request->password(), cost_);
  if (!hash.ok()) return Invalid(hash.status(), "password");
  return ToGrpc(db_->SetPasswordHash(*address, *hash), "SetPassword");
}

grpc::Status AdminService::SetQuota(grpc::ServerContext*, const v1::SetQuotaRequest* request,
                                    v1::SetQuotaResponse* response) {
  absl::StatusOr<std::string> address = CanonicalAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "address");
  absl::StatusOr<v1::User> user = db_->SetQuota(*address, request->quota_bytes());
  if (!user.ok()) return ToGrpc(user.status(), "SetQuota");
  *response->mutable_user() = *std::move(user);
  return grpc::Status::OK;
}

grpc::Status AdminService::SetUserDisabled(grpc::ServerContext*,
                                           const v1::SetUserDisabledRequest* request,
                                           v1::SetUserDisabledResponse*) {
  absl::StatusOr<std::string> address = CanonicalAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "address");
  return ToGrpc(db_->SetDisabled(*address, request->disabled()), "SetUserDisabled");
}

grpc::Status AdminService::AddAlias(grpc::ServerContext*, const v1::AddAliasRequest* request,
                                    v1::AddAliasResponse* response) {
  absl::StatusOr<ParsedAddress> alias = ParseAddress(request->address());
  if (!alias.ok()) return Invalid(alias.status(), "alias");
  absl::StatusOr<std::string> target = CanonicalAddress(request->target());
  if (!target.ok()) return Invalid(target.status(), "target");
  absl::StatusOr<v1::Alias> a = db_->AddAlias(*alias, *target);
  if (!a.ok()) return ToGrpc(a.status(), "AddAlias");
  *response->mutable_alias() = *std::move(a);
  return grpc::Status::OK;
}

grpc::Status AdminService::ListAliases(grpc::ServerContext*,
                                       const v1::ListAliasesRequest* request,
                                       v1::ListAliasesResponse* response) {
  absl::StatusOr<std::vector<v1::Alias>> r = db_->ListAliases(request->domain());
  if (!r.ok()) return ToGrpc(r.status(), "ListAliases");
  for (v1::Alias& a : *r) *response->add_aliases() = std::move(a);
  return grpc::Status::OK;
}

grpc::Status AdminService::RemoveAlias(grpc::ServerContext*,
                                       const v1::RemoveAliasRequest* request,
                                       v1::RemoveAliasResponse*) {
  absl::StatusOr<std::string> address = CanonicalAddress(request->address());
  if (!address.ok()) return Invalid(address.status(), "alias");
  return ToGrpc(db_->RemoveAlias(*address), "RemoveAlias");
}

}  // namespace mailroom::store
