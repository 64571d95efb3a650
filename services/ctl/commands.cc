#include "services/ctl/commands.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "mailroom/store/v1/store.grpc.pb.h"

namespace mailroom::ctl {
namespace {

namespace v1 = ::mailroom::store::v1;

constexpr int kOk = 0, kRefused = 1, kUsage = 2, kUnreachable = 3;

// Parsed "name value" / "--flag value" / "--flag" options after the positional words.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::optional<std::string> Get(const std::string& name) const {
    auto it = options.find(name);
    if (it == options.end()) return std::nullopt;
    return it->second;
  }
  bool Has(const std::string& name) const { return options.count(name) > 0; }
};

Args Split(const std::vector<std::string>& in, size_t from) {
  static const char* const kValueOptions[] = {"--password", "--quota", "--catch-all"};
  Args out;
  for (size_t i = from; i < in.size(); ++i) {
    const std::string& a = in[i];
    if (a.rfind("--", 0) != 0) {
      out.positional.push_back(a);
      continue;
    }
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      out.options[a.substr(0, eq)] = a.substr(eq + 1);
      continue;
    }
    bool takes_value = false;
    for (const char* o : kValueOptions) takes_value |= a == o;
    out.options[a] = takes_value && i + 1 < in.size() ? in[++i] : "";
  }
  return out;
}

int Report(const grpc::Status& s) {
  if (s.ok()) return kOk;
  std::cerr << "mailroomctl: " << s.error_message();
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      std::cerr << " (is the store running? check --store / MAILROOM_STORE)\n";
      return kUnreachable;
    default:
      std::cerr << "\n";
      return kRefused;
  }
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(15));
  return ctx;
}

// The password from --password, or from standard input with --password-stdin (first line).
std::optional<std::string> Password(const Args& a) {
  if (auto p = a.Get("--password")) return p;
  if (a.Has("--password-stdin")) {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  return std::nullopt;
}

int Usage(const char* what) {
  std::cerr << "mailroomctl: " << what << " (see mailroomctl --help)\n";
  return kUsage;
}

std::string HumanBytes(uint64_t n) {
  if (n == 0) return "0";
  return std::to_string(n);
}

int Domain(v1::Admin::Stub& stub, const std::string& verb, const Args& a) {
  if (verb == "add" && a.positional.size() == 1) {
    v1::AddDomainRequest req;
    req.set_name(a.positional[0]);
    if (auto c = a.Get("--catch-all")) req.set_catch_all(*c);
    v1::AddDomainResponse resp;
    int rc = Report(stub.AddDomain(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "domain " << resp.domain().name() << " added\n";
    return rc;
  }
  if (verb == "list" && a.positional.empty()) {
    v1::ListDomainsResponse resp;
    int rc = Report(stub.ListDomains(Context().get(), {}, &resp));
    for (const auto& d : resp.domains()) {
      std::cout << d.name() << (d.catch_all().empty() ? "" : "\tcatch-all=" + d.catch_all())
                << "\n";
    }
    return rc;
  }
  if (verb == "remove" && a.positional.size() == 1) {
    v1::RemoveDomainRequest req;
    req.set_name(a.positional[0]);
    req.set_force(a.Has("--force"));
    v1::RemoveDomainResponse resp;
    int rc = Report(stub.RemoveDomain(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "domain " << a.positional[0] << " removed\n";
    return rc;
  }
  return Usage("domain add|list|remove DOMAIN");
}

int UserAdd(v1::Admin::Stub& stub, const Args& a) {
  if (a.positional.size() != 1) return Usage("user add ADDRESS --password PW|--password-stdin");
  std::optional<std::string> pw = Password(a);
  if (!pw || pw->empty()) return Usage("user add needs --password PW or --password-stdin");
  v1::AddUserRequest req;
  req.set_address(a.positional[0]);
  req.set_password(*pw);
  if (auto q = a.Get("--quota")) req.set_quota_bytes(std::strtoull(q->c_str(), nullptr, 10));
  v1::AddUserResponse resp;
  int rc = Report(stub.AddUser(Context().get(), req, &resp));
  if (rc == kOk) std::cout << "user " << resp.user().address() << " added\n";
  return rc;
}

int User(v1::Admin::Stub& stub, const std::string& verb, const Args& a) {
  if (verb == "add") return UserAdd(stub, a);
  if (verb == "list") {
    v1::ListUsersRequest req;
    if (!a.positional.empty()) req.set_domain(a.positional[0]);
    v1::ListUsersResponse resp;
    int rc = Report(stub.ListUsers(Context().get(), req, &resp));
    for (const auto& u : resp.users()) {
      std::cout << u.address() << "\tmessages=" << u.messages() << "\tused=" << u.used_bytes()
                << "\tquota=" << (u.quota_bytes() == 0 ? "unlimited" : HumanBytes(u.quota_bytes()))
                << (u.disabled() ? "\tdisabled" : "") << "\n";
    }
    return rc;
  }
  if (a.positional.size() < 1) return Usage("user list|add|remove|passwd|quota|disable|enable");
  const std::string& address = a.positional[0];
  if (verb == "remove") {
    v1::RemoveUserRequest req;
    req.set_address(address);
    v1::RemoveUserResponse resp;
    int rc = Report(stub.RemoveUser(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "user " << address << " removed\n";
    return rc;
  }
  if (verb == "passwd") {
    std::optional<std::string> pw = Password(a);
    if (!pw || pw->empty()) return Usage("user passwd ADDRESS --password PW|--password-stdin");
    v1::SetPasswordRequest req;
    req.set_address(address);
    req.set_password(*pw);
    v1::SetPasswordResponse resp;
    int rc = Report(stub.SetPassword(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "password of " << address << " changed\n";
    return rc;
  }
  if (verb == "quota") {
    if (a.positional.size() != 2) return Usage("user quota ADDRESS BYTES (0 = unlimited)");
    v1::SetQuotaRequest req;
    req.set_address(address);
    req.set_quota_bytes(std::strtoull(a.positional[1].c_str(), nullptr, 10));
    v1::SetQuotaResponse resp;
    int rc = Report(stub.SetQuota(Context().get(), req, &resp));
    if (rc == kOk) std::cout << address << " quota=" << resp.user().quota_bytes() << "\n";
    return rc;
  }
  if (verb == "disable" || verb == "enable") {
    v1::SetUserDisabledRequest req;
    req.set_address(address);
    req.set_disabled(verb == "disable");
    v1::SetUserDisabledResponse resp;
    int rc = Report(stub.SetUserDisabled(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "user " << address << " " << verb << "d\n";
    return rc;
  }
  return Usage("user list|add|remove|passwd|quota|disable|enable");
}

int Alias(v1::Admin::Stub& stub, const std::string& verb, const Args& a) {
  if (verb == "add" && a.positional.size() == 2) {
    v1::AddAliasRequest req;
    req.set_address(a.positional[0]);
    req.set_target(a.positional[1]);
    v1::AddAliasResponse resp;
    int rc = Report(stub.AddAlias(Context().get(), req, &resp));
    if (rc == kOk) {
      std::cout << "alias " << resp.alias().address() << " -> " << resp.alias().target() << "\n";
    }
    return rc;
  }
  if (verb == "list" && a.positional.size() <= 1) {
    v1::ListAliasesRequest req;
    if (!a.positional.empty()) req.set_domain(a.positional[0]);
    v1::ListAliasesResponse resp;
    int rc = Report(stub.ListAliases(Context().get(), req, &resp));
    for (const auto& al : resp.aliases()) std::cout << al.address() << "\t" << al.target() << "\n";
    return rc;
  }
  if (verb == "remove" && a.positional.size() == 1) {
    v1::RemoveAliasRequest req;
    req.set_address(a.positional[0]);
    v1::RemoveAliasResponse resp;
    int rc = Report(stub.RemoveAlias(Context().get(), req, &resp));
    if (rc == kOk) std::cout << "alias " << a.positional[0] << " removed\n";
    return rc;
  }
  return Usage("alias add ALIAS TARGET | alias list [DOMAIN] | alias remove ALIAS");
}

}  // namespace

void PrintUsage() {
  std::cout <<
      "usage: mailroomctl [--store HOST:PORT] COMMAND\n"
      "  domain add DOMAIN [--catch-all ADDRESS] | domain list | domain remove DOMAIN [--force]\n"
      "  user add ADDRESS (--password PW | --password-stdin) [--quota BYTES]\n"
      "  user list [DOMAIN] | user remove ADDRESS | user passwd ADDRESS (--password PW |\n"
      "       --password-stdin) | user quota ADDRESS BYTES | user disable|enable ADDRESS\n"
      "  alias add ALIAS TARGET | alias list [DOMAIN] | alias remove ALIAS\n"
      "  health                  exit 0 when the store and its database answer\n"
      "The store address defaults to $MAILROOM_STORE, else 127.0.0.1:50051.\n"
      "Exit codes: 0 ok, 1 refused by the store, 2 usage, 3 store unreachable.\n";
}

int RunCommand(const Invocation& inv) {
  auto channel = grpc::CreateChannel(inv.store, grpc::InsecureChannelCredentials());
  v1::Admin::Stub stub(channel);
  const std::string& noun = inv.args[0];
  if (noun == "health") {
    v1::ListDomainsResponse resp;
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    int rc = Report(stub.ListDomains(ctx.get(), {}, &resp));
    if (rc == kOk) std::cout << "ok\n";
    return rc;
  }
  if (inv.args.size() < 2) return Usage("missing verb");
  const Args a = Split(inv.args, 2);
  const std::string& verb = inv.args[1];
  if (noun == "domain") return Domain(stub, verb, a);
  if (noun == "user") return User(stub, verb, a);
  if (noun == "alias") return Alias(stub, verb, a);
  return Usage("unknown command");
}

}  // namespace mailroom::ctl
