// The unary RPCs of MailStore over the gRPC callback API.
#include <functional>
#include <memory>
#include <utility>

#include "grpcpp/support/status.h"
#include "services/shared/store_client/internal/core.h"
#include "services/shared/store_client/status_mapping.h"
#include "services/shared/store_client/store_client.h"

namespace mailroom::store_client {
namespace {

using internal::AsyncStub;
using internal::ClientCore;

template <typename Request, typename Response>
using UnaryMethod = void (AsyncStub::*)(grpc::ClientContext*, const Request*, Response*,
                                        std::function<void(grpc::Status)>);

// Everything one attempt needs until gRPC's callback has run.
template <typename Request, typename Response>
struct UnaryCall {
  grpc::ClientContext context;
  Request request;
  Response response;
};

enum class Retry { kNo, kOnUnavailable };

template <typename Request, typename Response>
asio::awaitable<absl::StatusOr<Response>> UnaryAttempt(std::shared_ptr<const ClientCore> core,
                                                       UnaryMethod<Request, Response> method,
                                                       const Request& request) {
  auto call = std::make_shared<UnaryCall<Request, Response>>();
  call->request = request;
  internal::SetDeadline(call->context, core->options.unary_deadline);
  // A unary call made while the channel is between connection attempts (a store replica
  // restarting, a connect that timed out on a loaded machine) waits for the next connection
  // within its deadline instead of failing at once (a login refused for nothing). Streams
  // fed by a remote client (SMTP DATA) keep failing fast: their deadline is minutes.
  call->context.set_wait_for_ready(true);
  // The frame owns `call` until it resumes; gRPC's callback must not own it, or the last
  // reference to the channel (held by ClientContext) could die on a gRPC thread.
  auto start = [core, call, method](internal::Resume<grpc::Status> resume) {
    (core->stub->async()->*method)(&call->context, &call->request, &call->response,
                                   [resume](grpc::Status s) { resume(std::move(s)); });
  };
  std::function<void()> cancel = [call] { call->context.TryCancel(); };
  grpc::Status status =
      co_await internal::AwaitCallback<grpc::Status>(std::move(start), std::move(cancel));
  if (!status.ok()) co_return FromGrpcStatus(status);
  co_return std::move(call->response);
}

template <typename Request, typename Response>
asio::awaitable<absl::StatusOr<Response>> CallUnary(std::shared_ptr<const ClientCore> core,
                                                    const char* rpc,
                                                    UnaryMethod<Request, Response> method,
                                                    Request request, Retry retry) {
  // Named, not a temporary in the co_await expression (see internal/core.h).
  auto attempt = [core, method, request = std::move(request)] {
    return UnaryAttempt<Request, Response>(core, method, request);
  };
  co_return co_await internal::WithRetries<Response>(core->options, rpc,
                                                     retry == Retry::kOnUnavailable, attempt);
}

// For RPCs whose response message is empty.
template <typename Request, typename Response>
asio::awaitable<absl::Status> CallUnaryNoResponse(std::shared_ptr<const ClientCore> core,
                                                  const char* rpc,
                                                  UnaryMethod<Request, Response> method,
                                                  Request request) {
  absl::StatusOr<Response> response =
      co_await CallUnary<Request, Response>(core, rpc, method, request, Retry::kNo);
  co_return response.status();
}

}  // namespace

asio::awaitable<absl::StatusOr<v1::AuthenticateResponse>> StoreClient::Authenticate(
    v1::AuthenticateRequest request) {
  return CallUnary(core_, "Authenticate", &AsyncStub::Authenticate, std::move(request),
                   Retry::kNo);
}

asio::awaitable<absl::StatusOr<v1::ResolveAddressResponse>> StoreClient::ResolveAddress(
    v1::ResolveAddressRequest request) {
  return CallUnary(core_, "ResolveAddress", &AsyncStub::ResolveAddress, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::GetQuotaResponse>> StoreClient::GetQuota(
    v1::GetQuotaRequest request) {
  return CallUnary(core_, "GetQuota", &AsyncStub::GetQuota, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::ListMailboxesResponse>> StoreClient::ListMailboxes(
    v1::ListMailboxesRequest request) {
  return CallUnary(core_, "ListMailboxes", &AsyncStub::ListMailboxes, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::CreateMailboxResponse>> StoreClient::CreateMailbox(
    v1::CreateMailboxRequest request) {
  return CallUnary(core_, "CreateMailbox", &AsyncStub::CreateMailbox, std::move(request),
                   Retry::kNo);
}

asio::awaitable<absl::Status> StoreClient::DeleteMailbox(v1::DeleteMailboxRequest request) {
  return CallUnaryNoResponse(core_, "DeleteMailbox", &AsyncStub::DeleteMailbox,
                             std::move(request));
}

asio::awaitable<absl::Status> StoreClient::RenameMailbox(v1::RenameMailboxRequest request) {
  return CallUnaryNoResponse(core_, "RenameMailbox", &AsyncStub::RenameMailbox,
                             std::move(request));
}

asio::awaitable<absl::Status> StoreClient::Subscribe(v1::SubscribeRequest request) {
  return CallUnaryNoResponse(core_, "Subscribe", &AsyncStub::Subscribe, std::move(request));
}

asio::awaitable<absl::StatusOr<v1::GetMailboxStatusResponse>> StoreClient::GetMailboxStatus(
    v1::GetMailboxStatusRequest request) {
  return CallUnary(core_, "GetMailboxStatus", &AsyncStub::GetMailboxStatus, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::SelectMailboxResponse>> StoreClient::SelectMailbox(
    v1::SelectMailboxRequest request) {
  return CallUnary(core_, "SelectMailbox", &AsyncStub::SelectMailbox, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::StoreFlagsResponse>> StoreClient::StoreFlags(
    v1::StoreFlagsRequest request) {
  return CallUnary(core_, "StoreFlags", &AsyncStub::StoreFlags, std::move(request),
                   Retry::kNo);
}

asio::awaitable<absl::StatusOr<v1::CopyMessagesResponse>> StoreClient::CopyMessages(
    v1::CopyMessagesRequest request) {
  return CallUnary(core_, "CopyMessages", &AsyncStub::CopyMessages, std::move(request),
                   Retry::kNo);
}

asio::awaitable<absl::StatusOr<v1::ExpungeResponse>> StoreClient::Expunge(
    v1::ExpungeRequest request) {
  return CallUnary(core_, "Expunge", &AsyncStub::Expunge, std::move(request), Retry::kNo);
}

asio::awaitable<absl::StatusOr<v1::SearchMessagesResponse>> StoreClient::SearchMessages(
    v1::SearchMessagesRequest request) {
  return CallUnary(core_, "SearchMessages", &AsyncStub::SearchMessages, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::GetExpungedResponse>> StoreClient::GetExpunged(
    v1::GetExpungedRequest request) {
  return CallUnary(core_, "GetExpunged", &AsyncStub::GetExpunged, std::move(request),
                   Retry::kOnUnavailable);
}

asio::awaitable<absl::StatusOr<v1::AcquireLeaseResponse>> StoreClient::AcquireLease(
    v1::AcquireLeaseRequest request) {
  return CallUnary(core_, "AcquireLease", &AsyncStub::AcquireLease, std::move(request),
                   Retry::kNo);
}

asio::awaitable<absl::Status> StoreClient::RenewLease(v1::RenewLeaseRequest request) {
  return CallUnaryNoResponse(core_, "RenewLease", &AsyncStub::RenewLease, std::move(request));
}

asio::awaitable<absl::Status> StoreClient::ReleaseLease(v1::ReleaseLeaseRequest request) {
  return CallUnaryNoResponse(core_, "ReleaseLease", &AsyncStub::ReleaseLease,
                             std::move(request));
}

}  // namespace mailroom::store_client
