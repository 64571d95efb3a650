#include "services/store/db/sql_util.h"

#include <algorithm>
#include <functional>
#include <limits>
#include <string_view>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "services/store/db/mail_db.h"

namespace mailroom::store::db {
namespace {
// NOTIFY payloads must stay under 8000 bytes; past this the UID list is dropped and the
// listener resynchronises from the MODSEQ instead.
constexpr size_t kMaxNotifyPayload = 7000;
}  // namespace

std::string IntArray(const std::vector<int64_t>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    absl::StrAppend(&out, values[i]);
  }
  out += "}";
  return out;
}

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ",";
    out += '"';
    for (char c : values[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += "}";
  return out;
}

std::string ByteaArray(const std::vector<std::string>& values) {
  std::vector<std::string> hex;
  hex.reserve(values.size());
  static const char kHex[] = "0123456789abcdef";
  for (const std::string& v : values) {
    std::string h = "\\x";
    for (unsigned char c : v) {
      h += kHex[c >> 4];
      h += kHex[c & 0xF];
    }
    hex.push_back(std::move(h));
  }
  return TextArray(hex);
}

std::vector<std::string> ParseTextArray(const std::string& literal) {
  std::vector<std::string> out;
  if (literal.size() < 2) return out;
  size_t i = 1;
  const size_t end = literal.size() - 1;  // the closing brace
  while (i < end) {
    std::string item;
    if (literal[i] == '"') {
      for (++i; i < end && literal[i] != '"'; ++i) {
        if (literal[i] == '\\' && i + 1 < end) ++i;
        item += literal[i];
      }
      ++i;  // closing quote
    } else {
      for (; i < end && literal[i] != ','; ++i) item += literal[i];
    }
    out.push_back(std::move(item));
    if (i < end && literal[i] == ',') ++i;
  }
  return out;
}

UidArrays ToArrays(const v1::UidSet& set) {
  std::vector<std::pair<int64_t, int64_t>> ranges;
  for (const v1::UidRange& r : set.ranges()) {
    int64_t a = r.first(), b = r.last() == 0 ? std::numeric_limits<uint32_t>::max() : r.last();
    if (a > b) std::swap(a, b);  // RFC 9051 §9: "4:2" means "2:4"
    ranges.emplace_back(a, b);
  }
  // Sorted and merged: each message is in at most one range, and the ranges come in UID order.
  std::sort(ranges.begin(), ranges.end());
  std::vector<int64_t> firsts, lasts;
  for (const auto& [a, b] : ranges) {
    if (!lasts.empty() && a <= lasts.back() + 1) {
      lasts.back() = std::max(lasts.back(), b);
      continue;
    }
    firsts.push_back(a);
    lasts.push_back(b);
  }
  return {IntArray(firsts), IntArray(lasts)};
}

v1::UidSet ToUidSet(const std::vector<uint32_t>& sorted_uids) {
  v1::UidSet set;
  for (uint32_t uid : sorted_uids) {
    if (set.ranges_size() > 0 && set.ranges(set.ranges_size() - 1).last() + 1 == uid) {
      set.mutable_ranges(set.ranges_size() - 1)->set_last(uid);
      continue;
    }
    v1::UidRange* r = set.add_ranges();
    r->set_first(uid);
    r->set_last(uid);
  }
  return set;
}

v1::Flags FlagsFromRow(const pqxx::row& row, int flags_col, int keywords_col) {
  v1::Flags flags;
  flags.set_system(row[flags_col].as<uint32_t>());
  const pqxx::field keywords = row[keywords_col];
  if (keywords.size() <= 2) return flags;  // "{}": most messages have no keywords
  for (std::string& k : ParseTextArray(keywords.as<std::string>())) {
    flags.add_keywords(std::move(k));
  }
  return flags;
}

std::string NotifyPayload(const v1::ChangeEvent& event) {
  std::string payload = absl::Base64Escape(event.SerializeAsString());
  if (payload.size() > kMaxNotifyPayload) {
    v1::ChangeEvent small = event;
    small.clear_uids();
    payload = absl::Base64Escape(small.SerializeAsString());
  }
  return payload;
}

void Notify(pqxx::transaction_base& txn, const v1::ChangeEvent& event) {
  static_cast<PooledConnection&>(txn.conn()).QueueNotify(NotifyPayload(event));
}

std::string PreparedName(const char* sql) {
  return absl::StrCat("mr_", absl::Hex(std::hash<std::string_view>{}(sql)));
}

std::string Bytes(const pqxx::field& field) {
  if (field.is_null()) return {};
  pqxx::binarystring b(field);
  return b.str();
}

int64_t Micros(const pqxx::field& field) { return field.is_null() ? 0 : field.as<int64_t>(); }

}  // namespace mailroom::store::db
