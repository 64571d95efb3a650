// The Admin gRPC service behind mailroomctl: domains, users, passwords, quotas, aliases.
#ifndef MAILROOM_SERVICES_STORE_SERVICE_ADMIN_SERVICE_H_
#define MAILROOM_SERVICES_STORE_SERVICE_ADMIN_SERVICE_H_

#include "mailroom/store/v1/store.grpc.pb.h"
#include "services/store/db/mail_db.h"
#include "services/store/domain/password.h"

namespace mailroom::store {

class AdminService final : public v1::Admin::Service {
 public:
  AdminService(db::MailDb* db, PasswordCost cost) : db_(db), cost_(cost) {}

  grpc::Status AddDomain(grpc::ServerContext*, const v1::AddDomainRequest*,
                         v1::AddDomainResponse*) override;
  grpc::Status ListDomains(grpc::ServerContext*, const v1::ListDomainsRequest*,
                           v1::ListDomainsResponse*) override;
  grpc::Status RemoveDomain(grpc::ServerContext*, const v1::RemoveDomainRequest*,
                            v1::RemoveDomainResponse*) override;
  grpc::Status AddUser(grpc::ServerContext*, const v1::AddUserRequest*,
                       v1::AddUserResponse*) override;
  grpc::Status ListUsers(grpc::ServerContext*, const v1::ListUsersRequest*,
                         v1::ListUsersResponse*) override;
  grpc::Status RemoveUser(grpc::ServerContext*, const v1::RemoveUserRequest*,
                          v1::RemoveUserResponse*) override;
  grpc::Status SetPassword(grpc::ServerContext*, const v1::SetPasswordRequest*,
                           v1::SetPasswordResponse*) override;
  grpc::Status SetQuota(grpc::ServerContext*, const v1::SetQuotaRequest*,
                        v1::SetQuotaResponse*) override;
  grpc::Status SetUserDisabled(grpc::ServerContext*, const v1::SetUserDisabledRequest*,
                               v1::SetUserDisabledResponse*) override;
  grpc::Status AddAlias(grpc::ServerContext*, const v1::AddAliasRequest*,
                        v1::AddAliasResponse*) override;
  grpc::Status ListAliases(grpc::ServerContext*, const v1::ListAliasesRequest*,
                           v1::ListAliasesResponse*) override;
  grpc::Status RemoveAlias(grpc::ServerContext*, const v1::RemoveAliasRequest*,
                           v1::RemoveAliasResponse*) override;

 private:
  db::MailDb* const db_;
  const PasswordCost cost_;
};

}  // namespace mailroom::store

#endif  // MAILROOM_SERVICES_STORE_SERVICE_ADMIN_SERVICE_H_
