// MailStore handlers for messages: deliver, fetch, read, store, copy/move, expunge,
// search and the expunged history.
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/mime/decode.h"
#include "services/shared/log/log.h"
#include "services/shared/text/utf8.h"
#include "services/store/domain/flags.h"
#include "services/store/domain/ingest.h"
#include "services/store/domain/mailbox_name.h"
#include "services/store/domain/section.h"
#include "services/store/service/grpc_status.h"
#include "services/store/service/mail_store_service.h"

namespace mailroom::store {
namespace {

grpc::Status Invalid(std::string_view message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(message));
}
grpc::Status Invalid(const absl::Status& status) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(status.message()));
}

// jsonb takes no NUL and no invalid UTF-8: envelope strings are repaired first.
std::string SanitizeForJson(const std::string& s) { return text::SanitizeUtf8(s, true); }

grpc::Status TooBig(uint64_t limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat("message exceeds the size limit of ", limit, " octets"));
}

// Reads the chunks that follow a DeliverMessage header into `raw`, enforcing `limit`.
// Only a stream closed by an `end` message counts: a cancelled client's stream also just
// stops, and must store nothing. The declared size, when given, must match.
template <typename Request>
grpc::Status ReadBody(grpc::ServerContext* context, grpc::ServerReader<Request>* reader,
                      uint64_t limit, uint64_t declared, std::string* raw) {
  Request part;
  bool ended = false;
  while (reader->Read(&part)) {
    if (ended) return Invalid("data after the end of the message");
    if (part.part_case() == Request::kEnd) {
      ended = part.end();
      continue;
    }
    if (part.part_case() != Request::kChunk) return Invalid("a header after the first message");
    if (raw->size() + part.chunk().size() > limit) return TooBig(limit);
    raw->append(part.chunk());
  }
  if (!ended || context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "stream ended without its end marker");
  }
  if (declared != 0 && declared != raw->size()) {
    return Invalid("message size differs from the declared size");
  }
  return grpc::Status::OK;
}

// The SMTP envelope and DSN parameters (RFC 3461) of one recipient's copy, kept with it.
std::string DeliveryJson(const v1::DeliverMessageRequest::Header& header,
                         const v1::DeliveryRecipient& rcpt) {
  std::string out = "{";
  const auto field = [&out](const char* key, const std::string& value) {
    if (value.empty()) return;
    if (out.size() > 1) out += ",";
    log::AppendJsonString(out, key);
    out += ":";
    log::AppendJsonString(out, SanitizeForJson(value));
  };
  field("envelope_from", header.envelope_from());
  field("original_recipient", rcpt.original());
  field("transaction_id", header.transaction_id());
  field("body", header.body_type());
  field("envid", header.dsn_envid());
  field("ret", header.dsn_ret());
  field("notify", rcpt.dsn_notify());
  field("orcpt", rcpt.dsn_orcpt());
  if (header.smtputf8()) out += out.size() > 1 ? ",\"smtputf8\":true" : "\"smtputf8\":true";
  out += "}";
  return out;
}

}  // namespace

grpc::Status MailStoreService::DeliverMessage(
    grpc::ServerContext* context, grpc::ServerReader<v1::DeliverMessageRequest>* reader,
    v1::DeliverMessageResponse* response) {
  v1::DeliverMessageRequest first;
  if (!reader->Read(&first) || first.part_case() != v1::DeliverMessageRequest::kHeader) {
    return Invalid("the first message must be the header");
  }
  const auto& header = first.header();
  if (header.recipients_size() == 0) return Invalid("no recipients");
  if (header.recipients_size() > limits_.max_recipients) {
    return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "too many recipients");
  }
  if (header.size() > limits_.max_message_bytes) return TooBig(limits_.max_message_bytes);
  std::vector<db::NewMessage> targets;
  for (const v1::DeliveryRecipient& rcpt : header.recipients()) {
    db::NewMessage& t = targets.emplace_back();
    t.user_id = rcpt.user_id();
    t.fallback_to_inbox = true;
    t.delivery_json = DeliveryJson(header, rcpt);
    if (!rcpt.mailbox().empty()) {
      absl::StatusOr<std::string> name = CanonicalMailboxName(rcpt.mailbox());
      if (name.ok()) t.mailbox = *name;
    }
  }
  std::string raw;
  raw.reserve(std::min<uint64_t>(header.size(), limits_.max_message_bytes));
  // The size of a delivery is known only at its end (SMTP DATA): it is not checked here.
  if (grpc::Status s = ReadBody(context, reader, limits_.max_message_bytes, 0, &raw); !s.ok()) {
    return s;
  }
  if (raw.empty()) return Invalid("empty message");

  const IngestedContent content = Ingest(raw, limits_.ingest);
  absl::StatusOr<v1::DeliverMessageResponse> r =
      db_->AddMessages(raw, content, targets, header.transaction_id());
  if (!r.ok()) return ToGrpc(r.status(), "DeliverMessage");
  *response = *std::move(r);
  log::Info("delivered", {{"transaction", header.transaction_id()},
                          {"recipients", header.recipients_size()},
                          {"size", static_cast<uint64_t>(raw.size())}});
  return grpc::Status::OK;
}

grpc::Status MailStoreService::FetchMessages(
    grpc::ServerContext* context, const v1::FetchMessagesRequest* request,
    grpc::ServerWriter<v1::FetchMessagesResponse>* writer) {
  absl::Status s = db_->Fetch(*request, limits_.fetch_batch,
                              [&](v1::FetchMessagesResponse& batch) {
                                return !context->IsCancelled() && writer->Write(batch);
                              });
  return ToGrpc(s, "FetchMessages");
}

grpc::Status MailStoreService::ReadMessage(grpc::ServerContext* context,
                                           const v1::ReadMessageRequest* request,
                                           grpc::ServerWriter<v1::ReadMessageResponse>* writer) {
  absl::StatusOr<db::MailDb::ContentRef> ref =
      db_->GetContentRef(request->user_id(), request->mailbox_id(), request->uid());
  if (!ref.ok()) return ToGrpc(ref.status(), "ReadMessage");
  std::vector<uint32_t> path(request->part_path().begin(), request->part_path().end());
  absl::StatusOr<ByteRange> range =
      FindSection(ref->structure, ref->size, ref->header_size, path, request->section());
  if (!range.ok()) return ToGrpc(range.status(), "ReadMessage");

  if (request->decode()) {
    // RFC 3516: BINARY[] is the decoded part; decoded parts are read whole (bounded by the
    // message size limit) and then sliced.
    absl::StatusOr<std::string> bytes = db_->ReadContent(ref->sha256, range->offset,
                                                         range->length);
    if (!bytes.ok()) return ToGrpc(bytes.status(), "ReadMessage");
    std::string decoded = range->part != nullptr
                              ? mime::DecodeTransferEncoding(range->part->encoding(), *bytes)
                              : *std::move(bytes);
    const uint64_t off = std::min<uint64_t>(request->offset(), decoded.size());
    uint64_t len = decoded.size() - off;
    if (request->length() > 0) len = std::min<uint64_t>(len, request->length());
    v1::ReadMessageResponse out;
    out.set_total_size(decoded.size());
    for (uint64_t done = 0; done < len || done == 0; done += limits_.read_chunk_bytes) {
      out.set_chunk(decoded.substr(off + done, std::min(limits_.read_chunk_bytes, len - done)));
      if (!writer->Write(out)) break;
      out.clear_total_size();
      if (len == 0) break;
    }
    return grpc::Status::OK;
  }

  const uint64_t off = std::min(request->offset(), range->length);
  uint64_t len = range->length - off;
  if (request->length() > 0) len = std::min(len, request->length());
  v1::ReadMessageResponse out;
  out.set_total_size(range->length);
  uint64_t done = 0;
  do {
    const uint64_t n = std::min(limits_.read_chunk_bytes, len - done);
    absl::StatusOr<std::string> chunk = db_->ReadContent(ref->sha256, range->offset + off + done,
                                                         n);
    if (!chunk.ok()) return ToGrpc(chunk.status(), "ReadMessage");
    out.set_chunk(*std::move(chunk));
    if (context->IsCancelled() || !writer->Write(out)) break;
    out.clear_total_size();
    done += n;
  } while (done < len);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::StoreFlags(grpc::ServerContext*,
                                          const v1::StoreFlagsRequest* request,
                                          v1::StoreFlagsResponse* response) {
  if (absl::Status s = ValidateFlags(request->flags()); !s.ok()) return Invalid(s);
  if (request->mode() == v1::StoreFlagsRequest::MODE_UNSPECIFIED) return Invalid("no mode");
  absl::StatusOr<v1::StoreFlagsResponse> r = db_->StoreFlags(*request);
  if (!r.ok()) return ToGrpc(r.status(), "StoreFlags");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::CopyMessages(grpc::ServerContext*,
                                            const v1::CopyMessagesRequest* request,
                                            v1::CopyMessagesResponse* response) {
  absl::StatusOr<std::string> name = CanonicalMailboxName(request->destination());
  if (!name.ok()) return Invalid(name.status());
  absl::StatusOr<v1::CopyMessagesResponse> r = db_->Copy(*request, *name);
  if (!r.ok()) return ToGrpc(r.status(), "CopyMessages");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::Expunge(grpc::ServerContext*, const v1::ExpungeRequest* request,
                                       v1::ExpungeResponse* response) {
  absl::StatusOr<v1::ExpungeResponse> r = db_->Expunge(*request);
  if (!r.ok()) return ToGrpc(r.status(), "Expunge");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::SearchMessages(grpc::ServerContext*,
                                              const v1::SearchMessagesRequest* request,
                                              v1::SearchMessagesResponse* response) {
  absl::StatusOr<v1::SearchMessagesResponse> r = db_->Search(*request);
  if (!r.ok()) return ToGrpc(r.status(), "SearchMessages");
  *response = *std::move(r);
  return grpc::Status::OK;
}

grpc::Status MailStoreService::GetExpunged(grpc::ServerContext*,
                                           const v1::GetExpungedRequest* request,
                                           v1::GetExpungedResponse* response) {
  absl::StatusOr<v1::GetExpungedResponse> r = db_->GetExpunged(*request);
  if (!r.ok()) return ToGrpc(r.status(), "GetExpunged");
  *response = *std::move(r);
  return grpc::Status::OK;
}

}  // namespace mailroom::store
