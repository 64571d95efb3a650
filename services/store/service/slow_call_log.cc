#include "services/store/service/slow_call_log.h"

#include <string>

#include "absl/time/clock.h"
#include "grpcpp/support/status.h"
#include "services/shared/log/log.h"

namespace mailroom::store {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;

class SlowCallLogger final : public grpc::experimental::Interceptor {
 public:
  SlowCallLogger(const char* method, absl::Duration threshold)
      : method_(method), threshold_(threshold), start_(absl::Now()) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const absl::Duration took = absl::Now() - start_;
      if (took >= threshold_) {
        const grpc::Status status = methods->GetSendStatus();
        log::Warning("slow store call",
                     {{"rpc", std::string(method_)},
                      {"ms", absl::ToInt64Milliseconds(took)},
                      {"code", static_cast<int>(status.error_code())}});
      }
    }
    methods->Proceed();
  }

 private:
  const char* const method_;
  const absl::Duration threshold_;
  const absl::Time start_;
};

class SlowCallLoggerFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit SlowCallLoggerFactory(absl::Duration threshold) : threshold_(threshold) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    if (info->type() != ServerRpcInfo::Type::UNARY) return nullptr;
    return new SlowCallLogger(info->method(), threshold_);
  }

 private:
  const absl::Duration threshold_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> MakeSlowCallLogger(
    absl::Duration threshold) {
  return std::make_unique<SlowCallLoggerFactory>(threshold);
}

}  // namespace mailroom::store
