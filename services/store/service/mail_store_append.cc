// MailStore.AppendMessage: one message, or several committed all or nothing (IMAP MULTIAPPEND,
// RFC 3502), streamed as header, chunks, [header, chunks]..., end (see store.proto).
#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "services/store/domain/flags.h"
#include "services/store/domain/ingest.h"
#include "services/store/domain/mailbox_name.h"
#include "services/store/service/grpc_status.h"
#include "services/store/service/mail_store_service.h"

namespace mailroom::store {
namespace {

using Request = v1::AppendMessageRequest;
using Reader = grpc::ServerReader<Request>;

grpc::Status Invalid(absl::string_view message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(message));
}

grpc::Status TooBig(uint64_t limit) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      absl::StrCat("message exceeds the size limit of ", limit, " octets"));
}

int64_t InternalDateMicros(const Request::Header& header) {
  if (!header.has_internal_date()) return 0;
  return header.internal_date().seconds() * 1000000 + header.internal_date().nanos() / 1000;
}

// What follows a message's body in the stream.
enum class After { kEnd, kNextHeader };

// Reads one message's chunks into `raw` (at most `limit` octets) up to the next header (moved
// into `next`) or the end of the stream. Only a stream closed after an `end` message counts as
// ended: a cancelled client's stream also just stops, and must store nothing (CANCELLED). The
// declared size, when given, must match.
grpc::Status ReadOneMessage(grpc::ServerContext* context, Reader* reader, uint64_t limit,
                            uint64_t declared, std::string* raw, Request::Header* next,
                            After* after) {
  Request part;
  bool ended = false;
  bool got_next = false;
  while (!got_next && reader->Read(&part)) {
    if (ended) return Invalid("data after the end marker");
    switch (part.part_case()) {
      case Request::kEnd:
        ended = part.end();
        break;
      case Request::kHeader:
        *next = std::move(*part.mutable_header());
        got_next = true;
        break;
      case Request::kChunk:
        if (raw->size() + part.chunk().size() > limit) return TooBig(limit);
        raw->append(part.chunk());
        break;
      default:
        return Invalid("a stream message without a part");
    }
  }
  if (!got_next && (!ended || context->IsCancelled())) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "stream ended without its end marker");
  }
  if (declared != 0 && declared != raw->size()) {
    return Invalid("message size differs from the declared size");
  }
  if (raw->empty()) return Invalid("empty message");
  *after = got_next ? After::kNextHeader : After::kEnd;
  return grpc::Status::OK;
}

// What every header must satisfy: a size within the limit and valid flags.
grpc::Status CheckHeader(const Request::Header& header, uint64_t limit) {
  if (header.size() > limit) return TooBig(limit);
  if (absl::Status s = ValidateFlags(header.flags()); !s.ok()) return Invalid(s.message());
  return grpc::Status::OK;
}

// A later header of a several-message stream: same user and mailbox as the first, if given.
grpc::Status CheckLaterHeader(const Request::Header& header, const Request::Header& first,
                              const std::string& mailbox, uint64_t limit) {
  if (header.user_id() != 0 && header.user_id() != first.user_id()) {
    return Invalid("all messages of one append go to the same user");
  }
  if (!header.mailbox().empty()) {
    absl::StatusOr<std::string> name = CanonicalMailboxName(header.mailbox());
    if (!name.ok() || *name != mailbox) {
      return Invalid("all messages of one append go to the same mailbox");
    }
  }
  return CheckHeader(header, limit);
}

}  // namespace

grpc::Status MailStoreService::AppendMessage(grpc::ServerContext* context, Reader* reader,
                                             v1::AppendMessageResponse* response) {
  Request first;
  if (!reader->Read(&first) || first.part_case() != Request::kHeader) {
    return Invalid("the first message must be the header");
  }
  const Request::Header header = first.header();
  const uint64_t limit = limits_.max_message_bytes;
  if (grpc::Status s = CheckHeader(header, limit); !s.ok()) return s;
  absl::StatusOr<std::string> name = CanonicalMailboxName(header.mailbox());
  if (!name.ok()) return Invalid(name.status().message());
  std::string raw;
  raw.reserve(std::min<uint64_t>(header.size(), limit));
  Request::Header next;
  After after = After::kEnd;
  if (grpc::Status s = ReadOneMessage(context, reader, limit, header.size(), &raw, &next, &after);
      !s.ok()) {
    return s;
  }
  if (after == After::kEnd) return AppendOne(header, *name, raw, response);
  return AppendSeveral(context, reader, header, *name, std::move(raw), std::move(next), response);
}

grpc::Status MailStoreService::AppendOne(const v1::AppendMessageRequest::Header& header,
                                         const std::string& mailbox, const std::string& raw,
                                         v1::AppendMessageResponse* response) {
  const IngestedContent content = Ingest(raw, limits_.ingest);
  db::NewMessage target;
  target.user_id = header.user_id();
  target.mailbox = mailbox;
  target.flags = header.flags();
  target.internal_date_us = InternalDateMicros(header);
  absl::StatusOr<v1::DeliverMessageResponse> r = db_->AddMessages(raw, content, {target}, "");
  if (!r.ok()) return ToGrpc(r.status(), "AppendMessage");
  const v1::DeliveryResult& result = r->results(0);
  response->set_mailbox_id(result.mailbox_id());
  response->set_uid(result.uid());
  response->add_uids(result.uid());
  response->set_uidvalidity(result.uidvalidity());
  response->set_modseq(result.modseq());
  return grpc::Status::OK;
}

// RFC 3502 §6.3.11: all messages or none. Each message is parsed and its content staged as soon as
// its body is complete, so only one message is ever held here; the messages themselves are added by
// one transaction once the end marker arrived (MailDb::AppendStaged). A refusal or a cancelled
// stream leaves only staged contents, which CollectGarbage() removes.
grpc::Status MailStoreService::AppendSeveral(grpc::ServerContext* context, Reader* reader,
                                             const v1::AppendMessageRequest::Header& first,
                                             const std::string& mailbox, std::string raw,
                                             v1::AppendMessageRequest::Header next,
                                             v1::AppendMessageResponse* response) {
  const uint64_t limit = limits_.max_message_bytes;
  std::vector<db::StagedMessage> staged;
  uint64_t staged_bytes = 0;
  Request::Header current = first;
  After after = After::kNextHeader;
  while (true) {
    {
      const IngestedContent content = Ingest(raw, limits_.ingest);
      if (absl::Status s = db_->StageContent(raw, content); !s.ok()) {
        return ToGrpc(s, "AppendMessage");
      }
      staged.push_back(
          db::StagedMessage{content.sha256, content.size, current.flags(),
                            InternalDateMicros(current)});
      staged_bytes += content.size;
    }
    if (after == After::kEnd) break;
    if (staged.size() >= static_cast<size_t>(limits_.max_append_messages)) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("more than ", limits_.max_append_messages,
                                       " messages in one append"));
    }
    current = std::move(next);
    if (grpc::Status s = CheckLaterHeader(current, first, mailbox, limit); !s.ok()) return s;
    // Refuse early, before the client sends the body, when the declared sizes alone already
    // exceed the quota; AppendStaged checks the real sum again in its transaction.
    absl::StatusOr<v1::GetQuotaResponse> quota = db_->GetQuota(first.user_id());
    if (!quota.ok()) return ToGrpc(quota.status(), "AppendMessage");
    if (quota->quota_bytes() > 0 &&
        quota->used_bytes() + staged_bytes + current.size() > quota->quota_bytes()) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          absl::StrCat("quota exceeded for user ", first.user_id()));
    }
    raw.clear();
    if (grpc::Status s =
            ReadOneMessage(context, reader, limit, current.size(), &raw, &next, &after);
        !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<v1::AppendMessageResponse> r =
      db_->AppendStaged(first.user_id(), mailbox, staged);
  if (!r.ok()) return ToGrpc(r.status(), "AppendMessage");
  *response = *std::move(r);
  return grpc::Status::OK;
}

}  // namespace mailroom::store
