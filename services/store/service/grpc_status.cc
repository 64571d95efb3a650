#include "services/store/service/grpc_status.h"

#include <string>

#include "services/shared/log/log.h"

namespace mailroom::store {

grpc::Status ToGrpc(const absl::Status& status, std::string_view rpc) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  if (status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown) {
    log::Error("internal error", {{"rpc", std::string(rpc)},
                                  {"error", std::string(status.message())}});
    return grpc::Status(code, "internal error");
  }
  if (status.code() == absl::StatusCode::kUnavailable) {
    log::Warning("unavailable", {{"rpc", std::string(rpc)},
                                 {"error", std::string(status.message())}});
  }
  return grpc::Status(code, std::string(status.message()));
}

}  // namespace mailroom::store
